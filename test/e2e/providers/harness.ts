/**
 * Shared setup of the provider tests: our server, one registered app, connections created
 * through the Management API from the documented bodies (configs.ts) with only their hosts
 * pointed at loopback emulators, and a full browser login ending in a verified id_token.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import { authorizationRequest, registerApp, type TestApp } from '../../support/app.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { UserAgent, type Page } from '../../support/user-agent.ts';
import { APP_CLIENT_ID, type ConnectionBody, type ConnectionOptions } from './configs.ts';

export interface Harness {
  srv: TestServer;
  app: TestApp;
  /** Our callback URL: what an admin registers at the provider. */
  callback: string;
  close(): Promise<void>;
}

/** Starts our server and registers one regular web app. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const srv = await startTestServer(env);
  const app = await registerApp(srv);
  return { srv, app, callback: `${srv.issuer}login/callback`, close: () => srv.close() };
}

/** What every emulator is started with: the documented client and our callback. */
export interface EmulatorRegistration { clientId: string; clientSecret: string; redirectUris: string[] }

/** A provider test's parts: the harness (its close stops the emulator too), the emulator, the host swaps. */
export interface ProviderSetup<U> { h: Harness; up: U; swaps: Swap[] }

/**
 * The setup every provider test shares: our server and app, the emulator registered with the
 * first documented body's credentials and our callback, and each documented body created
 * with its hosts swapped for the emulator's.
 */
export async function startProvider<U extends { close(): Promise<void> }>(bodies: readonly ConnectionBody[],
  start: (registration: EmulatorRegistration) => Promise<U>, swapsOf: (up: U) => Swap[]): Promise<ProviderSetup<U>> {
  const harness = await startHarness();
  const { client_id, client_secret } = bodies[0]!.options;
  const up = await start({ clientId: client_id, clientSecret: client_secret, redirectUris: [harness.callback] });
  const h: Harness = { ...harness, close: async () => { await up.close(); await harness.close(); } };
  const swaps = swapsOf(up);
  for (const body of bodies) await connect(h, body, swaps);
  return { h, up, swaps };
}

/** A text replacement [real, loopback] applied to every string of a documented body. */
export type Swap = readonly [from: string, to: string];

/**
 * The documented body with real hosts replaced by emulator addresses (and the app's id in
 * enabled_clients). Every `from` must occur, so no real host can be left behind unnoticed.
 */
export function retarget(body: ConnectionBody, swaps: readonly Swap[], appClientId: string): ConnectionBody {
  const all: Swap[] = [...swaps, [APP_CLIENT_ID, appClientId]];
  const used = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return all.reduce((s, [from, to]) => {
        if (!s.includes(from)) return s;
        used.add(from);
        return s.replaceAll(from, to);
      }, v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(body) as ConnectionBody;
  const unused = all.filter(([from]) => !used.has(from)).map(([from]) => from);
  if (unused.length) throw new Error(`retarget: ${unused.join(', ')} not found in connection ${body.name}`);
  return out;
}

/** A copy of a documented body under another name with some options changed (a misconfiguration). */
export function variant(body: ConnectionBody, name: string, edit: (o: ConnectionOptions) => ConnectionOptions): ConnectionBody {
  const copy = structuredClone(body);
  return { ...copy, name, options: edit(copy.options) };
}

/** POST /api/v2/connections with the body retargeted; throws with the API's answer on failure. */
export async function connect(h: Harness, body: ConnectionBody, swaps: readonly Swap[]): Promise<void> {
  const res = await h.srv.api('/connections', { method: 'POST', body: retarget(body, swaps, h.app.clientId) });
  if (res.status !== 201) throw new Error(`cannot create connection ${body.name}: ${JSON.stringify(res.body)}`);
}

export interface SignIn {
  /** The id_token's claims, verified against the server's JWKS, issuer and audience. */
  claims?: JWTPayload;
  /** error / error_description the app received at its redirect_uri. */
  error?: string | null;
  description?: string | null;
  /** The page the browser stopped at when the flow never came back to the app (a provider's error page). */
  page?: Page;
  ua: UserAgent;
}

const jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** Runs the browser from the app's /authorize (with `params`, e.g. connection) to the app; redeems the code. */
export async function signIn(h: Harness, params: Record<string, string>): Promise<SignIn> {
  const { app, srv } = h;
  const ua = new UserAgent();
  const { url, verifier, state } = await authorizationRequest(app, params);
  const { stoppedAt, page } = await ua.follow(url, app.redirectUri);
  if (!stoppedAt) return { ua, ...(page ? { page } : {}) };
  const callback = new URL(stoppedAt);
  const error = callback.searchParams.get('error');
  if (error) return { ua, error, description: callback.searchParams.get('error_description') };
  const tokens = await client.authorizationCodeGrant(app.config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  if (!tokens.id_token) throw new Error('no id_token');
  let keys = jwks.get(srv.issuer);
  if (!keys) jwks.set(srv.issuer, keys = createRemoteJWKSet(new URL(`${srv.issuer}.well-known/jwks.json`)));
  const { payload } = await jwtVerify(tokens.id_token, keys, { issuer: srv.issuer, audience: app.clientId });
  return { ua, claims: payload };
}

/** The user record as the Management API shows it. */
export async function userOf(h: Harness, sub: string | undefined): Promise<Record<string, unknown>> {
  const res = await h.srv.api(`/users/${encodeURIComponent(sub ?? '')}`);
  if (res.status !== 200) throw new Error(`no user ${sub}: ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}
