import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { describeIssues } from '../lib/zod-issues.ts';

/** Parses a request body; a bad one becomes Auth0's 400 "Payload validation error". */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new AppError(400, 'invalid_body', `Payload validation error: ${describeIssues(result.error)}`);
  return result.data;
}

/** Parses a query string; a bad one becomes Auth0's 400 "Query validation error". */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw new AppError(400, 'invalid_query_string', `Query validation error: ${describeIssues(result.error)}`);
  return result.data;
}

/** A route parameter as a string (express types allow arrays for wildcards). */
export function param(req: { params: Record<string, unknown> }, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : String(value ?? '');
}
