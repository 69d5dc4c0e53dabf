/**
 * A separate OS process on a shared sqlite file, driven by test/store/sqlite.test.ts.
 * Run directly by Node (type stripping): `node sqlite-worker.ts <file> <command> ...args`.
 * Prints one JSON line with its result.
 *
 *   put-connection <id> <name>        inserts a connection
 *   get-connection <name>             prints the connection or null
 *   rename-client <client_id> <name>  replaces the client's name (version + 1)
 *   race <startAt> <count> <userId>   at epoch ms startAt: for i < count, consume
 *                                     AuthorizationCode code-i, take tx-i, log userId in
 */
import { openStore } from '../../src/store/open.ts';

const [file, command, ...args] = process.argv.slice(2);
if (!file || !command) throw new Error('usage: sqlite-worker.ts <file> <command> ...args');
const store = await openStore({ kind: 'sqlite', file });

if (command === 'put-connection') {
  const [id = '', name = ''] = args;
  const now = new Date().toISOString();
  await store.connections.insert({
    id, name, strategy: 'oauth2', options: {}, enabled_clients: [], realms: [], is_domain_connection: false,
    show_as_button: true, metadata: {}, version: 1, created_at: now, updated_at: now,
  });
  console.log(JSON.stringify({ ok: true, pid: process.pid }));
} else if (command === 'rename-client') {
  const [clientId = '', name = ''] = args;
  const current = await store.clients.get(clientId);
  if (!current) throw new Error(`no client ${clientId}`);
  console.log(JSON.stringify({ ok: await store.clients.replace({ ...current, name, version: current.version + 1 }), pid: process.pid }));
} else if (command === 'get-connection') {
  console.log(JSON.stringify(await store.connections.getByName(args[0] ?? '')));
} else if (command === 'race') {
  const [startAt = '0', count = '0', userId = ''] = args;
  // Both workers start at the same instant so their writes really interleave.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  const consumed: string[] = [];
  const taken: string[] = [];
  let created = 0;
  for (let i = 0; i < Number(count); i++) {
    if (await store.oidc.consume('AuthorizationCode', `code-${i}`)) consumed.push(`code-${i}`);
    if (await store.transactions.take(`tx-${i}`)) taken.push(`tx-${i}`);
    const identity = { provider: 'oauth2', connection: 'acme', user_id: 'acme|1', isSocial: true };
    const result = await store.users.upsertLogin({
      user_id: userId, identity, root: {}, extra: {}, setRootAttributes: 'on_each_login', now: new Date().toISOString(),
    });
    if (result.created) created++;
  }
  console.log(JSON.stringify({ consumed, taken, created, pid: process.pid }));
} else {
  throw new Error(`unknown command ${command}`);
}
await store.close();
