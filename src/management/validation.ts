import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';

/** Formats zod issues the way Auth0 words validation errors, naming each field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : 'body';
      if (issue.code === 'invalid_key') {
        // zod reports a bad record key with its own message nested inside.
        const inner = issue.issues[0]?.message;
        return `${path}: ${inner ? `${inner}` : issue.message}`;
      }
      if (issue.code === 'unrecognized_keys') {
        return `Additional properties not allowed: ${issue.keys.join(', ')}${issue.path.length ? ` (in ${path})` : ''}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

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
