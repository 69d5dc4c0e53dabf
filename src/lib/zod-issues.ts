import type { z } from 'zod';

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
