import { SETTINGS } from './schema.ts';

interface DefaultedDef { type?: string; defaultValue?: unknown; innerType?: { _zod: { def: DefaultedDef } } }

function defaultOf(schema: { _zod: { def: DefaultedDef } }): string {
  const def = schema._zod.def;
  if (def.type === 'default') return `\`${String(def.defaultValue)}\``;
  return '—';
}

/** The README's settings table, generated from the schema (the README is checked against it). */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, [schema, description]]) =>
    `| \`${name}\` | ${defaultOf(schema as unknown as { _zod: { def: DefaultedDef } })} | ${description} |`);
  return ['| Setting | Default | What it does |', '| --- | --- | --- |', ...rows].join('\n');
}
