import { badRequest } from '../../errors/app-error.ts';
import { ROOT_ATTRIBUTES } from '../../lib/profile.ts';
import type { Store, UserChange, UserRecord } from '../../store/types.ts';
import { mergeMetadata } from '../../store/user-changes.ts';
import { endSessions } from '../../users/delete.ts';
import { missing } from '../not-found.ts';
import { MAX_METADATA_BYTES, type UserPatch } from './schema.ts';

/**
 * Root attributes of a social user are the provider's: Auth0 lets the API change them only
 * when the connection copies them at the first login alone (else the next login would undo it).
 */
async function checkRootEditable(store: Store, user: UserRecord, fields: string[]): Promise<void> {
  if (!fields.length) return;
  const name = user.identities[0]?.connection;
  const connection = name ? await store.connections.getByName(name) : null;
  if (!connection || connection.options['set_user_root_attributes'] === 'on_first_login') return;
  throw badRequest(`Payload validation error: ${fields.join(', ')}: the root attributes of users of connection "${name}" are set by the provider ` +
    `at every login; to edit them here set the connection's options.set_user_root_attributes to "on_first_login" ` +
    `(PATCH /api/v2/connections/${connection.id})`);
}

/** Metadata after the merge must stay within the limit (the patch alone may be small). */
function checkMergedSize(user: UserRecord, patch: UserPatch): void {
  for (const field of ['user_metadata', 'app_metadata'] as const) {
    const value = patch[field];
    if (!value) continue;
    const bytes = Buffer.byteLength(JSON.stringify(mergeMetadata(user[field], value)));
    if (bytes > MAX_METADATA_BYTES) {
      throw badRequest(`Payload validation error: ${field}: too large after the merge (${Math.ceil(bytes / 1024)} KB; at most ${MAX_METADATA_BYTES / 1024} KB): remove keys by setting them to null`);
    }
  }
}

/** PATCH /users/:id as Auth0 defines it for social users; blocking ends the user's sessions and refresh tokens. */
export async function updateUser(store: Store, userId: string, patch: UserPatch): Promise<UserRecord> {
  const user = await store.users.get(userId);
  if (!user) throw missing.user(userId);
  const root = Object.fromEntries(ROOT_ATTRIBUTES.filter((k) => patch[k] !== undefined).map((k) => [k, patch[k]]));
  await checkRootEditable(store, user, Object.keys(root));
  checkMergedSize(user, patch);
  const change: UserChange = {
    now: new Date().toISOString(),
    ...(Object.keys(root).length ? { root } : {}),
    ...(patch.user_metadata ? { user_metadata: patch.user_metadata } : {}),
    ...(patch.app_metadata ? { app_metadata: patch.app_metadata } : {}),
    ...(patch.blocked !== undefined ? { blocked: patch.blocked } : {}),
  };
  const updated = await store.users.update(userId, change);
  if (!updated) throw missing.user(userId);
  if (patch.blocked === true) await endSessions(store, userId);
  return updated;
}
