import { errors } from 'oidc-provider';
import type { Store } from '../store/types.ts';
import type { NextFunction, Request, Response } from 'express';

/** Checks `connection` on /authorize; throws oidc-provider's InvalidRequest to reject it. */
export type ConnectionParamCheck = (name: string, clientId: string) => Promise<void>;

/**
 * The parameter that carries every /authorize parameter as the app sent it. oidc-provider
 * drops parameters it does not know, but a connection's `authParamsMap` may copy any of
 * them to the upstream provider, so the whole set travels into the interaction here.
 */
export const RAW_PARAMS = 'x_authorize_params';

/** Parameters oidc-provider must let through to the interaction (besides `connection`). */
export const AUTHORIZE_EXTRA_PARAMS = {
  connection_scope: null,
  audience: null,
  [RAW_PARAMS]: null,
};

const MAX_RAW_LENGTH = 8192;

function capture(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === RAW_PARAMS) continue;
    if (typeof value === 'string') out[key] = value;
  }
  // Auth0's `audience` is the standard `resource` indicator.
  if (out['audience'] && !out['resource']) out['resource'] = out['audience'];
  return out;
}

/** Express middleware for GET/POST /authorize: fills RAW_PARAMS (replacing any sent by the caller). */
export function captureAuthorizeParams(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'GET') {
    const q = req.url.indexOf('?');
    const sent = q < 0 ? '' : req.url.slice(q + 1);
    const search = new URLSearchParams(sent);
    const params = capture(Object.fromEntries(search));
    const raw = JSON.stringify(params);
    // The query as sent, with ours appended: re-serializing all of it cost more than the rest of this function.
    // Only a caller's own RAW_PARAMS forces the rebuild (it must never reach the interaction).
    let query = search.has(RAW_PARAMS) ? (search.delete(RAW_PARAMS), search.toString()) : sent;
    const added = new URLSearchParams();
    if (params['resource'] && !search.has('resource')) added.set('resource', params['resource']);
    if (raw.length <= MAX_RAW_LENGTH) added.set(RAW_PARAMS, raw);
    const extra = added.toString();
    if (extra) query = query ? `${query}&${extra}` : extra;
    req.url = `${q < 0 ? req.url : req.url.slice(0, q)}?${query}`;
  } else if (req.method === 'POST' && req.body && typeof req.body === 'object') {
    const body = req.body as Record<string, unknown>;
    const params = capture(body);
    delete body[RAW_PARAMS];
    if (params['resource'] && body['resource'] === undefined) body['resource'] = params['resource'];
    const raw = JSON.stringify(params);
    if (raw.length <= MAX_RAW_LENGTH) body[RAW_PARAMS] = raw;
  }
  next();
}

/** Reads RAW_PARAMS back from an interaction's params. */
export function authorizeParams(params: Record<string, unknown>): Record<string, string> {
  const raw = params[RAW_PARAMS];
  if (typeof raw !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The /authorize check of `connection`: it must exist and be enabled for the client (else
 * invalid_request to the app). `reachesEvery` names a client that may name any connection
 * (the console's tester, whose logins the broker itself only lets through as tries).
 */
export function connectionParamCheck(store: Store, reachesEvery: (clientId: string) => boolean = () => false): ConnectionParamCheck {
  return async (name, clientId) => {
    const connection = await store.connections.getByName(name);
    if (!connection) throw new errors.InvalidRequest(`connection "${name}" does not exist`);
    if (!connection.enabled_clients.includes(clientId) && !reachesEvery(clientId)) {
      throw new errors.InvalidRequest(`connection "${name}" is not enabled for client "${clientId}"`);
    }
  };
}
