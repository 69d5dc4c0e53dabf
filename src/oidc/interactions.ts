import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

/** What the login pages need to know about a pending authorization request. */
export interface InteractionInfo {
  uid: string;
  /** `login` (no session yet) or `consent` (a third-party app wants scopes). */
  prompt: string;
  clientId: string;
  /** The authorization request's parameters as oidc-provider kept them. */
  params: Record<string, unknown>;
  /** Scopes a consent prompt asks for. */
  missingScopes: string[];
  /** API scopes a consent prompt asks for, per audience. */
  missingResourceScopes: Record<string, string[]>;
  accountId?: string;
}

/** The login flow's only window onto oidc-provider's interactions. */
export interface InteractionPort {
  /** Reads the interaction of this browser (its interaction cookie); throws when there is none. */
  details(req: IncomingMessage, res: ServerResponse): Promise<InteractionInfo>;
  /** Looks an interaction up by uid (on the upstream callback, where its cookie is not sent). */
  find(uid: string): Promise<{ uid: string; clientId: string; params: Record<string, unknown> } | undefined>;
  /** Records the outcome and resolves the URL the browser goes to next (oidc-provider's resume). */
  finish(uid: string, result: { login: { accountId: string } } | { error: string; error_description: string }): Promise<string | undefined>;
  /** Grants what the consent prompt asked for and resolves the resume URL. */
  grantConsent(req: IncomingMessage, res: ServerResponse): Promise<string>;
}

/** Builds the port over the live provider (re-read on each call, since keys can swap it). */
export function createInteractionPort(provider: () => Provider): InteractionPort {
  return {
    async details(req, res) {
      const i = await provider().interactionDetails(req, res);
      const details = (i.prompt.details ?? {}) as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
      return {
        uid: i.uid, prompt: i.prompt.name, clientId: String(i.params['client_id'] ?? ''), params: i.params as Record<string, unknown>,
        missingScopes: details.missingOIDCScope ?? [], missingResourceScopes: details.missingResourceScopes ?? {},
        ...(i.session?.accountId ? { accountId: i.session.accountId } : {}),
      };
    },
    async find(uid) {
      const i = await provider().Interaction.find(uid);
      return i ? { uid: i.uid, clientId: String(i.params['client_id'] ?? ''), params: i.params as Record<string, unknown> } : undefined;
    },
    async finish(uid, result) {
      const i = await provider().Interaction.find(uid);
      if (!i) return undefined;
      i.result = result;
      await i.save(i.exp - Math.floor(Date.now() / 1000));
      return i.returnTo;
    },
    async grantConsent(req, res) {
      const p = provider();
      const i = await p.interactionDetails(req, res);
      const accountId = i.session?.accountId;
      const clientId = String(i.params['client_id'] ?? '');
      if (!accountId) throw new Error('consent without a signed-in user');
      const grant = i.grantId ? (await p.Grant.find(i.grantId)) ?? new p.Grant({ accountId, clientId }) : new p.Grant({ accountId, clientId });
      const details = (i.prompt.details ?? {}) as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      return p.interactionResult(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    },
  };
}
