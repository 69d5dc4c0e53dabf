import type { OAuth2Options } from './options.ts';

const split = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);

/**
 * The scope sent upstream. Without `connection_scope`: the configured scope (an array joined
 * with spaces). With it: configured entries plus the requested ones, joined with a comma,
 * or a space when `useOauthSpecScope` is true (Auth0's "separate scopes using a space").
 */
export function upstreamScope(options: Pick<OAuth2Options, 'scope' | 'useOauthSpecScope'>, connectionScope?: string): string | undefined {
  const configured = options.scope;
  if (!connectionScope) {
    if (configured === undefined) return undefined;
    return Array.isArray(configured) ? configured.join(' ') : configured;
  }
  const base = configured === undefined ? [] : Array.isArray(configured) ? configured : split(configured);
  const all = [...new Set([...base, ...split(connectionScope)])];
  return all.join(options.useOauthSpecScope ? ' ' : ',');
}
