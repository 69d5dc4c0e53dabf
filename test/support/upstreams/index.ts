/** Loopback emulators of upstream OAuth 2.0 providers for tests; see each module's header for the rules it enforces. */
export type { CommonOptions, Faults, Profile, RecordedRequest, TokenFault, TransportFault, Upstream, CodeGrant, TokenGrant } from './base/types.ts';
export { startGeneric } from './generic.ts';
export type { GenericOptions } from './generic.ts';
export { startGitHub, GITHUB_SCOPES } from './github.ts';
export type { GitHubOptions, GitHubEmail } from './github.ts';
export { startSlack } from './slack.ts';
export type { SlackOptions } from './slack.ts';
export { startTikTok, TIKTOK_SCOPES } from './tiktok.ts';
export type { TikTokOptions } from './tiktok.ts';
export { startX, X_SCOPES } from './x.ts';
export type { XOptions } from './x.ts';
export { startSubdomain } from './subdomain.ts';
export type { SubdomainOptions, SubdomainUpstream } from './subdomain.ts';
export { startMicrosoft } from './microsoft.ts';
export type { MicrosoftOptions, MicrosoftUpstream } from './microsoft.ts';
export { startCallbackRecorder, send } from './browser.ts';
export type { CallbackRecorder, RawResponse } from './browser.ts';
