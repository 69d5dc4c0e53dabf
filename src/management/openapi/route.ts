import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { ManagementScope } from '../../lib/management-scopes.ts';
import { requireScope } from '../auth.ts';
import { parseBody, parseQuery } from '../validation.ts';

/*
 * Adding or converting a route (mechanical):
 *   r.post('/', requireScope('x:y'), async (req, res) => { const b = parseBody(S, req.body); ... })
 * in a router mounted at '/things' becomes, in that resource's route list,
 *   route({ method: 'post', path: '/things', summary: '…', scopes: ['x:y'], body: S,
 *           responses: { 201: { description: '…', schema: ThingResponseSchema } },
 *           handler: async ({ req, res, body }) => { ... } })
 * (query: Q replaces parseQuery(Q, req.query); checks on the raw body go in prepareBody).
 * A new resource is one function `(ctx) => ManagementRoute[]` added to RESOURCES in router.ts.
 * test/e2e/openapi.test.ts fails while express mounts a route the document does not list.
 */

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** One documented answer of a route: a JSON body schema, or none (204). */
export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
}

/** What a handler gets: the request and response, and the query and body as their schemas parsed them. */
export interface RouteInput<Q, B> {
  req: Request;
  res: Response;
  query: Q;
  body: B;
}

/**
 * One Management API route, declared once: express mounts it from this (scopes, parsing,
 * handler) and the OpenAPI document describes it from this, so the two cannot drift.
 */
export interface RouteSpec<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: HttpMethod;
  /** Express path under /api/v2, e.g. `/clients/:id`. */
  path: string;
  summary: string;
  /** Every scope the token must hold, or 'public' (mounted before authentication: only the document itself). */
  scopes: readonly ManagementScope[] | 'public';
  query?: Q;
  body?: B;
  /** Runs on the raw body before `body` parses it (checks that need the body as sent). */
  prepareBody?: (raw: unknown) => unknown;
  /** Success answers by status; every route also documents the Auth0 error body as `default`. */
  responses: Readonly<Record<number, RouteResponse>>;
  handler: (input: RouteInput<Infer<Q>, Infer<B>>) => Promise<void> | void;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** A route with its types erased, as the registry keeps it. */
export type ManagementRoute = RouteSpec<z.ZodType | undefined, z.ZodType | undefined>;

/** Declares a route; the generic keeps the handler's query and body typed by their schemas. */
export function route<Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<Q, B>,
): ManagementRoute {
  return spec as unknown as ManagementRoute;
}

/** Mounts routes on a router: scope checks, then query and body parsing, then the handler. */
export function mountRoutes(routes: readonly ManagementRoute[]): Router {
  const r = Router();
  for (const spec of routes) {
    const scopes = spec.scopes === 'public' ? [] : spec.scopes;
    r[spec.method](spec.path, ...scopes.map((s) => requireScope(s)), async (req: Request, res: Response) => {
      const query = spec.query ? parseQuery(spec.query, req.query) : undefined;
      const raw: unknown = spec.prepareBody ? spec.prepareBody(req.body) : req.body;
      const body = spec.body ? parseBody(spec.body, raw) : undefined;
      await spec.handler({ req, res, query, body });
    });
  }
  return r;
}
