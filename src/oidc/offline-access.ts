import type { KoaContextWithOIDC } from 'oidc-provider';

const OFFLINE = 'offline_access';

/** The `scope` the app sent, before oidc-provider's checks rewrote it (request objects and PAR are disabled). */
function sentScope(ctx: KoaContextWithOIDC): string[] {
  const source: Record<string, unknown> | undefined = ctx.method === 'POST' ? ctx.oidc.body : (ctx.query as Record<string, unknown>);
  const scope = source?.['scope'];
  return typeof scope === 'string' ? scope.split(' ') : [];
}

/**
 * Keeps `offline_access` when the app asked for it, as Auth0 does. oidc-provider drops it
 * unless `prompt=consent` is sent, which OIDC Core §11 requires only "unless other conditions
 * for processing the request permitting offline access are in place". Ours: a first-party
 * app is trusted by its owner, and a third-party app's user sees offline access on the
 * consent page (the scope is missing from the grant, so oidc-provider asks) before any
 * refresh token is issued. oidc-provider's own other conditions still apply: a code
 * response and a client allowed the refresh_token grant.
 *
 * Runs as an `extraParams` validator: these run after `checkScope`, and oidc-provider
 * documents that they may change other parameters (no re-validation follows, so this only
 * restores what checkScope itself would keep with prompt=consent).
 */
export async function keepOfflineAccess(ctx: KoaContextWithOIDC): Promise<void> {
  const { params, client } = ctx.oidc;
  if (!params || !client || !sentScope(ctx).includes(OFFLINE)) return;
  const scopes = typeof params['scope'] === 'string' ? params['scope'].split(' ') : [];
  if (scopes.includes(OFFLINE)) return;
  const responseType = params['response_type'];
  if (typeof responseType !== 'string' || !responseType.split(' ').includes('code')) return;
  if (!client.grantTypeAllowed('refresh_token')) return;
  params['scope'] = [...scopes, OFFLINE].join(' ');
}
