import type { mongo } from 'mongoose';
import { identityKey, type IdentityRecord, type LoginUpsert, type UserRecord, type UserRepo } from '../types.ts';
import { mergeMetadata } from '../user-changes.ts';
import type { Collections } from './connect.ts';
import { isDuplicateKey, listDocs, plain, userOf } from './docs.ts';
import type { UserDoc } from './docs.ts';
import { loginPipeline } from './login-pipeline.ts';
import { mongoLinking } from './user-linking.ts';

const TOKEN_FIELDS = ['access_token_enc', 'refresh_token_enc', 'expires_at'] as const;

/** $set / $unset of a first-level metadata merge (a null removes the key). */
function metadataUpdate(field: 'user_metadata' | 'app_metadata', patch: Record<string, unknown>, set: mongo.Document, unset: mongo.Document): void {
  for (const [key, value] of Object.entries(mergeMetadata({}, patch))) set[`${field}.${key}`] = value;
  for (const [key, value] of Object.entries(patch)) if (value === null) unset[`${field}.${key}`] = '';
}

/** Users on MongoDB: _id is the user_id; email_lower, identities.connection and identity_keys are indexed. */
export function mongoUsers(c: Collections): UserRepo {
  const write = async (filter: mongo.Filter<UserDoc>, input: LoginUpsert, upsert: boolean): Promise<{ user: UserRecord; created: boolean } | null> => {
    const result = await c.users.findOneAndUpdate(filter, loginPipeline(input), {
      upsert, returnDocument: 'after', includeResultMetadata: true,
    });
    if (!result.value) return null;
    return { user: userOf(result.value), created: result.lastErrorObject?.['updatedExisting'] !== true };
  };
  // First the user holding the identity (a primary after linking), else the one with this id
  // (created when missing); each is one atomic document write.
  const upsertOnce = async (input: LoginUpsert) =>
    (await write({ identity_keys: identityKey(input.identity) }, input, false)) ?? (await write({ _id: input.user_id }, input, true));

  return {
    async get(userId) {
      const d = await c.users.findOne({ _id: userId });
      return d ? userOf(d) : null;
    },
    async getByIdentity(key) {
      const d = await c.users.findOne({ identity_keys: key });
      return d ? userOf(d) : null;
    },
    async delete(userId) {
      return (await c.users.deleteOne({ _id: userId })).deletedCount > 0;
    },
    async list(filter, options) {
      const query: mongo.Filter<UserDoc> = {};
      if (filter.email !== undefined) query.email_lower = filter.email.toLowerCase();
      if (filter.connection !== undefined) query['identities.connection'] = filter.connection;
      return listDocs(c.users, query, options, userOf);
    },
    async upsertLogin(input) {
      try {
        const done = await upsertOnce(input);
        if (!done) throw new Error(`mongodb: upsert of user ${input.user_id} returned no document`);
        return done;
      } catch (err) {
        // Two racing upserts of a new _id (the server retries the loser itself, 4.2+), or the
        // identity was linked to another user meanwhile (its key is taken): once more finds it.
        if (!isDuplicateKey(err)) throw err;
        const done = await upsertOnce(input);
        if (!done) throw new Error(`mongodb: upsert of user ${input.user_id} returned no document`);
        return done;
      }
    },
    async updateIdentityTokens(userId, connection, tokens, ifCurrent) {
      const set: Record<string, string> = {};
      const unset: Record<string, ''> = {};
      // Replace, not merge: a token the caller no longer has must not linger.
      for (const field of TOKEN_FIELDS) {
        const value: IdentityRecord[typeof field] = tokens[field];
        if (value === undefined) unset[`identities.$.${field}`] = '';
        else set[`identities.$.${field}`] = value;
      }
      const update: mongo.UpdateFilter<UserDoc> = { $unset: unset };
      if (Object.keys(set).length > 0) update.$set = set;
      if (Object.keys(unset).length === 0) delete update.$unset;
      // $elemMatch, so that the positional $ is the identity matched with its current tokens.
      const identity: Record<string, unknown> = { connection };
      if (ifCurrent) {
        for (const field of ['access_token_enc', 'refresh_token_enc'] as const) {
          identity[field] = ifCurrent[field] === undefined ? { $exists: false } : ifCurrent[field];
        }
      }
      const d = await c.users.findOneAndUpdate({ _id: userId, identities: { $elemMatch: identity } } as mongo.Filter<UserDoc>, update, {
        returnDocument: 'after',
      });
      return d ? userOf(d) : null;
    },
    async update(userId, change) {
      // Field paths, not a read-modify-write: one atomic update (metadata keys never hold '.' or '$', the API refuses them).
      const set: mongo.Document = { ...plain(change.root ?? {}), updated_at: change.now };
      const unset: mongo.Document = {};
      if (change.root?.email !== undefined) set['email_lower'] = change.root.email.toLowerCase();
      if (change.blocked !== undefined) set['blocked'] = change.blocked;
      if (change.user_metadata) metadataUpdate('user_metadata', plain(change.user_metadata), set, unset);
      if (change.app_metadata) metadataUpdate('app_metadata', plain(change.app_metadata), set, unset);
      const update: mongo.UpdateFilter<UserDoc> = { $set: set };
      if (Object.keys(unset).length > 0) update.$unset = unset;
      const d = await c.users.findOneAndUpdate({ _id: userId }, update, { returnDocument: 'after' });
      return d ? userOf(d) : null;
    },
    ...mongoLinking(c),
  };
}
