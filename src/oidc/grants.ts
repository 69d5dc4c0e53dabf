import type { Grant, KoaContextWithOIDC } from 'oidc-provider';

/**
 * First-party apps skip consent: their grant is extended with whatever they ask for.
 * Third-party apps get the stored grant (if any), so oidc-provider asks for consent.
 */
export async function loadFirstPartyGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const session = oidc.session;
  if (!client || !session?.accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (client.metadata()['is_first_party'] !== true) return existing;

  const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
  const claims = oidc.requestParamClaims;
  if (claims?.size) grant.addOIDCClaims([...claims]);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    grant.addResourceScope(indicator, server.scope);
  }
  await grant.save();
  return grant;
}
