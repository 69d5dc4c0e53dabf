/** Prints the settings table for the README (npm run settings). */
import { settingsTable } from '../src/config/table.ts';

process.stdout.write(`${settingsTable()}\n`);
