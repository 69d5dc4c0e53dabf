import type { DatabaseSync } from 'node:sqlite';

/**
 * What a migration needs of the open database. Declared here, not taken from db.ts, because
 * db.ts runs the migration when it opens: schema.ts must not import back up into it.
 */
export interface MigrationTarget {
  readonly raw: Pick<DatabaseSync, 'exec' | 'prepare'>;
  /** Runs `fn` holding the write lock. */
  tx<T>(fn: () => T): T;
}

/**
 * Schema migrations: entry i moves the file from `user_version` i to i + 1. Append only;
 * never edit a shipped entry (files in the field are already past it).
 *
 * Each record lives as a JSON document in `doc`; only what is looked up or filtered on is
 * lifted into an indexed column, so a lookup by key is an index probe whatever the size.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );

  CREATE TABLE client_grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (client_id, audience)
  );
  CREATE INDEX client_grants_audience ON client_grants (audience);

  CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    strategy TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX connections_strategy ON connections (strategy);

  -- enabled_clients, lifted out so "connections of client X" is an index probe.
  CREATE TABLE connection_clients (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    PRIMARY KEY (connection_id, client_id)
  );
  CREATE INDEX connection_clients_client ON connection_clients (client_id, connection_id);

  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    email_lower TEXT,
    doc TEXT NOT NULL
  );
  CREATE INDEX users_email ON users (email_lower);

  -- the connection names of each user's identities (for the users "connection" filter).
  CREATE TABLE user_identities (
    user_id TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    connection TEXT NOT NULL,
    PRIMARY KEY (user_id, connection)
  );
  CREATE INDEX user_identities_connection ON user_identities (connection, user_id);

  CREATE TABLE oidc (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    uid TEXT,
    user_code TEXT,
    grant_id TEXT,
    consumed INTEGER,
    expires_at INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_uid ON oidc (model, uid) WHERE uid IS NOT NULL;
  CREATE INDEX oidc_user_code ON oidc (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_grant ON oidc (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_expires ON oidc (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE keyset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    doc TEXT NOT NULL
  );

  CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX transactions_connection ON transactions (connection_id);
  CREATE INDEX transactions_expires ON transactions (expires_at);
  `,
  // v2: the account a record belongs to, so deleting a user can end its sessions and tokens.
  `
  ALTER TABLE oidc ADD COLUMN account_id TEXT;
  UPDATE oidc SET account_id = json_extract(doc, '$.accountId');
  CREATE INDEX oidc_account ON oidc (account_id) WHERE account_id IS NOT NULL;
  `,
  // v3: tenant log events. Each filter has an index ending in (date, log_id), so a filtered,
  // sorted page is an index range scan; inserts only maintain these B-trees (O(log n)).
  `
  CREATE TABLE logs (
    log_id TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    type TEXT NOT NULL,
    user_id TEXT,
    client_id TEXT,
    connection TEXT,
    doc TEXT NOT NULL
  );
  CREATE INDEX logs_date ON logs (date, log_id);
  CREATE INDEX logs_type ON logs (type, date, log_id);
  CREATE INDEX logs_user ON logs (user_id, date, log_id) WHERE user_id IS NOT NULL;
  CREATE INDEX logs_client ON logs (client_id, date, log_id) WHERE client_id IS NOT NULL;
  CREATE INDEX logs_connection ON logs (connection, date, log_id) WHERE connection IS NOT NULL;
  `,
  // v4: identities in Auth0's shape, user_id "<connection>|<upstream id>" for custom social
  // connections (an identity is migrated when it is the one its user's id was made of, so a
  // store in the new shape is left alone), and an index of identities -> user (the identity
  // key, unique: one identity belongs to one user) for logins through linked identities.
  `
  UPDATE users SET doc = json_set(doc, '$.identities', json((
    SELECT json_group_array(CASE
      WHEN json_extract(i.value, '$.provider') = 'oauth2'
        AND 'oauth2|' || json_extract(i.value, '$.connection') || '|' || json_extract(i.value, '$.user_id') = users.user_id
      THEN json_set(i.value, '$.user_id', json_extract(i.value, '$.connection') || '|' || json_extract(i.value, '$.user_id'))
      ELSE json(i.value) END ORDER BY i.key)
    FROM json_each(users.doc, '$.identities') AS i)))
  WHERE json_type(doc, '$.identities') = 'array';

  DROP TABLE user_identities;
  CREATE TABLE user_identities (
    user_id TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    connection TEXT NOT NULL,
    -- "<provider>|<identity user_id>"
    identity TEXT NOT NULL UNIQUE,
    PRIMARY KEY (user_id, connection)
  );
  CREATE INDEX user_identities_connection ON user_identities (connection, user_id);
  INSERT OR IGNORE INTO user_identities (user_id, connection, identity)
    SELECT users.user_id, json_extract(i.value, '$.connection'), json_extract(i.value, '$.provider') || '|' || json_extract(i.value, '$.user_id')
    FROM users, json_each(users.doc, '$.identities') AS i;
  `,
  // v5: revoked access tokens (Auth0's blacklist); id is aud + newline + jti, so lists sort by (aud, jti).
  `
  CREATE TABLE token_blacklist (
    id TEXT PRIMARY KEY,
    aud TEXT NOT NULL,
    doc TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX token_blacklist_aud ON token_blacklist (aud, id);
  CREATE INDEX token_blacklist_expires ON token_blacklist (expires_at);
  `,
  // v6: oidc-provider ids are stored under a keyed hash from here on. Every row written before
  // is keyed by a raw token, code or session id that nothing will look up again: delete them
  // (users sign in again once) rather than keep usable secrets in the file until they expire.
  `
  ALTER TABLE keyset ADD COLUMN stable_key_enc TEXT;
  DELETE FROM oidc;
  `,
  // v7: change counters of the rarely changed collections, for the in-process caches
  // (Store.versions): bumped by triggers, so every write, in any process and by any code
  // path (a repair script included), moves them in its own transaction.
  `
  CREATE TABLE versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  );
  INSERT INTO versions (name, version) VALUES ('clients', 0), ('client_grants', 0), ('connections', 0), ('keyset', 0);
  CREATE TRIGGER clients_insert_version AFTER INSERT ON clients BEGIN UPDATE versions SET version = version + 1 WHERE name = 'clients'; END;
  CREATE TRIGGER clients_update_version AFTER UPDATE ON clients BEGIN UPDATE versions SET version = version + 1 WHERE name = 'clients'; END;
  CREATE TRIGGER clients_delete_version AFTER DELETE ON clients BEGIN UPDATE versions SET version = version + 1 WHERE name = 'clients'; END;
  CREATE TRIGGER client_grants_insert_version AFTER INSERT ON client_grants BEGIN UPDATE versions SET version = version + 1 WHERE name = 'client_grants'; END;
  CREATE TRIGGER client_grants_update_version AFTER UPDATE ON client_grants BEGIN UPDATE versions SET version = version + 1 WHERE name = 'client_grants'; END;
  CREATE TRIGGER client_grants_delete_version AFTER DELETE ON client_grants BEGIN UPDATE versions SET version = version + 1 WHERE name = 'client_grants'; END;
  CREATE TRIGGER connections_insert_version AFTER INSERT ON connections BEGIN UPDATE versions SET version = version + 1 WHERE name = 'connections'; END;
  CREATE TRIGGER connections_update_version AFTER UPDATE ON connections BEGIN UPDATE versions SET version = version + 1 WHERE name = 'connections'; END;
  CREATE TRIGGER connections_delete_version AFTER DELETE ON connections BEGIN UPDATE versions SET version = version + 1 WHERE name = 'connections'; END;
  CREATE TRIGGER connection_clients_insert_version AFTER INSERT ON connection_clients BEGIN UPDATE versions SET version = version + 1 WHERE name = 'connections'; END;
  CREATE TRIGGER connection_clients_update_version AFTER UPDATE ON connection_clients BEGIN UPDATE versions SET version = version + 1 WHERE name = 'connections'; END;
  CREATE TRIGGER connection_clients_delete_version AFTER DELETE ON connection_clients BEGIN UPDATE versions SET version = version + 1 WHERE name = 'connections'; END;
  CREATE TRIGGER keyset_insert_version AFTER INSERT ON keyset BEGIN UPDATE versions SET version = version + 1 WHERE name = 'keyset'; END;
  CREATE TRIGGER keyset_update_version AFTER UPDATE ON keyset BEGIN UPDATE versions SET version = version + 1 WHERE name = 'keyset'; END;
  CREATE TRIGGER keyset_delete_version AFTER DELETE ON keyset BEGIN UPDATE versions SET version = version + 1 WHERE name = 'keyset'; END;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file up to SCHEMA_VERSION; safe when several processes open it at once. */
export function migrate(db: MigrationTarget): void {
  if (readVersion(db) === SCHEMA_VERSION) return;
  db.tx(() => {
    // Re-read under the write lock: another process may have migrated meanwhile.
    const from = readVersion(db);
    if (from > SCHEMA_VERSION) {
      throw new Error(`sqlite: file schema v${from} is newer than this code (v${SCHEMA_VERSION}); upgrade the app`);
    }
    for (let v = from; v < SCHEMA_VERSION; v++) db.raw.exec(MIGRATIONS[v] ?? '');
    db.raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

function readVersion(db: MigrationTarget): number {
  const row = db.raw.prepare('PRAGMA user_version').get();
  return Number(row?.['user_version'] ?? 0);
}
