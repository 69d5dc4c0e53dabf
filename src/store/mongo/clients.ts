import type { mongo } from 'mongoose';
import type { ClientGrantRecord, ClientGrantRepo, ClientRecord, ClientRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { fromDoc, guardUnique, listDocs, plain } from './docs.ts';
import type { ClientGrantDoc } from './docs.ts';

/** Clients on MongoDB: _id is the client_id. */
export function mongoClients(c: Collections): ClientRepo {
  const toRecord = (d: { _id: string }): ClientRecord => fromDoc<ClientRecord>(d);
  return {
    async get(clientId) {
      const d = await c.clients.findOne({ _id: clientId });
      return d ? toRecord(d) : null;
    },
    async insert(client) {
      await guardUnique('client_id', () => c.clients.insertOne({ ...plain(client), _id: client.client_id }));
    },
    async replace(client) {
      const result = await c.clients.replaceOne({ _id: client.client_id }, plain(client));
      return result.matchedCount > 0;
    },
    async replaceIfVersion(client, expectedVersion) {
      const result = await c.clients.replaceOne({ _id: client.client_id, version: expectedVersion }, plain(client));
      return result.matchedCount > 0;
    },
    async delete(clientId) {
      // Two collections cannot change in one atomic step without a replica-set transaction
      // (a standalone server has none). The client goes first: a crash in between leaves
      // orphan grants that nothing can use, never a client that lost its grants.
      const result = await c.clients.deleteOne({ _id: clientId });
      await c.clientGrants.deleteMany({ client_id: clientId });
      return result.deletedCount > 0;
    },
    async list(options) {
      return listDocs(c.clients, {}, options, toRecord);
    },
  };
}

/** Client grants on MongoDB: unique index on (client_id, audience). */
export function mongoClientGrants(c: Collections): ClientGrantRepo {
  const toRecord = (d: { _id: string }): ClientGrantRecord => fromDoc<ClientGrantRecord>(d);
  return {
    async get(id) {
      const d = await c.clientGrants.findOne({ _id: id });
      return d ? toRecord(d) : null;
    },
    async find(clientId, audience) {
      const d = await c.clientGrants.findOne({ client_id: clientId, audience });
      return d ? toRecord(d) : null;
    },
    async insert(grant) {
      await guardUnique('id', () => c.clientGrants.insertOne({ ...plain(grant), _id: grant.id }));
    },
    async replace(grant) {
      const result = await guardUnique('id', () => c.clientGrants.replaceOne({ _id: grant.id }, plain(grant)));
      return result.matchedCount > 0;
    },
    async delete(id) {
      return (await c.clientGrants.deleteOne({ _id: id })).deletedCount > 0;
    },
    async list(filter, options) {
      const query: mongo.Filter<ClientGrantDoc> = {};
      if (filter.client_id !== undefined) query.client_id = filter.client_id;
      if (filter.audience !== undefined) query.audience = filter.audience;
      return listDocs(c.clientGrants, query, options, toRecord);
    },
  };
}
