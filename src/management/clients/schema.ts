import { z } from 'zod';
import { isSupportedGrantType, SUPPORTED_GRANT_TYPES } from '../../lib/grant-types.ts';

/** An absolute URL without fragment (custom schemes allowed for native apps, as in Auth0). */
const absoluteUrl = z.string().max(2048).refine((v) => {
  try {
    const u = new URL(v);
    return !u.hash && u.protocol.length > 1;
  } catch {
    return false;
  }
}, { message: 'must be an absolute URL without a #fragment' });

const origin = z.string().max(2048).refine((v) => {
  try {
    const u = new URL(v);
    return u.origin === v.replace(/\/$/, '') && (u.protocol === 'https:' || u.protocol === 'http:');
  } catch {
    return false;
  }
}, { message: 'must be an origin such as https://app.example.com (scheme, host and optional port, no path)' });

const grantType = z.string().refine(isSupportedGrantType, {
  message: `unsupported grant type: this server supports ${SUPPORTED_GRANT_TYPES.join(', ')} (no implicit or password grant)`,
});

/** Body of POST /api/v2/clients (Auth0 field names; `require_pkce` is this server's addition). */
export const ClientCreateSchema = z.strictObject({
  name: z.string().min(1).max(255).regex(/^[^<>]*$/, { message: 'must not contain < or >' }),
  description: z.string().max(140).optional(),
  app_type: z.enum(['native', 'spa', 'regular_web', 'non_interactive']).optional(),
  is_first_party: z.boolean().optional(),
  callbacks: z.array(absoluteUrl).max(100).optional(),
  allowed_logout_urls: z.array(absoluteUrl).max(100).optional(),
  allowed_origins: z.array(origin).max(100).optional(),
  web_origins: z.array(origin).max(100).optional(),
  grant_types: z.array(grantType).max(10).optional(),
  token_endpoint_auth_method: z.enum(['none', 'client_secret_post', 'client_secret_basic']).optional(),
  require_pkce: z.boolean().optional(),
  client_metadata: z
    .record(z.string().min(1).max(255), z.string().max(255))
    .refine((m) => Object.keys(m).length <= 10, { message: 'at most 10 keys' })
    .optional(),
});

/** Body of PATCH /api/v2/clients/:id: any subset of the create fields. */
export const ClientUpdateSchema = ClientCreateSchema.partial();

export type ClientCreate = z.infer<typeof ClientCreateSchema>;
export type ClientUpdate = z.infer<typeof ClientUpdateSchema>;

/** A client as the API answers it; `client_secret` only right after create or rotate, the sealed secret never. */
export const ClientResponseSchema = z.strictObject({
  client_id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  app_type: ClientCreateSchema.shape.app_type.unwrap(),
  is_first_party: z.boolean(),
  callbacks: z.array(z.string()),
  allowed_logout_urls: z.array(z.string()),
  allowed_origins: z.array(z.string()),
  web_origins: z.array(z.string()),
  grant_types: z.array(z.string()),
  token_endpoint_auth_method: ClientCreateSchema.shape.token_endpoint_auth_method.unwrap(),
  require_pkce: z.boolean(),
  client_metadata: z.record(z.string(), z.string()),
  client_secret: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  global: z.literal(false),
  oidc_conformant: z.literal(true),
  jwt_configuration: z.strictObject({ alg: z.literal('RS256') }),
});
