import { AppError } from '../errors/app-error.ts';
import type { UserService } from '../management/users/service.ts';

/** The users service method PATCH /users/:id will add (issue 10); absent on this branch's base. */
type WithUpdate = UserService & { updateUser?: (id: string, patch: { blocked: boolean }) => Promise<unknown> };

/**
 * Blocks or unblocks a user through the users service's update — the one adapter between the
 * console and that method, so the console never writes a user itself. Until the service has
 * it, the answer says so (501) and nothing changes.
 */
export async function setBlocked(users: UserService, userId: string, blocked: boolean): Promise<void> {
  const update = (users as WithUpdate).updateUser;
  if (!update) {
    throw new AppError(501, 'not_available', 'Blocking needs the users service\'s updateUser (PATCH /api/v2/users/:id), which this server does not have yet; nothing was changed.');
  }
  await update.call(users, userId, { blocked });
}
