import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import madge from 'madge';
import ts from 'typescript';

/**
 * The import checks behind test/architecture/imports.test.ts, kept apart from the test so it
 * can also be run against small planted trees (proving each check can fail).
 */

/** Only files under `only` (a folder relative to the scanned root) may import `specifier` or its subpaths. */
export interface PackageRule {
  specifier: string;
  only: string;
}

/**
 * Files under `from` may import, besides their own folder, only files under `allowed`
 * (folders relative to the scanned root): a lower layer never imports one above it.
 */
export interface LayerRule {
  from: string;
  allowed: readonly string[];
}

const SOURCE = /\.(ts|js)$/;

/** Every source file under `root`, as paths relative to it with `/` separators. */
export function sourceFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => SOURCE.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.split(sep).join('/'))
    .sort();
}

/** The module specifiers one file names: static, type-only, re-exports, dynamic import() and require(). */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

const under = (file: string, folder: string): boolean => file.startsWith(folder.endsWith('/') ? folder : `${folder}/`);

/** One line per import of a guarded package from outside the folder allowed to import it. */
export function packageBreaches(root: string, rules: readonly PackageRule[]): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(root)) {
    for (const spec of importsOf(readFileSync(join(root, file), 'utf8'))) {
      for (const rule of rules) {
        const guarded = spec === rule.specifier || spec.startsWith(`${rule.specifier}/`);
        if (guarded && !under(file, rule.only)) out.push(`${file} imports ${spec}: only ${rule.only}/ may`);
      }
    }
  }
  return out;
}

/** One line per relative import from a layer to a file outside it and outside what it may import. */
export function layerBreaches(root: string, rules: readonly LayerRule[]): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(root)) {
    const rule = rules.find((r) => under(file, r.from));
    if (!rule) continue;
    for (const spec of importsOf(readFileSync(join(root, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(root, dirname(file), spec)).split(sep).join('/');
      if (under(target, rule.from) || rule.allowed.some((folder) => under(target, folder))) continue;
      out.push(`${file} imports ${target}: ${rule.from}/ may import only ${[rule.from, ...rule.allowed].map((f) => `${f}/`).join(', ')}`);
    }
  }
  return out;
}

/** Every import circle among the TypeScript files under `root` (type-only imports count), as madge reports them. */
export async function importCircles(root: string, tsConfig: string): Promise<string[][]> {
  const result = await madge(root, { fileExtensions: ['ts'], tsConfig });
  // A file madge could not resolve drops out of the graph, and a circle through it with it.
  const { skipped } = result.warnings();
  if (skipped.length) throw new Error(`madge could not resolve ${skipped.join(', ')}: the circle check would miss them`);
  return result.circular();
}
