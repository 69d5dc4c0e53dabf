import { z } from 'zod';

/** Auth0's Management API error body (every 4xx/5xx answer). */
export const ErrorBodySchema = z.strictObject({
  statusCode: z.number().int().min(400).max(599),
  error: z.string(),
  message: z.string(),
  errorCode: z.string(),
});

/**
 * A list answer as listResponse shapes it: a bare array, the `include_totals` envelope, or
 * the checkpoint envelope (`from`/`take`) with `next` when more may follow.
 */
export function listOf<K extends string>(key: K, item: z.ZodType) {
  const items = z.array(item);
  return z.union([
    items,
    z.strictObject({ start: z.number().int(), limit: z.number().int(), length: z.number().int(), total: z.number().int(), [key]: items }),
    z.strictObject({ [key]: items, next: z.string().optional() }),
  ]);
}

/** A value that must never be in an answer (a secret's field name): JSON Schema `not: {}`. */
export const absent = z.never().optional();

/** The answer of GET /openapi.json (its own shape is OpenAPI's; only the frame is checked here). */
export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
