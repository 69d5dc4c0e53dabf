import { z } from 'zod';
import { oauth2OptionsSchema, type UrlPolicy } from '../../connections/options.ts';
import { boundedJson, OPTIONS_BOUNDS } from '../../lib/json-bounds.ts';
import { ListQuerySchema } from '../paging.ts';

/** Auth0's rule for connection names: letters and digits, single dashes between them. */
const NAME = /^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$/;
export const SUPPORTED_STRATEGIES = ['oauth2'] as const;

const name = z.string().min(1).max(128, { message: 'at most 128 characters' })
  .regex(NAME, { message: 'must start and end with a letter or digit and contain only letters, digits and single dashes' });
const strategy = z.string().refine((s) => (SUPPORTED_STRATEGIES as readonly string[]).includes(s), {
  message: `only "oauth2" is supported by this server (custom social connections)`,
});
const displayName = z.string().min(1).max(128, { message: 'at most 128 characters' });
const clientIds = z.array(z.string().min(1).max(128)).max(1000);
const realms = z.array(z.string().min(1).max(255)).max(100);
const metadata = z.record(z.string().min(1).max(255), z.string().max(255, { message: 'at most 255 characters' }))
  .refine((m) => Object.keys(m).length <= 10, { message: 'at most 10 keys' });

/** Body schemas for one URL policy (ALLOW_INSECURE_UPSTREAMS decides whether http:// is allowed). */
export function connectionSchemas(policy: UrlPolicy) {
  // Unknown option keys are kept (as Auth0 keeps them), so their depth and size are bounded before anything else.
  const options = boundedJson(oauth2OptionsSchema(policy), OPTIONS_BOUNDS);
  const create = z.strictObject({
    name,
    display_name: displayName.optional(),
    strategy,
    options,
    enabled_clients: clientIds.optional(),
    realms: realms.optional(),
    is_domain_connection: z.boolean().optional(),
    show_as_button: z.boolean().optional(),
    metadata: metadata.optional(),
  });
  const update = z.strictObject({
    // A null display_name removes it (omitting it keeps the stored one).
    display_name: displayName.nullable().optional(),
    options: options.optional(),
    enabled_clients: clientIds.optional(),
    realms: realms.optional(),
    is_domain_connection: z.boolean().optional(),
    show_as_button: z.boolean().optional(),
    metadata: metadata.optional(),
  });
  return { create, update };
}

export type ConnectionCreate = z.infer<ReturnType<typeof connectionSchemas>['create']>;
export type ConnectionUpdate = z.infer<ReturnType<typeof connectionSchemas>['update']>;

/** Body of PATCH /connections/:id/clients. */
export const ClientStatusSchema = z.array(z.strictObject({ client_id: z.string().min(1).max(128), status: z.boolean() }))
  .max(50, { message: 'at most 50 items per request' })
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.client_id)) ctx.addIssue({ code: 'custom', path: [i, 'client_id'], message: `${item.client_id} appears more than once` });
      seen.add(item.client_id);
    });
  });

const repeatable = z.union([z.string().max(128), z.array(z.string().max(128)).max(20)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** Query of GET /connections: paging, field selection, `strategy` (repeatable) and `name`. */
export const ConnectionListQuerySchema = ListQuerySchema.extend({
  strategy: repeatable.optional(),
  name: z.string().max(128).optional(),
});

/** Query of GET /connections/:id/clients: checkpoint paging only, as in Auth0. */
export const EnabledClientsQuerySchema = z.object({
  from: z.string().min(1).max(200).optional(),
  take: z.coerce.number({ message: 'must be a number' }).int().min(1).max(100, { message: 'must be at most 100' }).optional(),
});

/** A connection as the API answers it: options without `client_secret` (never returned once set). */
export const ConnectionResponseSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  display_name: z.string().optional(),
  strategy: z.string(),
  options: z.looseObject({ client_secret: z.never().optional() }),
  enabled_clients: z.array(z.string()),
  realms: z.array(z.string()),
  is_domain_connection: z.boolean(),
  show_as_button: z.boolean(),
  metadata: z.record(z.string(), z.string()),
});

/** The answer of GET /connections/:id/clients: one checkpoint page of enabled clients. */
export const EnabledClientsPageSchema = z.strictObject({
  clients: z.array(z.strictObject({ client_id: z.string() })),
  next: z.string().optional(),
});
