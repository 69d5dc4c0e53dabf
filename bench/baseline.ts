import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type Configuration } from 'oidc-provider';
import { auth0MachineTokenClaims } from '../src/oidc/provider.ts';

/**
 * The baseline: plain oidc-provider in one process, its built-in in-memory adapter, static
 * clients, and an interaction that signs a user in at once (no upstream, no store, no
 * sandbox). Configured like our server where it matters for cost: Auth0's paths, PKCE,
 * RS256 with a 2048-bit key, profile claims in the id_token, and for client credentials
 * the same JWT access token (audience, scope, Auth0's sub/gty/azp claims).
 *
 * Env: PORT, plus BENCH_CLIENT_ID/SECRET, BENCH_REDIRECT_URI, BENCH_M2M_ID/SECRET,
 * BENCH_AUDIENCE, BENCH_SCOPE. Prints `{"listening":port}` on stdout when ready.
 */

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`baseline: ${name} is required`);
  return value;
};
const port = Number(process.env['PORT'] ?? 0);
const audience = env('BENCH_AUDIENCE');
const apiScope = env('BENCH_SCOPE');
const USERS = 100;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(12).toString('base64url'), alg: 'RS256', use: 'sig' };

const configuration: Configuration = {
  clients: [
    {
      client_id: env('BENCH_CLIENT_ID'), client_secret: env('BENCH_CLIENT_SECRET'), redirect_uris: [env('BENCH_REDIRECT_URI')],
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post',
    },
    {
      client_id: env('BENCH_M2M_ID'), client_secret: env('BENCH_M2M_SECRET'), redirect_uris: [],
      grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [jwk] },
  routes: { authorization: '/authorize', token: '/oauth/token', userinfo: '/userinfo', jwks: '/.well-known/jwks.json', revocation: '/oauth/revoke', end_session: '/oidc/logout' },
  claims: { openid: ['sub'], profile: ['name', 'family_name', 'given_name', 'nickname', 'picture', 'updated_at'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, name: `Bench User ${sub}`, given_name: 'Bench', family_name: `User ${sub}`, email: `${sub}@bench.example`, email_verified: true, updated_at: 1 }),
  }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource !== audience) throw new errors.InvalidTarget();
        return { audience, scope: apiScope, accessTokenFormat: 'jwt', accessTokenTTL: 86_400, jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  // The very same claims as ours, so both sides sign the same JWT.
  formats: { customizers: { jwt: auth0MachineTokenClaims } },
  interactions: { url: async (_ctx, interaction) => `/login/${interaction.uid}` },
  ttl: {
    AccessToken: 86_400, ClientCredentials: 86_400, AuthorizationCode: 60, IdToken: 36_000,
    Interaction: 660, Session: 14 * 24 * 3600, Grant: 2_592_000, RefreshToken: 2_592_000,
  },
};

const provider = new Provider(`http://127.0.0.1:${port}/`, configuration);

// The interaction: sign a user in at once and grant what the app asked for.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'GET' || !/^\/login\/[\w-]+$/.test(ctx.path)) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = `u${Math.floor(Math.random() * USERS)}`;
  const grant = new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
  grant.addOIDCScope(String(details.params['scope'] ?? 'openid'));
  const grantId = await grant.save();
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId }, consent: { grantId } });
  ctx.status = 303;
  ctx.redirect(returnTo);
});

const server = createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
