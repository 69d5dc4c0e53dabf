import type { UrlPolicy } from '../connections/options.ts';
import type { Refresher } from '../connections/refresh.ts';
import type { ScriptRunner } from '../sandbox/types.ts';
import type { ManagementRoute } from './openapi/route.ts';
import type { ManagementServices } from './services.ts';

/** What the Management API takes from the connections engine (wired in features.ts). */
export interface ManagementFeatures {
  /** Refreshes one identity's upstream access token (POST /users/:id/identities/:connection/refresh). */
  refresh: Refresher;
  /** The upstream URL policy connection bodies are checked against. */
  urlPolicy: UrlPolicy;
  /** Compiles a script in the sandbox without running it, for the save-time check of options.scripts. */
  checkScript: ScriptRunner['check'];
}

/** Everything a Management API resource is built from: routes call these services, never the store. */
export interface ManagementContext {
  services: ManagementServices;
  urlPolicy: UrlPolicy;
}

/** One Management API resource: its declared routes, built from the shared context and mounted by router.ts. */
export type ManagementResource = (ctx: ManagementContext) => ManagementRoute[];
