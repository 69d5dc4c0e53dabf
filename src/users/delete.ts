import type { Store } from '../store/types.ts';

/**
 * Deletes a user and ends everything that stands for them: sessions, grants, refresh and
 * access tokens. Without that, a later user who gets the same id (a connection deleted and
 * re-created under its name) would inherit the old sessions. Resolves false when missing.
 */
export async function deleteUser(store: Store, userId: string): Promise<boolean> {
  const deleted = await store.users.delete(userId);
  // Revoke even when the user was already gone: a half-finished earlier delete leaves no session behind.
  await store.oidc.revokeByAccountId(userId);
  return deleted;
}
