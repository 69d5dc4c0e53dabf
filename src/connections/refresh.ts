import type { EgressPolicy } from '../lib/egress.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import { openIdentityToken, sealIdentityTokens } from '../users/identity-tokens.ts';
import type { RefreshUnavailableReason } from './error-codes.ts';
import type { Refresher } from './types.ts';
import { ConnectionError } from './errors.ts';
import type { EngineOptions } from './engine-options.ts';
import { requestTokens } from './upstream-token.ts';
import { refreshUrl } from './upstream-urls.ts';

// The Management API takes the refresher's type from here, next to the refresher itself.
export type { Refresher } from './types.ts';

export interface RefresherDeps {
  store: Store;
  box: SecretBox;
  egress: EgressPolicy;
  callbackURL: string;
  optionsOf: (connection: ConnectionRecord) => EngineOptions;
}

/** Why a refresh cannot even start; the route that answers chooses the status for each reason. */
export class RefreshUnavailable extends Error {
  readonly reason: RefreshUnavailableReason;
  constructor(reason: RefreshUnavailableReason, message: string) {
    super(message);
    this.name = 'RefreshUnavailable';
    this.reason = reason;
  }
}

/**
 * Refreshes a user's upstream access token with the stored refresh token, through the same
 * engine (client authentication and every quirk) at refreshURL or tokenURL, and stores the
 * new tokens sealed. Provider failures are ConnectionErrors that name the fix.
 */
export function createRefresher(deps: RefresherDeps): Refresher {
  return async (userId, connectionName) => {
    const user = await deps.store.users.get(userId);
    if (!user) throw new RefreshUnavailable('user_not_found', `User not found: no user has user_id ${JSON.stringify(userId)}`);
    const identity = user.identities.find((i) => i.connection === connectionName);
    if (!identity) throw new RefreshUnavailable('identity_not_found', `the user has no identity at connection "${connectionName}"`);
    const connection = await deps.store.connections.getByName(connectionName);
    if (!connection) throw new RefreshUnavailable('connection_not_found', `connection "${connectionName}" no longer exists`);
    const refreshToken = openIdentityToken(deps.box, identity, 'refresh_token');
    if (!refreshToken) {
      throw new RefreshUnavailable('no_refresh_token', `no upstream refresh token is stored for this identity: the provider issued none at login ` +
        `(many providers need an offline scope or parameter, e.g. scope offline_access or access_type=offline)`);
    }
    const options = deps.optionsOf(connection);
    const url = refreshUrl(connection.name, options, identity.connection_vars ?? {}, deps.egress);
    const tokens = await requestTokens({
      connection: connection.name, options, url, redirectUri: deps.callbackURL, egress: deps.egress,
      grant: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    // A provider that does not rotate keeps the old refresh token valid: keep it.
    const sealed = sealIdentityTokens(deps.box, identity, { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken });
    if (!(await deps.store.users.updateIdentityTokens(userId, connection.name, sealed))) {
      throw new ConnectionError('identity_gone', `the user or its identity at "${connection.name}" was removed during the refresh`);
    }
    return {
      access_token: tokens.accessToken,
      ...(tokens.expiresIn !== undefined ? { expires_in: tokens.expiresIn } : {}),
      ...(tokens.tokenType ? { token_type: tokens.tokenType } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
      refresh_token_rotated: !!tokens.refreshToken && tokens.refreshToken !== refreshToken,
    };
  };
}

