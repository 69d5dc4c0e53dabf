import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/load.ts';
import { deriveKey, type SecretBox } from '../lib/secrets.ts';
import { managementAudience, MANAGEMENT_SCOPES } from '../lib/management-scopes.ts';
import type { Store } from '../store/types.ts';
import { createFindAccount, SCOPE_CLAIMS } from './account.ts';
import { createAdapterFactory } from './adapter.ts';
import { writeBatch } from './write-batch.ts';
import type { SigningJwk } from './keys.ts';
import { loadFirstPartyGrant } from './grants.ts';
import { findClientGrant } from './grant-lookup.ts';
import { missingAudienceError, noGrantError } from './audience-hints.ts';
import { createPages } from './pages.ts';
import { cookieKeys } from './cookie-keys.ts';
import { AUTHORIZE_EXTRA_PARAMS, RAW_PARAMS, type ConnectionParamCheck } from './authorize-capture.ts';
import { keepOfflineAccess } from './offline-access.ts';
import { subscribeLogEvents } from './log-events.ts';
import type { LogSink } from '../lib/log-events.ts';

export interface ProviderDeps {
  config: Config;
  store: Store;
  box: SecretBox;
  jwks: SigningJwk[];
  /** Root of the id hash and cookie keys (stable across SECRETS_KEY rotations, see KeySet.stable_key_enc). */
  stableKey: Buffer;
  /** Checks the `connection` parameter of /authorize (exists, enabled for the client). */
  checkConnection: ConnectionParamCheck;
  /** Tenant logs: token exchanges and logouts (log-events.ts). */
  logs?: LogSink;
}

/** Auth0's endpoint paths. */
export const ROUTES = {
  authorization: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  revocation: '/oauth/revoke',
  end_session: '/oidc/logout',
} as const;

type JwtCustomizer = NonNullable<NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']>;

/** Auth0's shape for machine tokens: sub "<client_id>@clients", gty, azp (also used by the benchmark's baseline). */
export const auth0MachineTokenClaims: JwtCustomizer = async (_ctx, token, jwt) => {
  if (token.kind === 'ClientCredentials') {
    jwt.payload.sub = `${token.clientId}@clients`;
    jwt.payload['gty'] = 'client-credentials';
    jwt.payload['azp'] = token.clientId;
  }
};

/** Builds the oidc-provider instance: every model persisted through the Store. */
export function createProvider(deps: ProviderDeps): Provider {
  const { config, store, box } = deps;
  const mgmtAudience = managementAudience(config.issuer);
  const pages = createPages();
  // The store writes of each request go out together, before its response (write-batch.ts).
  const batch = writeBatch(store);

  const configuration: Configuration = {
    adapter: createAdapterFactory(store, box, deriveKey(deps.stableKey, 'oidc-ids'), batch),
    findAccount: createFindAccount(store),
    jwks: { keys: deps.jwks },
    routes: ROUTES,
    claims: SCOPE_CLAIMS,
    // Auth0 apps read profile claims from the id_token, not only from /userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // From the stable key, not SECRETS_KEY: rotating SECRETS_KEY must not sign every browser out.
    // Keygrip's signatures through imported keys and timingSafeEqual (cookie-keys.ts): same cookies, a fraction of the CPU.
    cookies: { keys: cookieKeys([deriveKey(deps.stableKey, 'cookies').toString('base64url')]) },
    extraClientMetadata: { properties: ['require_pkce', 'is_first_party', 'web_origins'] },
    extraParams: {
      ...AUTHORIZE_EXTRA_PARAMS,
      connection: async (ctx: KoaContextWithOIDC, value: string | undefined) => {
        if (value) await deps.checkConnection(value, ctx.oidc.client?.clientId ?? '');
      },
      // A validator runs whether or not its parameter is present: this one is a hook, not a check of RAW_PARAMS.
      [RAW_PARAMS]: keepOfflineAccess,
    },
    pkce: {
      required: (_ctx, client) => client.clientAuthMethod === 'none' || client.metadata()['require_pkce'] !== false,
    },
    clientBasedCORS: (_ctx, origin, client) => {
      const origins = client.metadata()['web_origins'];
      return Array.isArray(origins) && origins.includes(origin);
    },
    features: {
      devInteractions: { enabled: false },
      // Pushed requests would skip the /authorize parameter capture (connection, audience, authParamsMap sources).
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx, _client, oneOf) => {
          if (oneOf) return oneOf;
          // A machine token for no audience would be useless: say which one to ask for.
          if ((ctx.oidc.params as { grant_type?: string } | undefined)?.grant_type === 'client_credentials') throw missingAudienceError(mgmtAudience);
          return undefined;
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource, client) => {
          const grant = await findClientGrant(store, ctx.req, client.clientId, resource);
          if (!grant) throw noGrantError(resource, mgmtAudience);
          const isMgmt = resource === mgmtAudience;
          const grantType = (ctx.oidc.params as { grant_type?: string } | undefined)?.grant_type;
          if (isMgmt && grantType !== 'client_credentials') {
            // Management API tokens belong to machines: a user's login must never carry admin scopes.
            throw new errors.InvalidTarget('the Management API audience is only available to the client credentials grant');
          }
          const allowed = isMgmt ? grant.scope.filter((s) => (MANAGEMENT_SCOPES as readonly string[]).includes(s)) : grant.scope;
          const params = ctx.oidc.params as { grant_type?: string; scope?: string } | undefined;
          if (params?.grant_type === 'client_credentials' && params.scope) {
            // Like Auth0: asking for scopes the grant lacks is an error, not a silently narrower token.
            const missing = params.scope.split(' ').filter((s) => s && !allowed.includes(s));
            if (missing.length) throw new errors.InvalidScope(`client has not been granted scopes: ${missing.join(', ')}`, missing.join(' '));
          }
          return {
            audience: resource,
            scope: allowed.join(' '),
            accessTokenFormat: 'jwt',
            accessTokenTTL: isMgmt ? config.MGMT_TOKEN_TTL : config.ACCESS_TOKEN_TTL,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    formats: { customizers: { jwt: auth0MachineTokenClaims } },
    loadExistingGrant: loadFirstPartyGrant,
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    interactions: { url: async (_ctx, interaction) => `/login/${interaction.uid}` },
    renderError: pages.renderError,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ACCESS_TOKEN_TTL,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      IdToken: config.ID_TOKEN_TTL,
      RefreshToken: config.REFRESH_TOKEN_TTL,
      Interaction: config.LOGIN_TTL + 60,
      Session: 14 * 24 * 3600,
      Grant: config.REFRESH_TOKEN_TTL,
    },
  };
  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.TRUST_PROXY;
  provider.use((ctx, next) => batch.middleware(ctx, next));
  if (deps.logs) subscribeLogEvents(provider, deps.logs);
  return provider;
}
