import type { Refresher } from '../../connections/refresh.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secrets.ts';
import type { IdentityRecord, ListOptions, ListResult, Store, UserFilter, UserRecord } from '../../store/types.ts';
import type { LogSink } from '../../logs/types.ts';
import { deleteUser, type DeletedBy } from '../../users/delete.ts';
import { missing } from '../not-found.ts';
import { openIdentityTokens } from './idp-tokens.ts';
import { linkUsers, unlinkIdentity } from './linking.ts';
import type { LinkRequest, UserPatch } from './schema.ts';
import { updateUser } from './update.ts';

export interface UserServiceDeps { store: Store; box: SecretBox; logger: Logger; refresh: Refresher; logs: LogSink }

/** Reading and deleting the users logins created, and their upstream tokens. */
export function createUserService(deps: UserServiceDeps) {
  const { store } = deps;
  return {
    /** One page of users matching the filter. */
    list: (filter: UserFilter, options: ListOptions): Promise<ListResult<UserRecord>> => store.users.list(filter, options),

    /** The user with this id; 404 when there is none. */
    async get(userId: string): Promise<UserRecord> {
      const found = await store.users.get(userId);
      if (!found) throw missing.user(userId);
      return found;
    },

    /** PATCH: metadata merge, blocked, editable root attributes (update.ts). */
    update: (userId: string, patch: UserPatch): Promise<UserRecord> => updateUser(store, userId, patch),

    /** Links the secondary user the body names into this one (linking.ts); resolves the primary. */
    link: (primaryId: string, body: LinkRequest): Promise<UserRecord> => linkUsers(store, primaryId, body),

    /** Unlinks one identity into a user of its own (linking.ts); resolves the remaining user. */
    unlink: (userId: string, provider: string, identityUserId: string): Promise<UserRecord> => unlinkIdentity(store, userId, provider, identityUserId),

    /** Deletes the user and ends their sessions and tokens (users/delete.ts). */
    async delete(userId: string, by: DeletedBy = {}): Promise<void> {
      if (!(await deleteUser(store, deps.logs, userId, by))) throw missing.user(userId);
    },

    /** A fresh upstream access token for one identity, from its stored refresh token. */
    refresh: deps.refresh,

    /** One identity's upstream tokens, opened (a value that does not open is left out and logged). */
    identityTokens: (userId: string, identity: IdentityRecord): Record<string, unknown> => openIdentityTokens(userId, identity, deps.box, deps.logger),
  };
}

export type UserService = ReturnType<typeof createUserService>;
