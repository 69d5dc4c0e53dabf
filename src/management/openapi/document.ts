import { z } from 'zod';
import { managementAudience } from '../../lib/management-scopes.ts';
import type { ManagementRoute } from './route.ts';
import { ErrorBodySchema } from './responses.ts';

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12: requests as clients send them (`input`), answers as sent (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Refinements (URL checks, metadata limits) have no JSON Schema form: the schema stays a superset of what is accepted.
  const { $schema: _dialect, ...out } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  return out;
}

/** `/users/:id/logs` -> `/users/{id}/logs`, the OpenAPI spelling of an express path. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? '');

/** A stable operationId: `patch /users/:id/identities` -> `patchUsersIdIdentities`. */
function operationId(route: ManagementRoute): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1));
  return `${route.method}${words.join('')}`;
}

function queryParams(route: ManagementRoute): JsonSchema[] {
  if (!route.query) return [];
  const schema = jsonSchema(route.query, 'input');
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }));
}

function operation(route: ManagementRoute): JsonSchema {
  const scopes = route.scopes === 'public' ? [] : [...route.scopes];
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : {}) };
  }
  responses['default'] = { description: 'An error in Auth0\'s shape', content: { 'application/json': { schema: jsonSchema(ErrorBodySchema, 'output') } } };
  return {
    operationId: operationId(route),
    summary: route.summary,
    security: route.scopes === 'public' ? [] : [{ bearer: scopes }],
    'x-scopes': scopes,
    parameters: [
      ...pathParams(route.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...queryParams(route),
    ],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the Management API, built from the same route declarations express mounts. */
export function openApiDocument(routes: readonly ManagementRoute[], issuer: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'brokerid Management API',
      version: '2',
      description: 'Auth0-compatible Management API v2. Every operation needs a client-credentials token for the audience '
        + `${managementAudience(issuer)} holding the scopes listed in its security requirement (also as x-scopes).`,
    },
    servers: [{ url: `${issuer}api/v2` }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `A client-credentials access token for ${managementAudience(issuer)}` },
      },
    },
    paths,
  };
}
