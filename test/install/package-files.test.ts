/**
 * What keeps `npm install` / `npm ci` quiet and the lockfile unchanged on a fresh clone:
 * every dependency with an install script is explicitly allowed or denied in allowScripts
 * (else npm 11 prints "install scripts not yet covered"), and the lockfile's root entry
 * says what package.json says (else `npm install` rewrites it).
 */
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as Record<string, unknown> & { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; [field: string]: unknown }>;
};

test('every locked package with an install script has an allowScripts entry', () => {
  const policy = pkg.allowScripts ?? {};
  const uncovered = Object.entries(lock.packages)
    .filter(([path, entry]) => path && entry.hasInstallScript)
    .map(([path, entry]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version }))
    .filter(({ name, version }) => !(name in policy) && !(`${name}@${version}` in policy))
    .map(({ name, version }) => `${name}@${version}`);
  expect(uncovered).toEqual([]);
});

test('isolated-vm keeps its install step (it picks the prebuilt binary for this Node, or builds one)', () => {
  expect(pkg.allowScripts?.['isolated-vm']).toBe(true);
});

test("the lockfile's root entry matches package.json, so npm install leaves it unchanged", () => {
  const root = lock.packages[''] ?? {};
  for (const field of ['name', 'version', 'dependencies', 'devDependencies', 'engines', 'optionalDependencies']) {
    expect([field, root[field]]).toEqual([field, pkg[field]]);
  }
});
