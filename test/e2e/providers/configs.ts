/**
 * The documented connection of every provider. docs/providers/<doc> shows each body (as
 * `JSON.stringify(body, null, 2)`) and each script verbatim; docs.test.ts keeps them equal, and
 * the provider tests sign in with exactly these bodies (hosts pointed at loopback emulators).
 */
import { GITHUB, GITHUB_SCRIPT } from './configs/github.ts';
import { MICROSOFT, MICROSOFT_SCRIPT } from './configs/microsoft.ts';
import { SLACK, SLACK_SCRIPT } from './configs/slack.ts';
import { TIKTOK, TIKTOK_SCRIPT } from './configs/tiktok.ts';
import type { ConnectionBody } from './configs/types.ts';
import { X, X_SCRIPT } from './configs/x.ts';
import { ZENDESK, ZENDESK_PER_LOGIN, ZENDESK_SCRIPT } from './configs/zendesk.ts';

export { APP_CLIENT_ID, type ConnectionBody, type ConnectionOptions } from './configs/types.ts';
export { GITHUB, MICROSOFT, SLACK, TIKTOK, X, ZENDESK, ZENDESK_PER_LOGIN };

export interface ProviderDoc {
  /** File name under docs/providers/. */
  doc: string;
  connections: ConnectionBody[];
  scripts: string[];
}

export const PROVIDER_DOCS: ProviderDoc[] = [
  { doc: 'github.md', connections: [GITHUB], scripts: [GITHUB_SCRIPT] },
  { doc: 'slack.md', connections: [SLACK], scripts: [SLACK_SCRIPT] },
  { doc: 'tiktok.md', connections: [TIKTOK], scripts: [TIKTOK_SCRIPT] },
  { doc: 'x.md', connections: [X], scripts: [X_SCRIPT] },
  { doc: 'zendesk.md', connections: [ZENDESK, ZENDESK_PER_LOGIN], scripts: [ZENDESK_SCRIPT] },
  { doc: 'microsoft.md', connections: [MICROSOFT], scripts: [MICROSOFT_SCRIPT] },
];
