import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * The data directory holds the store and, in development, the key that seals every secret:
 * nobody but the server's own user may read it. New folders are made 0700, new files 0600.
 */
const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) as 0700; a folder that exists keeps the mode its owner gave it. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
}

/** Creates `file` empty as 0600 if it is missing, without touching an existing one's content. */
export function touchPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
}

/** Narrows each existing file to 0600 (files made by an earlier version were 0644); missing ones are skipped. */
export function restrictFiles(files: readonly string[]): void {
  for (const file of files) {
    try {
      chmodSync(file, FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
