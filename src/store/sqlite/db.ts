import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { ensurePrivateDir, restrictFiles, touchPrivateFile } from '../../lib/private-files.ts';
import { StoreConflictError, type StoreMetrics } from '../types.ts';
import { migrate } from './schema.ts';

export type Row = Record<string, SQLOutputValue>;
export type Params = SQLInputValue[];

/** What a statement does, decided once per SQL text: BEGIN/COMMIT/ROLLBACK are not counted. */
type StatementKind = 'read' | 'write' | undefined;
const kindOf = (sql: string): StatementKind =>
  /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql) ? undefined : /^\s*SELECT\b/i.test(sql) ? 'read' : 'write';

/**
 * One connection to the database file plus a cache of prepared statements. Every repo
 * goes through `stmt()`, once per execution, so each distinct SQL text is compiled exactly
 * once per process and every executed statement is counted.
 */
export class SqliteDb {
  readonly raw: DatabaseSync;
  readonly #statements = new Map<string, { statement: StatementSync; kind: StatementKind }>();
  readonly #metrics: StoreMetrics | undefined;

  constructor(file: string, metrics?: StoreMetrics) {
    this.#metrics = metrics;
    if (file !== ':memory:' && !file.startsWith('file:')) {
      // A missing DATA_DIR is created (SQLite itself would only say "unable to open database file").
      ensurePrivateDir(dirname(file));
      // SQLite gives its -wal and -shm files the mode of the database file: a 0600 database keeps all three private.
      touchPrivateFile(file);
      restrictFiles([file, `${file}-wal`, `${file}-shm`]);
    }
    this.raw = new DatabaseSync(file);
    // busy_timeout first: switching to WAL and migrating may wait on another process.
    this.raw.exec('PRAGMA busy_timeout = 5000');
    this.raw.exec('PRAGMA journal_mode = WAL');
    this.raw.exec('PRAGMA synchronous = NORMAL');
    this.raw.exec('PRAGMA foreign_keys = ON');
    migrate(this);
    // From here on a taken lock answers SQLITE_BUSY at once; busy.ts retries without blocking.
    this.raw.exec('PRAGMA busy_timeout = 0');
  }

  /** The prepared statement for `sql`, compiled on first use; call it once per execution (it is counted). */
  stmt(sql: string): StatementSync {
    let entry = this.#statements.get(sql);
    if (!entry) {
      entry = { statement: this.raw.prepare(sql), kind: kindOf(sql) };
      this.#statements.set(sql, entry);
    }
    if (entry.kind && this.#metrics) this.#metrics.storeStatement(entry.kind);
    return entry.statement;
  }

  /**
   * Runs `fn` inside `BEGIN IMMEDIATE` (joins an enclosing transaction if there is one).
   * `needed` false skips the transaction: `fn` is a single statement, atomic by itself.
   */
  tx<T>(fn: () => T, needed = true): T {
    // IMMEDIATE takes the write lock up front: a deferred transaction that later tries to
    // write can fail with SQLITE_BUSY without waiting when another process wrote meanwhile.
    if (this.raw.isTransaction || !needed) return fn();
    this.stmt('BEGIN IMMEDIATE').run();
    try {
      const result = fn();
      this.stmt('COMMIT').run();
      return result;
    } catch (err) {
      if (this.raw.isTransaction) this.stmt('ROLLBACK').run();
      throw err;
    }
  }

  /** Closes the file; later calls reject. Safe to call twice. */
  close(): void {
    if (!this.raw.isOpen) return;
    this.#statements.clear();
    this.raw.close();
  }
}

/** Runs a write and turns a unique-constraint failure into `StoreConflictError`. */
export function guardUnique<T>(write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw toConflict(err) ?? err;
  }
}

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

function toConflict(err: unknown): StoreConflictError | null {
  // Duck-typed, not instanceof Error: node:sqlite builds its errors in the main realm,
  // which is not the realm of `Error` under a vm-based runner such as jest.
  if (typeof err !== 'object' || err === null || !('errcode' in err) || !('message' in err)) return null;
  if (err.errcode !== SQLITE_CONSTRAINT_UNIQUE && err.errcode !== SQLITE_CONSTRAINT_PRIMARYKEY) return null;
  // "UNIQUE constraint failed: client_grants.client_id, client_grants.audience" -> "client_id,audience"
  const columns = String(err.message).split(': ')[1] ?? 'unknown';
  const key = columns.split(', ').map((c) => c.split('.').pop() ?? c).join(',');
  return new StoreConflictError(key);
}

/** A TEXT column of a row (throws if the schema and the code disagree). */
export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`sqlite: column ${column} is not text`);
  return value;
}

/** A nullable numeric column of a row. */
export function num(row: Row, column: string): number | undefined {
  const value = row[column];
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`sqlite: column ${column} is not a number`);
}

/** Parses the JSON document column `doc` of a row. */
export function doc<T>(row: Row): T {
  return JSON.parse(text(row, 'doc')) as T;
}

/** Number of rows changed by a write. */
export function changed(result: { changes: number | bigint }): number {
  return Number(result.changes);
}
