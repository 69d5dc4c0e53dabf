import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createClientService } from '../../src/management/clients/service.ts';
import { createManagementServices, type ManagementServices } from '../../src/management/services.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';

let store: Store;
let services: ManagementServices;
beforeAll(async () => {
  store = await openStore({ kind: 'sqlite', file: ':memory:' });
  const box = createSecretBox(randomBytes(32));
  const refresh = () => Promise.reject(new Error('not used here'));
  const checkScript = () => Promise.reject(new Error('not used here'));
  services = createManagementServices({
    store, box, logger: createLogger('silent'), issuer: 'http://127.0.0.1:1/', clients: createClientService(store, box), refresh, checkScript,
    tokens: { checkSeconds: 0, longestLifetime: 60 },
  });
});
afterAll(async () => {
  await store.close();
});

const notFound = (code: string, id: string) => ({ status: 404, code, message: expect.stringContaining(JSON.stringify(id)) });

// Every service reports a missing record the same way (a thrown 404 naming the id), so no route checks for null.
test.each([
  ['clients.get', (s: ManagementServices) => s.clients.get('ghost')],
  ['clients.update', (s: ManagementServices) => s.clients.update('ghost', { name: 'x' })],
  ['clients.rotateSecret', (s: ManagementServices) => s.clients.rotateSecret('ghost')],
  ['clients.delete', (s: ManagementServices) => s.clients.delete('ghost')],
  ['clientGrants.create (unknown client)', (s: ManagementServices) => s.clientGrants.create({ client_id: 'ghost', audience: 'https://api.example/', scope: [] })],
  ['clientGrants.update', (s: ManagementServices) => s.clientGrants.update('ghost', [])],
  ['clientGrants.delete', (s: ManagementServices) => s.clientGrants.delete('ghost')],
  ['connections.get', (s: ManagementServices) => s.connections.get('ghost')],
  ['connections.setClients', (s: ManagementServices) => s.connections.setClients('ghost', [])],
  ['connections.delete', (s: ManagementServices) => s.connections.delete('ghost')],
])('%s rejects with inexistent_resource', async (_name, call) => {
  await expect(call(services)).rejects.toMatchObject(notFound('inexistent_resource', 'ghost'));
});

test.each([
  ['users.get', (s: ManagementServices) => s.users.get('ghost')],
  ['users.delete', (s: ManagementServices) => s.users.delete('ghost')],
])('%s rejects with inexistent_user', async (_name, call) => {
  await expect(call(services)).rejects.toMatchObject(notFound('inexistent_user', 'ghost'));
});
