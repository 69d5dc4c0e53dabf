import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Every source file the README names, so the readers' map cannot point at a file that moved. */
function namedFiles(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/\b((?:src|test|bench|scripts|demo)\/[\w./-]+\.(?:ts|js|ejs))\b/g)].map((m) => m[1] as string))];
}

describe('README', () => {
  it('names only files that exist', () => {
    const named = namedFiles(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((f) => !existsSync(join(root, f)))).toEqual([]);
  });

  it('the check finds a file that does not exist', () => {
    expect(namedFiles('see `src/nowhere/gone.ts` and src/app.ts').filter((f) => !existsSync(join(root, f)))).toEqual(['src/nowhere/gone.ts']);
  });
});
