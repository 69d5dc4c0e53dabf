import type { mongo } from 'mongoose';
import type { IdentityRecord, LoginUpsert, UserRecord, UserRepo } from '../types.ts';
import type { Collections } from './connect.ts';
import { fromDoc, isDuplicateKey, listDocs } from './docs.ts';
import type { UserDoc } from './docs.ts';
import { loginPipeline } from './login-pipeline.ts';

const TOKEN_FIELDS = ['access_token_enc', 'refresh_token_enc', 'expires_at'] as const;

/** Users on MongoDB: _id is the user_id; email_lower and identities.connection are indexed. */
export function mongoUsers(c: Collections): UserRepo {
  const toRecord = (d: { _id: string }): UserRecord => fromDoc<UserRecord>(d, 'email_lower');

  const upsertOnce = async (input: LoginUpsert): Promise<{ user: UserRecord; created: boolean }> => {
    const result = await c.users.findOneAndUpdate({ _id: input.user_id }, loginPipeline(input), {
      upsert: true,
      returnDocument: 'after',
      includeResultMetadata: true,
    });
    if (!result.value) throw new Error(`mongodb: upsert of user ${input.user_id} returned no document`);
    return { user: toRecord(result.value), created: result.lastErrorObject?.['updatedExisting'] !== true };
  };

  return {
    async get(userId) {
      const d = await c.users.findOne({ _id: userId });
      return d ? toRecord(d) : null;
    },
    async delete(userId) {
      return (await c.users.deleteOne({ _id: userId })).deletedCount > 0;
    },
    async list(filter, options) {
      const query: mongo.Filter<UserDoc> = {};
      if (filter.email !== undefined) query.email_lower = filter.email.toLowerCase();
      if (filter.connection !== undefined) query['identities.connection'] = filter.connection;
      return listDocs(c.users, query, options, toRecord);
    },
    async upsertLogin(input) {
      try {
        return await upsertOnce(input);
      } catch (err) {
        // Two racing upserts of a new _id: the server retries the loser itself (4.2+);
        // should one still surface, the user now exists and the retry is a plain update.
        if (!isDuplicateKey(err)) throw err;
        return upsertOnce(input);
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
      return d ? toRecord(d) : null;
    },
  };
}
