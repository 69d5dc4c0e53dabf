/** The emulator framework: a provider is data (rules, shapes) plus a few small handlers. */
export * from './types.ts';
export { json, form, html, redirect, reply, noStore } from './http.ts';
export type { Ctx, Route } from './http.ts';
export { Grants, bearer, bodyParams, randomToken } from './grants.ts';
export { authorize, parseScopes, withParams } from './authorize.ts';
export type { AuthorizeRules, AuthzError, ScopeRule } from './authorize.ts';
export { token, rfcError } from './token.ts';
export type { Reason, TokenProblem, TokenRules } from './token.ts';
export { createSigner } from './jwt.ts';
export type { Signer } from './jwt.ts';
export { startUpstream } from './upstream.ts';
export type { Core, ProviderDef } from './upstream.ts';
export { caller } from './profile.ts';
export type { Caller } from './profile.ts';
