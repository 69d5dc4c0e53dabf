import type { ClientGrantRepo, ClientGrantRecord, ClientRecord, ClientRepo } from '../types.ts';
import { changed, doc, guardUnique } from './db.ts';
import type { SqliteDb } from './db.ts';
import { listPage } from './list.ts';

/** Clients on sqlite: one row per client, the record as JSON. */
export function sqliteClients(db: SqliteDb): ClientRepo {
  return {
    async get(clientId) {
      const row = db.stmt('SELECT doc FROM clients WHERE client_id = ?').get(clientId);
      return row ? doc<ClientRecord>(row) : null;
    },
    async insert(client) {
      guardUnique(() =>
        db.stmt('INSERT INTO clients (client_id, doc) VALUES (?, ?)').run(client.client_id, JSON.stringify(client)),
      );
    },
    async replace(client) {
      const result = db.stmt('UPDATE clients SET doc = ? WHERE client_id = ?').run(JSON.stringify(client), client.client_id);
      return changed(result) > 0;
    },
    async replaceIfVersion(client, expectedVersion) {
      const result = db
        .stmt("UPDATE clients SET doc = ? WHERE client_id = ? AND json_extract(doc, '$.version') = ?")
        .run(JSON.stringify(client), client.client_id, expectedVersion);
      return changed(result) > 0;
    },
    async delete(clientId) {
      // Client and its grants go together: no grant may outlive its client.
      return db.tx(() => {
        db.stmt('DELETE FROM client_grants WHERE client_id = ?').run(clientId);
        return changed(db.stmt('DELETE FROM clients WHERE client_id = ?').run(clientId)) > 0;
      });
    },
    async list(options) {
      return listPage<ClientRecord>(db, { table: 'clients', idColumn: 'client_id', where: [], params: [] }, options);
    },
  };
}

/** Client grants on sqlite: (client_id, audience) is a UNIQUE index. */
export function sqliteClientGrants(db: SqliteDb): ClientGrantRepo {
  return {
    async get(id) {
      const row = db.stmt('SELECT doc FROM client_grants WHERE id = ?').get(id);
      return row ? doc<ClientGrantRecord>(row) : null;
    },
    async find(clientId, audience) {
      const row = db.stmt('SELECT doc FROM client_grants WHERE client_id = ? AND audience = ?').get(clientId, audience);
      return row ? doc<ClientGrantRecord>(row) : null;
    },
    async insert(grant) {
      guardUnique(() =>
        db
          .stmt('INSERT INTO client_grants (id, client_id, audience, doc) VALUES (?, ?, ?, ?)')
          .run(grant.id, grant.client_id, grant.audience, JSON.stringify(grant)),
      );
    },
    async replace(grant) {
      const result = guardUnique(() =>
        db
          .stmt('UPDATE client_grants SET client_id = ?, audience = ?, doc = ? WHERE id = ?')
          .run(grant.client_id, grant.audience, JSON.stringify(grant), grant.id),
      );
      return changed(result) > 0;
    },
    async delete(id) {
      return changed(db.stmt('DELETE FROM client_grants WHERE id = ?').run(id)) > 0;
    },
    async list(filter, options) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.client_id !== undefined) {
        where.push('client_id = ?');
        params.push(filter.client_id);
      }
      if (filter.audience !== undefined) {
        where.push('audience = ?');
        params.push(filter.audience);
      }
      return listPage<ClientGrantRecord>(db, { table: 'client_grants', idColumn: 'id', where, params }, options);
    },
  };
}
