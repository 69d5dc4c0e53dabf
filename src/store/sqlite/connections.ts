import { StoreConflictError } from '../types.ts';
import type { ConnectionRecord, ConnectionRepo } from '../types.ts';
import { changed, doc, guardUnique, text } from './db.ts';
import type { SqliteDb } from './db.ts';
import { listPage } from './list.ts';

/** Connections on sqlite: name UNIQUE, enabled_clients mirrored in connection_clients. */
export function sqliteConnections(db: SqliteDb): ConnectionRepo {
  const writeEnabledClients = (connection: ConnectionRecord): void => {
    db.stmt('DELETE FROM connection_clients WHERE connection_id = ?').run(connection.id);
    const insert = db.stmt('INSERT OR IGNORE INTO connection_clients (connection_id, client_id) VALUES (?, ?)');
    for (const clientId of connection.enabled_clients) insert.run(connection.id, clientId);
  };

  return {
    async get(id) {
      const row = db.stmt('SELECT doc FROM connections WHERE id = ?').get(id);
      return row ? doc<ConnectionRecord>(row) : null;
    },
    async getByName(name) {
      const row = db.stmt('SELECT doc FROM connections WHERE name = ?').get(name);
      return row ? doc<ConnectionRecord>(row) : null;
    },
    async insert(connection) {
      guardUnique(() =>
        db.tx(() => {
          db.stmt('INSERT INTO connections (id, name, strategy, doc) VALUES (?, ?, ?, ?)').run(
            connection.id,
            connection.name,
            connection.strategy,
            JSON.stringify(connection),
          );
          writeEnabledClients(connection);
        }),
      );
    },
    async replace(connection) {
      return db.tx(() => {
        const row = db.stmt("SELECT name, json_extract(doc, '$.version') AS version FROM connections WHERE id = ?").get(connection.id);
        if (!row) return false;
        // The name is the key apps log in with (and scripts are cached under): it never changes.
        if (text(row, 'name') !== connection.name) {
          throw new Error(`connection ${connection.id}: name cannot change (${text(row, 'name')} -> ${connection.name})`);
        }
        if (Number(row['version']) !== connection.version - 1) {
          throw new StoreConflictError('version', `connection ${connection.id} was changed meanwhile (version ${String(row['version'])})`);
        }
        db.stmt('UPDATE connections SET strategy = ?, doc = ? WHERE id = ?').run(
          connection.strategy,
          JSON.stringify(connection),
          connection.id,
        );
        writeEnabledClients(connection);
        return true;
      });
    },
    async delete(id) {
      // connection_clients rows go by ON DELETE CASCADE.
      return changed(db.stmt('DELETE FROM connections WHERE id = ?').run(id)) > 0;
    },
    async list(filter, options) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.strategy !== undefined) {
        // One statement for any number of strategies: the list travels as a JSON array.
        where.push('strategy IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(filter.strategy));
      }
      if (filter.name !== undefined) {
        where.push('name = ?');
        params.push(filter.name);
      }
      if (filter.enabledClientId === undefined) return listPage<ConnectionRecord>(db, { table: 'connections', idColumn: 'id', where, params }, options);
      // Driven by the (client_id, connection_id) index, in id order: a page stops after its
      // rows. An `id IN (subquery)` first gathered every connection of the client (2.7 ms
      // for a login page of 100 buttons out of 10,000 connections; 0.45-0.9 ms now, the 100 documents).
      return listPage<ConnectionRecord>(db, {
        table: 'connection_clients cc JOIN connections ON connections.id = cc.connection_id', idColumn: 'cc.connection_id',
        where: ['cc.client_id = ?', ...where], params: [filter.enabledClientId, ...params],
      }, options);
    },
    async removeClientEverywhere(clientId) {
      const now = new Date().toISOString();
      db.tx(() => {
        const rows = db
          .stmt(
            `SELECT c.doc FROM connection_clients cc JOIN connections c ON c.id = cc.connection_id
             WHERE cc.client_id = ?`,
          )
          .all(clientId);
        const update = db.stmt('UPDATE connections SET doc = ? WHERE id = ?');
        for (const row of rows) {
          const connection = doc<ConnectionRecord>(row);
          connection.enabled_clients = connection.enabled_clients.filter((id) => id !== clientId);
          // A changed record gets a new version so caches keyed by (id, version) refresh.
          connection.version += 1;
          connection.updated_at = now;
          update.run(JSON.stringify(connection), connection.id);
        }
        db.stmt('DELETE FROM connection_clients WHERE client_id = ?').run(clientId);
      });
    },
  };
}
