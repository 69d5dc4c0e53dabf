import type { OidcRecord, OidcRepo, OidcWrite } from '../types.ts';
import { changed, doc, num } from './db.ts';
import type { Row, SqliteDb } from './db.ts';

// Every read carries this condition: an expired record is never returned, even before
// purgeExpired removes it. It is a residual filter after the key/index probe, not a scan.
const LIVE = '(expires_at IS NULL OR expires_at > ?)';

/** oidc-provider models on sqlite, keyed (model, id), with uid/user_code (as given) and grant_id/account_id (from the payload) columns. */
export function sqliteOidc(db: SqliteDb): OidcRepo {
  return {
    async upsert(model, id, payload, expiresAt, lookup = {}) {
      db.stmt(
        `INSERT INTO oidc (model, id, doc, uid, user_code, grant_id, account_id, expires_at)
         VALUES ($model, $id, $doc, $uid, $userCode, $grantId, $accountId, $expiresAt)
         ON CONFLICT (model, id) DO UPDATE SET
           doc = excluded.doc, uid = excluded.uid, user_code = excluded.user_code,
           grant_id = excluded.grant_id, account_id = excluded.account_id, expires_at = excluded.expires_at,
           -- a consumed mark survives a re-save (a code must never become redeemable again)
           -- unless the old record had expired: then this is a new record under an old id.
           consumed = CASE WHEN oidc.expires_at IS NOT NULL AND oidc.expires_at <= $now
                           THEN NULL ELSE oidc.consumed END`,
      ).run({
        model,
        id,
        doc: JSON.stringify(payload),
        uid: lookup.uid ?? null,
        userCode: lookup.userCode ?? null,
        grantId: stringField(payload, 'grantId'),
        accountId: stringField(payload, 'accountId'),
        expiresAt: expiresAt ?? null,
        now: Date.now(),
      });
    },
    async writeMany(writes) {
      // Last write per (model, id) wins; a destroy is a row that expired at epoch 0 (never
      // returned, purged with the expired), so the whole batch is one INSERT, atomic by itself.
      const last = new Map<string, OidcWrite>();
      for (const w of writes) {
        last.delete(`${w.model}\n${w.id}`);
        last.set(`${w.model}\n${w.id}`, w);
      }
      if (last.size === 0) return;
      const rows = [...last.values()];
      db.stmt(
        `INSERT INTO oidc (model, id, doc, uid, user_code, grant_id, account_id, expires_at)
         VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (model, id) DO UPDATE SET
           doc = excluded.doc, uid = excluded.uid, user_code = excluded.user_code,
           grant_id = excluded.grant_id, account_id = excluded.account_id, expires_at = excluded.expires_at,
           consumed = CASE WHEN oidc.expires_at IS NOT NULL AND oidc.expires_at <= ? THEN NULL ELSE oidc.consumed END`,
      ).run(...rows.flatMap((w) => w.payload === null
        ? [w.model, w.id, '{}', null, null, null, null, 0]
        : [w.model, w.id, JSON.stringify(w.payload), w.lookup?.uid ?? null, w.lookup?.userCode ?? null,
          stringField(w.payload, 'grantId'), stringField(w.payload, 'accountId'), w.expiresAt ?? null]), Date.now());
    },
    async find(model, id) {
      const row = db
        .stmt(`SELECT doc, consumed, expires_at FROM oidc WHERE model = ? AND id = ? AND ${LIVE}`)
        .get(model, id, Date.now());
      return row ? toRecord(row) : null;
    },
    async findByUid(model, uid) {
      const row = db
        .stmt(`SELECT doc, consumed, expires_at FROM oidc WHERE model = ? AND uid = ? AND ${LIVE} LIMIT 1`)
        .get(model, uid, Date.now());
      return row ? toRecord(row) : null;
    },
    async findByUserCode(model, userCode) {
      const row = db
        .stmt(`SELECT doc, consumed, expires_at FROM oidc WHERE model = ? AND user_code = ? AND ${LIVE} LIMIT 1`)
        .get(model, userCode, Date.now());
      return row ? toRecord(row) : null;
    },
    async destroy(model, id) {
      db.stmt('DELETE FROM oidc WHERE model = ? AND id = ?').run(model, id);
    },
    async revokeByGrantId(grantId) {
      db.stmt('DELETE FROM oidc WHERE grant_id = ?').run(grantId);
    },
    async revokeByAccountId(accountId) {
      db.stmt('DELETE FROM oidc WHERE account_id = ?').run(accountId);
    },
    async consume(model, id) {
      // One conditional UPDATE: sqlite serializes writers (across processes too), and only
      // the first one still sees `consumed IS NULL`.
      const result = db
        .stmt(`UPDATE oidc SET consumed = ? WHERE model = ? AND id = ? AND consumed IS NULL AND ${LIVE}`)
        .run(Math.floor(Date.now() / 1000), model, id, Date.now());
      return changed(result) === 1;
    },
  };
}

function stringField(payload: Record<string, unknown>, key: string): string | null {
  const value = payload[key];
  return typeof value === 'string' ? value : null;
}

function toRecord(row: Row): OidcRecord {
  const record: OidcRecord = { payload: doc<Record<string, unknown>>(row) };
  const consumed = num(row, 'consumed');
  const expiresAt = num(row, 'expires_at');
  if (consumed !== undefined) record.consumed = consumed;
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  return record;
}
