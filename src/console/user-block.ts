import type { UserService } from '../management/users/service.ts';

/**
 * Blocks or unblocks a user through the users service's update (the same code PATCH
 * /api/v2/users/:id runs: validation, ending the sessions of a blocked user), so the console
 * never writes a user itself.
 */
export async function setBlocked(users: UserService, userId: string, blocked: boolean): Promise<void> {
  await users.update(userId, { blocked });
}
