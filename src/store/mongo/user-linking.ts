import type { mongo } from 'mongoose';
import { identityKey, type UserRecord, type UserRepo } from '../types.ts';
import { findIdentity, identityKeys, linkedUser, userFromIdentity } from '../user-changes.ts';
import type { Collections } from './connect.ts';
import { isDuplicateKey, plain, userOf } from './docs.ts';
import type { UserDoc } from './docs.ts';

/** A user as a stored document, with its index-only fields. */
const docOf = (user: UserRecord): UserDoc => ({
  ...plain(user), _id: user.user_id, identity_keys: identityKeys(user),
  ...(user.email !== undefined ? { email_lower: user.email.toLowerCase() } : {}),
});

/** Matches the user only while it is as it was read (a login bumps both fields). */
const unchanged = (user: UserRecord): mongo.Filter<UserDoc> => ({ _id: user.user_id, updated_at: user.updated_at, logins_count: user.logins_count });

/**
 * Account linking on MongoDB as ordered writes with compensation (see the contract in
 * store/types.ts): a standalone server, the one docker-compose runs, has no transactions.
 * The unique identity index keeps the order honest: an identity can never sit on two users,
 * so the write that frees it always comes first.
 */
export function mongoLinking(c: Collections): Pick<UserRepo, 'link' | 'unlink'> {
  return {
    async link(primaryId, secondaryId, now) {
      const [primaryDoc, secondaryDoc] = await Promise.all([c.users.findOne({ _id: primaryId }), c.users.findOne({ _id: secondaryId })]);
      if (!primaryDoc) return { ok: false, reason: 'user_missing' };
      if (!secondaryDoc) return { ok: false, reason: 'secondary_missing' };
      const [primary, secondary] = [userOf(primaryDoc), userOf(secondaryDoc)];
      const next = linkedUser(primary, secondary, now);
      if (!next) return { ok: false, reason: 'connection_taken' };
      if ((await c.users.deleteOne(unchanged(secondary))).deletedCount !== 1) return { ok: false, reason: 'changed' };
      const moved = secondary.identities.map((i) => plain(i));
      try {
        const updated = await c.users.findOneAndUpdate(
          { _id: primaryId, 'identities.connection': { $nin: moved.map((i) => i.connection) } },
          { $push: { identities: { $each: moved }, identity_keys: { $each: moved.map(identityKey) } }, $set: { updated_at: now } },
          { returnDocument: 'after' },
        );
        if (updated) return { ok: true, user: userOf(updated) };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      // Compensation: the secondary comes back as it was read (unless a login re-created it meanwhile).
      await c.users.insertOne(docOf(secondary)).catch((err: unknown) => { if (!isDuplicateKey(err)) throw err; });
      return { ok: false, reason: 'changed' };
    },

    async unlink(userId, key, now) {
      const d = await c.users.findOne({ _id: userId });
      if (!d) return { ok: false, reason: 'user_missing' };
      const found = findIdentity(userOf(d), key);
      if (!found) return { ok: false, reason: 'identity_missing' };
      if (found.main) return { ok: false, reason: 'main_identity' };
      const identity = plain(found.identity);
      const pulled = await c.users.findOneAndUpdate(
        { _id: userId, identity_keys: key },
        { $pull: { identities: { provider: identity.provider, user_id: identity.user_id }, identity_keys: key }, $set: { updated_at: now } },
        { returnDocument: 'after' },
      );
      if (!pulled) return { ok: false, reason: 'changed' };
      const unlinked = userFromIdentity(identity, now);
      try {
        await c.users.insertOne(docOf(unlinked));
        return { ok: true, user: userOf(pulled), unlinked };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A login through the identity re-created its user meanwhile: that user holds it now.
        const current = await c.users.findOne({ identity_keys: key });
        if (current) return { ok: true, user: userOf(pulled), unlinked: userOf(current) };
        // Compensation: the identity goes back to the user it was pulled from.
        await c.users.updateOne({ _id: userId }, { $push: { identities: identity, identity_keys: key } });
        return { ok: false, reason: 'changed' };
      }
    },
  };
}
