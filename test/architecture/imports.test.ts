import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importCircles, layerBreaches, packageBreaches, type LayerRule, type PackageRule } from './import-rules.ts';

const TS_CONFIG = 'tsconfig.json';

/** The drivers and engines only one folder may touch (ARCHITECTURE.md, "Boundaries"). */
const PACKAGES: PackageRule[] = [
  { specifier: 'oidc-provider', only: 'oidc' },
  { specifier: 'isolated-vm', only: 'sandbox' },
  { specifier: 'node:sqlite', only: 'store/sqlite' },
  { specifier: 'mongoose', only: 'store/mongo' },
  { specifier: 'mongodb', only: 'store/mongo' },
];

/** The lower layers and what each may import; the upper ones (connections, login, management) are free. */
const LAYERS: LayerRule[] = [
  { from: 'lib', allowed: [] },
  { from: 'config', allowed: ['lib'] },
  { from: 'errors', allowed: ['lib'] },
  { from: 'store', allowed: ['lib'] },
  { from: 'sandbox', allowed: ['lib'] },
  { from: 'users', allowed: ['lib', 'store'] },
  { from: 'oidc', allowed: ['config', 'errors', 'lib', 'store'] },
];

describe('src/', () => {
  it('has no import circles (type-only imports count)', async () => {
    expect(await importCircles('src', TS_CONFIG)).toEqual([]);
  });

  it('imports oidc-provider, isolated-vm and the database drivers only from their own folders', () => {
    expect(packageBreaches('src', PACKAGES)).toEqual([]);
  });

  it('has no import running from a lower layer back up', () => {
    expect(layerBreaches('src', LAYERS)).toEqual([]);
  });
});

describe('the checks find what is planted in a small tree', () => {
  let root: string;
  const plant = (files: Record<string, string>): void => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
  };
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'brokerid-imports-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('an import circle, also one closed by a type-only import', async () => {
    plant({
      'a.ts': "import { b } from './b.ts';\nexport const a = (): number => b + 1;\n",
      'b.ts': "export const b = 1;\n",
      'store/db.ts': "import { migrate } from './schema.ts';\nexport class Db { constructor() { migrate(this); } }\n",
      'store/schema.ts': "import type { Db } from './db.ts';\nexport function migrate(db: Db): void { void db; }\n",
    });
    expect(await importCircles(root, TS_CONFIG)).toEqual([['store/db.ts', 'store/schema.ts']]);
    rmSync(join(root, 'store'), { recursive: true });
    expect(await importCircles(root, TS_CONFIG)).toEqual([]);
  });

  it('an import it cannot resolve fails the check instead of hiding a circle', async () => {
    plant({ 'a.ts': "import { b } from './gone.ts';\nexport const a = b;\n" });
    await expect(importCircles(root, TS_CONFIG)).rejects.toThrow(/could not resolve .*gone\.ts/);
  });

  it('a guarded package imported from outside its folder, in any import form', () => {
    plant({
      'oidc/provider.ts': "import Provider from 'oidc-provider';\nexport { Provider };\n",
      'store/mongo/db.ts': "import mongoose from 'mongoose';\nexport { mongoose };\n",
      'login/routes.ts': "import type { KoaContextWithOIDC } from 'oidc-provider';\nexport type C = KoaContextWithOIDC;\n",
      'users/find.ts': "export const load = () => import('mongodb/lib/bson');\n",
      'store/sqlite/db.ts': "import { DatabaseSync } from 'node:sqlite';\nexport { DatabaseSync };\n",
      'store/mongo/sqlite.ts': "export { DatabaseSync } from 'node:sqlite';\n",
    });
    expect(packageBreaches(root, PACKAGES)).toEqual([
      'login/routes.ts imports oidc-provider: only oidc/ may',
      'store/mongo/sqlite.ts imports node:sqlite: only store/sqlite/ may',
      'users/find.ts imports mongodb/lib/bson: only store/mongo/ may',
    ]);
  });

  it('a lower layer importing one above it, or a top-level file', () => {
    plant({
      'oidc/provider.ts': "import { SCOPES } from '../management/scopes.ts';\nimport { x } from '../lib/x.ts';\nexport const s = [SCOPES, x];\n",
      'lib/x.ts': "export const x = 1;\n",
      'lib/y.ts': "import type { F } from '../features.ts';\nexport type Y = F;\n",
      'management/scopes.ts': "import { x } from '../lib/x.ts';\nexport const SCOPES = [x];\n",
      'features.ts': "export type F = number;\n",
    });
    expect(layerBreaches(root, LAYERS)).toEqual([
      'lib/y.ts imports features.ts: lib/ may import only lib/',
      'oidc/provider.ts imports management/scopes.ts: oidc/ may import only oidc/, config/, errors/, lib/, store/',
    ]);
  });
});
