import { StoreConflictError } from '../types.ts';
import type { mongo } from 'mongoose';
import type { ConnectionRecord, ConnectionRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { fromDoc, guardUnique, listDocs, plain } from './docs.ts';
import type { ConnectionDoc } from './docs.ts';

/** Connections on MongoDB: _id is the id, unique index on name, multikey on enabled_clients. */
export function mongoConnections(c: Collections): ConnectionRepo {
  const toRecord = (d: { _id: string }): ConnectionRecord => fromDoc<ConnectionRecord>(d);
  return {
    async get(id) {
      const d = await c.connections.findOne({ _id: id });
      return d ? toRecord(d) : null;
    },
    async getByName(name) {
      const d = await c.connections.findOne({ name });
      return d ? toRecord(d) : null;
    },
    async insert(connection) {
      await guardUnique('id', () => c.connections.insertOne({ ...plain(connection), _id: connection.id }));
    },
    async replace(connection) {
      // The name is part of the condition: it never changes (apps log in with it).
      // Name and previous version are part of the condition: one conditional write (optimistic concurrency).
      const result = await c.connections.replaceOne({ _id: connection.id, name: connection.name, version: connection.version - 1 }, plain(connection));
      if (result.matchedCount > 0) return true;
      const stored = await c.connections.findOne({ _id: connection.id }, { projection: { name: 1, version: 1 } });
      if (!stored) return false;
      if (stored.name !== connection.name) throw new Error(`connection ${connection.id}: name cannot change (${stored.name} -> ${connection.name})`);
      throw new StoreConflictError('version', `connection ${connection.id} was changed meanwhile (version ${String(stored.version)})`);
    },
    async delete(id) {
      return (await c.connections.deleteOne({ _id: id })).deletedCount > 0;
    },
    async list(filter, options) {
      const query: mongo.Filter<ConnectionDoc> = {};
      if (filter.strategy !== undefined) query.strategy = { $in: filter.strategy };
      if (filter.name !== undefined) query.name = filter.name;
      if (filter.enabledClientId !== undefined) query.enabled_clients = filter.enabledClientId;
      return listDocs(c.connections, query, options, toRecord);
    },
    async removeClientEverywhere(clientId) {
      // A changed record gets a new version so caches keyed by (id, version) refresh.
      await c.connections.updateMany(
        { enabled_clients: clientId },
        { $pull: { enabled_clients: clientId }, $inc: { version: 1 }, $set: { updated_at: new Date().toISOString() } },
      );
    },
  };
}
