import type { mongo } from 'mongoose';
import type { LoginUpsert } from '../types.ts';
import { ROOT_ATTRIBUTES } from '../../lib/profile.ts';
import { plain } from './docs.ts';

// Every value from the caller is wrapped in $literal: a profile string such as "$where"
// must stay data and never be read as a field path or an operator.
const lit = (value: unknown): mongo.Document => ({ $literal: value });

/**
 * The update pipeline of one login, applied with `upsert: true` to `{ _id: user_id }`.
 * On a missing user the pipeline runs on `{ _id }`, so "new" is "has no created_at yet";
 * the whole create-or-update is one atomic document write.
 */
export function loginPipeline(input: LoginUpsert): mongo.Document[] {
  const identity = plain(input.identity);
  // on_first_login keeps the stored value of an existing user; a new user gets the login's.
  // on_each_login refreshes it, unless the login came through a linked identity (the user is
  // another one's primary): then the profile stays the main identity's, as in Auth0.
  const refresh = input.setRootAttributes === 'on_each_login' ? { $eq: ['$_id', lit(input.user_id)] } : '$__isNew';
  const rootValue = (value: unknown, field: string): unknown => {
    const fresh = value === undefined ? '$$REMOVE' : lit(value);
    return { $cond: [refresh, fresh, `$${field}`] };
  };

  const set: mongo.Document = {
    user_id: { $ifNull: ['$user_id', lit(input.user_id)] },
    identities: {
      $cond: [
        { $in: [lit(identity.connection), { $ifNull: ['$identities.connection', []] }] },
        // Replace the identity of this connection in place, keeping the others and the order.
        {
          $map: {
            input: '$identities',
            as: 'i',
            in: { $cond: [{ $eq: ['$$i.connection', lit(identity.connection)] }, lit(identity), '$$i'] },
          },
        },
        { $concatArrays: [{ $ifNull: ['$identities', []] }, [lit(identity)]] },
      ],
    },
    extra: rootValue(plain(input.extra), 'extra'),
    user_metadata: { $ifNull: ['$user_metadata', lit({})] },
    app_metadata: { $ifNull: ['$app_metadata', lit({})] },
    created_at: { $cond: ['$__isNew', lit(input.now), '$created_at'] },
    updated_at: lit(input.now),
    last_login: lit(input.now),
    logins_count: { $add: [{ $ifNull: ['$logins_count', 0] }, 1] },
    // Lower-cased here, not with $toLower (which folds ASCII only), to match the filter.
    email_lower: rootValue(input.root.email?.toLowerCase(), 'email_lower'),
  };
  for (const key of ROOT_ATTRIBUTES) set[key] = rootValue(input.root[key], key);

  return [
    { $set: { __isNew: { $eq: [{ $type: '$created_at' }, 'missing'] } } },
    { $set: set },
    { $set: { identity_keys: IDENTITY_KEYS } },
    { $unset: '__isNew' },
  ];
}

/** The identity index of a user document (see identityKey), derived from its identities in the same write. */
export const IDENTITY_KEYS: mongo.Document = {
  $map: { input: { $ifNull: ['$identities', []] }, as: 'i', in: { $concat: ['$$i.provider', '|', '$$i.user_id'] } },
};
