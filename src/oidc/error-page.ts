import type { KoaContextWithOIDC } from 'oidc-provider';

interface ErrorOut { error: string; error_description?: string }

/** What views/error.ejs shows for one oidc-provider error (every value is escaped by the view). */
export interface ErrorPageModel {
  message: string;
  detail?: string;
  sent: { name: string; value: string }[];
  back?: { name: string; url: string };
}

// Request parameters worth showing to whoever debugs a failed sign-in; never secrets or verifiers.
const SHOWN = ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'audience', 'resource', 'connection', 'prompt', 'code_challenge_method'] as const;
const MAX_VALUE = 300;

type Params = Partial<Record<string, unknown>>;

function sentParams(params: Params): ErrorPageModel['sent'] {
  const sent: ErrorPageModel['sent'] = [];
  for (const name of SHOWN) {
    const value = params[name];
    if (typeof value === 'string' && value) sent.push({ name, value: value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value });
  }
  return sent;
}

/** The app's own origin, from its first registered callback: never a URL the request brought. */
function appOrigin(redirectUris: readonly string[]): string | undefined {
  const first = redirectUris[0];
  if (!first || !URL.canParse(first)) return undefined;
  const url = new URL(first);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
}

/** Says what was sent and what to check, and where the app lives when the client is known. */
export function errorPageModel(ctx: KoaContextWithOIDC, out: ErrorOut): ErrorPageModel {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  const params: Params = (oidc?.params as Params | undefined) ?? {};
  const client = oidc?.client;
  const clientId = typeof params['client_id'] === 'string' ? params['client_id'] : undefined;
  const origin = client ? appOrigin(client.redirectUris ?? []) : undefined;
  const model: ErrorPageModel = {
    message: out.error_description ?? 'The request could not be completed.',
    sent: sentParams(params),
    ...(client && origin ? { back: { name: client.clientName ?? client.clientId, url: origin } } : {}),
  };
  if (out.error === 'invalid_redirect_uri' && client) {
    const uri = typeof params['redirect_uri'] === 'string' ? params['redirect_uri'] : '';
    model.message = `redirect_uri "${uri}" is not registered for application "${client.clientName ?? client.clientId}".`;
    model.detail = `Add the exact URL to the application's callbacks (PATCH /api/v2/clients/${client.clientId}), or send one of its registered callbacks.`;
  } else if (out.error === 'invalid_client' && !client && clientId) {
    model.message = `client_id "${clientId}" is not a registered application.`;
    model.detail = 'Check the client_id your application sends (GET /api/v2/clients lists them).';
  } else if (out.error === 'invalid_request' && !clientId) {
    model.detail = 'Check the parameters your application sends to /authorize.';
  }
  return model;
}
