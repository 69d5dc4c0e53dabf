import type { mongo } from 'mongoose';
import type { UserDoc } from './docs.ts';
import { IDENTITY_KEYS } from './login-pipeline.ts';

/**
 * Identities written before they had Auth0's shape (user_id the bare upstream id) are the
 * ones whose user id is `oauth2|<connection>|<identity user_id>`. In the new shape that test
 * cannot hold (it would need `<connection>|<id>` to equal `<id>`), nor for a linked identity
 * (its connection is not the primary's), so running this again changes nothing.
 */
const oldShape = (i: string): mongo.Document => ({
  $and: [
    { $eq: [`${i}.provider`, 'oauth2'] },
    { $eq: [{ $concat: ['oauth2|', `${i}.connection`, '|', `${i}.user_id`] }, '$_id'] },
  ],
});

/**
 * The users migration, run on every connect: idempotent, and each document is rewritten by
 * one atomic update, so processes starting together cannot apply it twice to one identity.
 * It mirrors sqlite schema v3.
 */
export async function migrateUsers(users: mongo.Collection<UserDoc>): Promise<void> {
  await users.updateMany(
    { $expr: { $anyElementTrue: [{ $map: { input: { $ifNull: ['$identities', []] }, as: 'i', in: oldShape('$$i') } }] } },
    [{
      $set: {
        identities: {
          $map: {
            input: '$identities', as: 'i',
            in: { $cond: [oldShape('$$i'), { $mergeObjects: ['$$i', { user_id: { $concat: ['$$i.connection', '|', '$$i.user_id'] } }] }, '$$i'] },
          },
        },
      },
    }],
  );
  // Documents written before the identity index existed get their keys (after the rewrite above).
  await users.updateMany({ identity_keys: { $exists: false } }, [{ $set: { identity_keys: IDENTITY_KEYS } }]);
}
