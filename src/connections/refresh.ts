import type { EgressPolicy } from '../lib/egress.ts';
import type { SecretBox } from '../lib/secrets.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import { openIdentityToken, sealIdentityTokens } from '../users/identity-tokens.ts';
import { renderUrl } from './authorize-params.ts';
import { ConnectionError } from './errors.ts';
import type { OAuth2Options } from './options.ts';
import { requestTokens } from './token-request.ts';

/** A fresh upstream access token, as the Management API returns it. */
export interface RefreshedToken {
  access_token: string;
  expires_in?: number;
  token_type?: string;
  scope?: string;
  /** True when the provider rotated the refresh token (the new one is stored, never returned). */
  refresh_token_rotated: boolean;
}

export interface RefresherDeps {
  store: Store;
  box: SecretBox;
  egress: EgressPolicy;
  callbackURL: string;
  optionsOf: (connection: ConnectionRecord) => OAuth2Options;
}

/** Why a refresh cannot even start: the Management API answers these with 404/409. */
export class RefreshUnavailable extends Error {
  readonly status: 404 | 409;
  constructor(status: 404 | 409, message: string) {
    super(message);
    this.name = 'RefreshUnavailable';
    this.status = status;
  }
}

/**
 * Refreshes a user's upstream access token with the stored refresh token, through the same
 * engine (client authentication and every quirk) at refreshURL or tokenURL, and stores the
 * new tokens sealed. Provider failures are ConnectionErrors that name the fix.
 */
export function createRefresher(deps: RefresherDeps) {
  return async (userId: string, connectionName: string): Promise<RefreshedToken> => {
    const user = await deps.store.users.get(userId);
    if (!user) throw new RefreshUnavailable(404, `User not found: no user has user_id ${JSON.stringify(userId)}`);
    const identity = user.identities.find((i) => i.connection === connectionName);
    if (!identity) throw new RefreshUnavailable(404, `the user has no identity at connection "${connectionName}"`);
    const connection = await deps.store.connections.getByName(connectionName);
    if (!connection) throw new RefreshUnavailable(404, `connection "${connectionName}" no longer exists`);
    const refreshToken = openIdentityToken(deps.box, userId, identity, 'refresh_token');
    if (!refreshToken) {
      throw new RefreshUnavailable(409, `no upstream refresh token is stored for this identity: the provider issued none at login ` +
        `(many providers need an offline scope or parameter, e.g. scope offline_access or access_type=offline)`);
    }
    const options = deps.optionsOf(connection);
    const template = options.refreshURL ?? options.tokenURL;
    const url = renderUrl(connection.name, options.refreshURL ? 'refreshURL' : 'tokenURL', template, identity.connection_vars ?? {},
      deps.egress);
    const tokens = await requestTokens({
      connection: connection.name, options, url, redirectUri: deps.callbackURL, egress: deps.egress,
      grant: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    // A provider that does not rotate keeps the old refresh token valid: keep it.
    const sealed = sealIdentityTokens(deps.box, userId, connection.name, { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken });
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

export type Refresher = ReturnType<typeof createRefresher>;
