/** The fuzz suite's route list is the mounted Management API, route for route. */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/lib/logger.ts';
import { createSecretBox } from '../../src/lib/secrets.ts';
import { createClientService } from '../../src/management/clients/service.ts';
import { managementRouter } from '../../src/management/router.ts';
import type { OidcHost } from '../../src/oidc/host.ts';
import type { Store } from '../../src/store/types.ts';
import { mountedRoutes } from './mounted-routes.ts';
import { MANAGEMENT_ROUTES } from './routes.ts';

test('every mounted Management API route is in the fuzz list, and nothing else', () => {
  // Building the router touches none of its parts; the store and host are only used per request.
  const store = {} as Store;
  const box = createSecretBox(randomBytes(32));
  const router = managementRouter({
    store, box, logger: createLogger('silent'), issuer: 'http://127.0.0.1/', clients: createClientService(store, box),
    host: {} as OidcHost, refresh: () => Promise.reject(new Error('not used')), urlPolicy: { allowInsecure: false, allow: [] },
  });
  const mounted = mountedRoutes(router).sort();
  expect(mounted.length).toBeGreaterThan(15);
  expect(MANAGEMENT_ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(mounted);
});
