import { OpenApiDocumentSchema } from './responses.ts';
import { route, type ManagementRoute } from './route.ts';

/**
 * GET /api/v2/openapi.json, without a token: the document describes the API (as the README
 * does) and holds no tenant data, so tools can read it before they have credentials.
 */
export function openApiRoute(document: () => Record<string, unknown>): ManagementRoute {
  return route({
    method: 'get', path: '/openapi.json', summary: 'This OpenAPI 3.1 document (no token needed)', scopes: 'public',
    responses: { 200: { description: 'The OpenAPI document of the Management API', schema: OpenApiDocumentSchema } },
    handler: ({ res }) => {
      res.json(document());
    },
  });
}
