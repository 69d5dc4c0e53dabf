import { AppError } from '../../errors/app-error.ts';
import { newClientId, newClientSecret } from '../../lib/ids.ts';
import type { SecretBox } from '../../lib/secrets.ts';
import { clientSecretAad } from '../../oidc/clients.ts';
import type { ClientRecord, ListOptions, ListResult, Store } from '../../store/types.ts';
import { missing } from '../not-found.ts';
import type { ClientCreate, ClientUpdate } from './schema.ts';

type AppType = ClientRecord['app_type'];

const DEFAULT_GRANTS: Record<AppType, string[]> = {
  regular_web: ['authorization_code', 'refresh_token', 'client_credentials'],
  spa: ['authorization_code', 'refresh_token'],
  native: ['authorization_code', 'refresh_token'],
  non_interactive: ['client_credentials'],
};

/** Checks the rules that tie fields together; the message says what to change. */
function checkConsistency(c: ClientRecord): void {
  const fail = (message: string): never => {
    throw new AppError(400, 'invalid_body', `Payload validation error: ${message}`);
  };
  const isPublic = c.token_endpoint_auth_method === 'none';
  if (c.app_type === 'spa' && !isPublic) fail('token_endpoint_auth_method: a spa cannot keep a secret; use "none"');
  if (c.app_type === 'non_interactive' && c.grant_types.some((g) => g !== 'client_credentials')) {
    fail('grant_types: a non_interactive client may only use client_credentials');
  }
  if (isPublic && c.grant_types.includes('client_credentials')) {
    fail('grant_types: client_credentials needs a confidential client (token_endpoint_auth_method client_secret_post or client_secret_basic)');
  }
  if (isPublic && !c.require_pkce) fail('require_pkce: public clients must use PKCE');
}

/** Client creation and updates, shared by the Management API, the admin bootstrap and scripts. */
export function createClientService(store: Store, box: SecretBox) {
  const seal = (clientId: string, secret: string): string => box.seal(secret, clientSecretAad(clientId));
  const get = async (clientId: string): Promise<ClientRecord> => {
    const found = await store.clients.get(clientId);
    if (!found) throw missing.client(clientId);
    return found;
  };
  const replace = async (next: ClientRecord): Promise<ClientRecord> => {
    if (!(await store.clients.replace(next))) throw missing.client(next.client_id);
    return next;
  };

  return {
    /** The client with this id; 404 when there is none. */
    get,

    /** One page of clients. */
    list: (options: ListOptions): Promise<ListResult<ClientRecord>> => store.clients.list(options),

    /** Creates a client; resolves the record and its plaintext secret (shown once). */
    async create(input: ClientCreate, fixed?: { client_id: string; client_secret: string }): Promise<{ client: ClientRecord; secret?: string }> {
      const appType: AppType = input.app_type ?? 'regular_web';
      const method = input.token_endpoint_auth_method ?? (appType === 'spa' || appType === 'native' ? 'none' : 'client_secret_post');
      const clientId = fixed?.client_id ?? newClientId();
      const secret = method === 'none' ? undefined : (fixed?.client_secret ?? newClientSecret());
      const now = new Date().toISOString();
      const client: ClientRecord = {
        client_id: clientId,
        name: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        app_type: appType,
        is_first_party: input.is_first_party ?? true,
        callbacks: input.callbacks ?? [],
        allowed_logout_urls: input.allowed_logout_urls ?? [],
        allowed_origins: input.allowed_origins ?? [],
        web_origins: input.web_origins ?? [],
        grant_types: input.grant_types ?? DEFAULT_GRANTS[appType],
        token_endpoint_auth_method: method,
        require_pkce: input.require_pkce ?? true,
        ...(secret ? { client_secret_enc: seal(clientId, secret) } : {}),
        client_metadata: input.client_metadata ?? {},
        version: 1,
        created_at: now,
        updated_at: now,
      };
      checkConsistency(client);
      await store.clients.insert(client);
      return { client, ...(secret ? { secret } : {}) };
    },

    /** Applies a partial update (404 when missing). A public client made confidential gets a new secret, returned once. */
    async update(clientId: string, patch: ClientUpdate): Promise<{ client: ClientRecord; secret?: string }> {
      const current = await get(clientId);
      const next: ClientRecord = { ...current, ...stripUndefined(patch), version: current.version + 1, updated_at: new Date().toISOString() };
      let secret: string | undefined;
      if (next.token_endpoint_auth_method === 'none') delete next.client_secret_enc;
      else if (!next.client_secret_enc) next.client_secret_enc = seal(clientId, (secret = newClientSecret()));
      checkConsistency(next);
      return { client: await replace(next), ...(secret ? { secret } : {}) };
    },

    /** Issues a new secret (404 when the client is missing). */
    async rotateSecret(clientId: string, secret = newClientSecret()): Promise<{ client: ClientRecord; secret: string }> {
      const current = await get(clientId);
      if (current.token_endpoint_auth_method === 'none') {
        throw new AppError(400, 'invalid_body', 'this client is public (token_endpoint_auth_method "none") and has no secret to rotate');
      }
      const next = { ...current, client_secret_enc: seal(clientId, secret), version: current.version + 1, updated_at: new Date().toISOString() };
      return { client: await replace(next), secret };
    },

    /** Deletes the client, its grants, and its place in every connection (404 when missing). */
    async delete(clientId: string): Promise<void> {
      if (!(await store.clients.get(clientId))) throw missing.client(clientId);
      // Its connections first: a failure part-way leaves the client in place for a retry,
      // never connections that name a client that is gone.
      await store.connections.removeClientEverywhere(clientId);
      if (!(await store.clients.delete(clientId))) throw missing.client(clientId);
    },

    /** True when `secret` is the client's current secret. */
    secretMatches(client: ClientRecord, secret: string): boolean {
      return !!client.client_secret_enc && box.open(client.client_secret_enc, clientSecretAad(client.client_id)) === secret;
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
