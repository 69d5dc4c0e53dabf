import type { LogSink } from '../lib/log-events.ts';
import type { Store, UserRecord } from '../store/types.ts';

/** Who or what deleted a user, for its `du` log event. */
export interface DeletedBy {
  /** The Management API client that asked. */
  clientId?: string;
  /** Why, when it was not a direct request (e.g. its connection was deleted). */
  reason?: string;
}

/** Ends everything that stands for a user: sessions, grants, refresh and access tokens (deleting or blocking them). */
export async function endSessions(store: Store, userId: string): Promise<void> {
  await store.oidc.revokeByAccountId(userId);
}

/**
 * Deletes a user and ends everything that stands for them: sessions, grants, refresh and
 * access tokens. Without that, a later user who gets the same id (a connection deleted and
 * re-created under its name) would inherit the old sessions. Resolves false when missing.
 * A deletion is logged as a `du` event.
 */
export async function deleteUser(store: Store, logs: LogSink, user: UserRecord | string, by: DeletedBy = {}): Promise<boolean> {
  const userId = typeof user === 'string' ? user : user.user_id;
  // Read first only for the log event's user_name and connection (deletes are rare).
  const record = typeof user === 'string' ? await store.users.get(userId) : user;
  const deleted = await store.users.delete(userId);
  // Revoke even when the user was already gone: a half-finished earlier delete leaves no session behind.
  await endSessions(store, userId);
  if (deleted) {
    const name = record?.email ?? record?.name;
    const connection = record?.identities[0]?.connection;
    logs.emit({
      type: 'du', description: by.reason ? `Deleted user (${by.reason})` : 'Deleted user', user_id: userId,
      ...(name ? { user_name: name } : {}), ...(connection ? { connection } : {}), ...(by.clientId ? { client_id: by.clientId } : {}),
    });
  }
  return deleted;
}
