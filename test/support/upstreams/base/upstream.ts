/** Assembles an emulator from provider data: options, default user, token prefixes and routes. */
import { Grants } from './grants.ts';
import type { GrantsConfig } from './grants.ts';
import { serve } from './http.ts';
import type { Route, ServeOptions } from './http.ts';
import type { CommonOptions, Faults, Profile, RecordedRequest, Role, Upstream } from './types.ts';

/** What a provider's handlers see of the running emulator. */
export interface Core {
  readonly options: CommonOptions;
  readonly grants: Grants;
  readonly users: Map<string, Profile>;
  readonly faults: Faults;
  /** Id of the user the next authorization signs in. */
  currentUserId(): string;
  /** A known user; throws for an unknown id (an emulator bug, not a client error). */
  user(id: string): Profile;
  /** Base URL once listening. */
  url(): string;
}

export interface ProviderDef<X extends object> {
  options: CommonOptions;
  /** Field of the profile holding the provider's user id. */
  idField: string;
  defaultUser: Profile;
  codeTtlMs: number;
  accessTtlSeconds: number;
  prefixes: GrantsConfig['prefixes'];
  routes(core: Core): Route[];
  tenant?(core: Core): NonNullable<ServeOptions['tenant']>;
  /** Provider-specific helpers added to the Upstream object ({} when none). */
  extend(core: Core): X;
}

/** Starts the emulator a provider describes. */
export async function startUpstream<X extends object>(def: ProviderDef<X>): Promise<Upstream & X> {
  const { options, idField } = def;
  const grants = new Grants({
    codeTtlMs: options.codeTtlMs ?? def.codeTtlMs,
    accessTtlSeconds: options.accessTokenTtlSeconds ?? def.accessTtlSeconds,
    prefixes: def.prefixes,
  });
  const users = new Map<string, Profile>();
  const faults: Faults = { ...options.faults };
  const requests: RecordedRequest[] = [];
  let current = '';
  let base = '';
  const signInAs = (user: Profile): void => {
    const id = user[idField];
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`user needs a string or number "${idField}"`);
    users.set(String(id), user);
    current = String(id);
  };
  signInAs({ ...def.defaultUser, ...options.user });
  const core: Core = {
    options, grants, users, faults,
    currentUserId: () => current,
    user: (id) => {
      const u = users.get(id);
      if (!u) throw new Error(`emulator has no user ${id}`);
      return u;
    },
    url: () => base,
  };
  const served = await serve({ routes: def.routes(core), faults, requests, ...(def.tenant ? { tenant: def.tenant(core) } : {}) });
  base = served.url;
  const last = (role: Role) => requests.findLast((r) => r.role === role);
  const upstream: Upstream = {
    url: served.url,
    port: served.port,
    requests, users, faults,
    codesIssued: grants.codes,
    tokensIssued: grants.tokens,
    get lastAuthorize() { return last('authorize'); },
    get lastToken() { return last('token'); },
    get lastProfile() { return last('profile'); },
    signInAs,
    advanceTime: (ms) => { grants.offsetMs += ms; },
    close: served.close,
  };
  return Object.assign(upstream, def.extend(core));
}
