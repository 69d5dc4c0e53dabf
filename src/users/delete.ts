import type { Store } from '../store/types.ts';

/** Ends everything that stands for a user: sessions, grants, refresh and access tokens (deleting or blocking them). */
export async function endSessions(store: Store, userId: string): Promise<void> {
  await store.oidc.revokeByAccountId(userId);
}

/**
 * Deletes a user and ends everything that stands for them. Without that, a later user who
 * gets the same id (a connection deleted and re-created under its name) would inherit the
 * old sessions. Resolves false when missing.
 */
export async function deleteUser(store: Store, userId: string): Promise<boolean> {
  const deleted = await store.users.delete(userId);
  // Revoke even when the user was already gone: a half-finished earlier delete leaves no session behind.
  await endSessions(store, userId);
  return deleted;
}
