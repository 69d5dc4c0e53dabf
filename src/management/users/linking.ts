import { AppError, badRequest, conflict, notFound } from '../../errors/app-error.ts';
import type { LinkRefusal, Store, UserRecord } from '../../store/types.ts';
import { endSessions } from '../../users/delete.ts';
import { missing } from '../not-found.ts';
import type { LinkRequest } from './schema.ts';

/** The answer to each refusal of the store, worded as Auth0 words it where it has a word for it. */
function refused(reason: LinkRefusal, userId: string, other: string): AppError {
  switch (reason) {
    case 'user_missing': return missing.user(userId);
    case 'secondary_missing': return notFound(`Secondary user not found: no user has user_id ${JSON.stringify(other)}`, 'inexistent_user');
    case 'identity_missing': return notFound(`Identity not found: user ${JSON.stringify(userId)} has no linked identity ${JSON.stringify(other)}`, 'inexistent_identity');
    case 'main_identity': return badRequest(`Main identity cannot be removed: ${JSON.stringify(other)} is the identity user ${JSON.stringify(userId)} was created with`, 'operation_not_supported');
    case 'connection_taken': return conflict(`The primary user already has an identity at a connection of ${JSON.stringify(other)}: ` +
      'one identity per connection; unlink the primary\'s identity first', 'identity_conflict');
    case 'changed': return conflict('The user changed while the accounts were being linked (a login meanwhile); nothing was changed, try again', 'version_conflict');
  }
}

/**
 * The secondary user a link request names: its full user_id (`oauth2|other|9`) or, in Auth0's
 * form, provider + the identity's user_id (`oauth2` + `other|9`). Found through the identity
 * index, so an identity already linked to someone is recognised as such.
 */
async function secondaryOf(store: Store, primaryId: string, body: LinkRequest): Promise<UserRecord> {
  const keys = [...new Set([...(body.user_id.startsWith(`${body.provider}|`) ? [body.user_id] : []), `${body.provider}|${body.user_id}`])];
  for (const key of keys) {
    const holder = await store.users.getByIdentity(key);
    if (!holder) continue;
    if (key === primaryId) throw badRequest('Main identity and the new one are the same: a user cannot be linked to itself', 'invalid_body');
    if (holder.user_id === primaryId) throw conflict(`Identity ${JSON.stringify(key)} is already linked to this user`, 'identity_already_linked');
    if (holder.user_id !== key) {
      throw conflict(`Identity ${JSON.stringify(key)} is already linked to user ${JSON.stringify(holder.user_id)}: unlink it there first`, 'identity_already_linked');
    }
    return holder;
  }
  throw refused('secondary_missing', primaryId, keys[keys.length - 1] ?? body.user_id);
}

/** POST /users/:id/identities: the secondary's identities move onto the primary, the secondary is deleted with its sessions. */
export async function linkUsers(store: Store, primaryId: string, body: LinkRequest): Promise<UserRecord> {
  if (!(await store.users.get(primaryId))) throw missing.user(primaryId);
  const secondary = await secondaryOf(store, primaryId, body);
  if (body.connection_id !== undefined) {
    const connection = await store.connections.get(body.connection_id);
    const main = secondary.identities[0]?.connection;
    if (!connection || connection.name !== main) {
      throw badRequest(`Payload validation error: connection_id: ${connection ? `is connection "${connection.name}"` : 'no connection has this id'}; ` +
        `the secondary user's identity is at connection "${main}"`);
    }
  }
  const result = await store.users.link(primaryId, secondary.user_id, new Date().toISOString());
  if (!result.ok) throw refused(result.reason, primaryId, secondary.user_id);
  await endSessions(store, secondary.user_id);
  return result.user;
}

/** DELETE /users/:id/identities/:provider/:user_id: the identity leaves into a user of its own; the remaining user is answered. */
export async function unlinkIdentity(store: Store, userId: string, provider: string, identityUserId: string): Promise<UserRecord> {
  const key = `${provider}|${identityUserId}`;
  const result = await store.users.unlink(userId, key, new Date().toISOString());
  if (!result.ok) throw refused(result.reason, userId, key);
  return result.user;
}
