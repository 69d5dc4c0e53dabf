import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { parseAllowEntry, parseAllowList } from '../../src/lib/egress-allow.ts';
import { EgressError, egressFetch, type EgressPolicy } from '../../src/lib/egress.ts';
import { resolveAllowed, type Resolver } from '../../src/lib/egress-lookup.ts';
import { makeTestCert, type TestCert } from '../support/tls.ts';
import { SSRF_SPELLINGS } from './ssrf-spellings.ts';

const ALLOW = parseAllowList('127.0.0.5, 10.20.0.0/16, idp.localhost, *.corp.internal, fd00:1::/64');
const policy: EgressPolicy = { allowInsecure: false, allow: ALLOW, timeoutMs: 2000, maxBytes: 10_000 };

describe('EGRESS_ALLOW entries', () => {
  it('normalizes addresses, ranges and names', () => {
    expect(ALLOW).toEqual(['127.0.0.5/32', '10.20.0.0/16', 'idp.localhost', '*.corp.internal', 'fd00:1::/64']);
    expect(parseAllowList('IDP.Corp.Internal., [::1], ,')).toEqual(['idp.corp.internal', '::1/128']);
  });

  it.each([
    ['0.0.0.0/0', /wider than \/8/], ['fd00::/6', /wider than \/7/], ['10.0.0.0/33', /at most \/32/], ['10.0.0.0/x', /not a valid CIDR/],
    ['idp/24', /only IP addresses take a \/prefix/], ['127.1', /neither an IP address/], ['bad_name.example', /neither/], ['-x.example', /neither/],
    ['http://idp.example', /is a URL: give the host name/],
  ])('refuses %s', (entry, problem) => {
    const parsed = parseAllowEntry(entry);
    expect('problem' in parsed ? parsed.problem : 'accepted').toMatch(problem);
  });

  it('is a setting: bad entries name EGRESS_ALLOW, and it is accepted in production', () => {
    const load = () => loadConfig({ DATA_DIR: '/nonexistent', SECRETS_KEY: 'a'.repeat(64), EGRESS_ALLOW: '10.0.0.0/8, nope_', NODE_ENV: 'test' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/EGRESS_ALLOW: "nope_" is neither/);
    const config = loadConfig({ DATA_DIR: '/nonexistent', SECRETS_KEY: 'a'.repeat(64), NODE_ENV: 'production', EGRESS_ALLOW: '10.20.0.0/16,idp.corp.internal' });
    expect(config.egressAllow).toEqual(['10.20.0.0/16', 'idp.corp.internal']);
    expect(config.devWarnings).toEqual([]);
    expect(loadConfig({ DATA_DIR: '/nonexistent', SECRETS_KEY: 'a'.repeat(64) }).egressAllow).toEqual([]);
  });
});

describe('resolving names under the allow-list (injected DNS answers: no traffic)', () => {
  const answer = (...ips: string[]): Resolver => async () => ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const reach = { allowInsecure: false, allow: ALLOW };

  it('a listed name may resolve to internal addresses', async () => {
    await expect(resolveAllowed('a.corp.internal', reach, answer('10.99.0.1', '192.168.1.1'))).resolves.toHaveLength(2);
  });
  it('an unlisted name may resolve only into listed ranges', async () => {
    await expect(resolveAllowed('idp.example', reach, answer('10.20.3.4', 'fd00:1::9'))).resolves.toHaveLength(2);
    for (const ips of [['10.20.3.4', '10.21.0.1'], ['127.0.0.1'], ['127.0.0.6'], ['fd00:2::1'], ['::ffff:127.0.0.1'], ['169.254.169.254']]) {
      await expect(resolveAllowed('idp.example', reach, answer(...ips))).rejects.toMatchObject({ code: 'denied_address' });
    }
  });
  it('a wildcard covers subdomains only, and no look-alike', async () => {
    for (const name of ['corp.internal', 'evilcorp.internal', 'a.corp.internal.evil']) {
      await expect(resolveAllowed(name, reach, answer('10.99.0.1'))).rejects.toMatchObject({ code: 'denied_address' });
    }
  });
});

describe('egressFetch with 127.0.0.5 allowed (loopback only)', () => {
  let cert: TestCert;
  let allowed: Server;
  const decoys: Server[] = [];
  let decoyConnections = 0;
  let port = 0;
  const defaultCAs = getCACertificates('default');

  const listen = (server: Server, host: string, at: number): Promise<number> => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, host, () => resolve((server.address() as AddressInfo).port));
  });

  beforeAll(async () => {
    cert = makeTestCert('DNS:idp.localhost,DNS:other.localhost,DNS:localhost,IP:127.0.0.5,IP:127.0.0.1,IP:::1');
    // Trust the test certificate the way NODE_EXTRA_CA_CERTS would in a deployment.
    setDefaultCACertificates([...defaultCAs, cert.cert.toString()]);
    const tls = { cert: cert.cert, key: readFileSync(cert.keyFile) };
    allowed = createServer(tls, (req, res) => res.end(JSON.stringify({ path: req.url, at: req.socket.localAddress })));
    port = await listen(allowed, '127.0.0.5', 0);
    // Decoys on the same port of addresses that stay refused: any connection to them is a failure of the policy.
    for (const host of ['127.0.0.1', '::1']) {
      const decoy = createServer(tls, (_req, res) => res.end('decoy'));
      decoy.on('connection', () => decoyConnections++);
      await listen(decoy, host, port);
      decoys.push(decoy);
    }
  });
  afterAll(async () => {
    setDefaultCACertificates(defaultCAs);
    for (const server of [allowed, ...decoys]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reaches the listed address over https, by address and by a listed name', async () => {
    const res = await egressFetch({ method: 'GET', url: `https://127.0.0.5:${port}/token` }, policy);
    expect(JSON.parse(res.body.toString())).toEqual({ path: '/token', at: '127.0.0.5' });
  });

  it('reaches a name listed as such, wherever it resolves (idp.localhost is 127.0.0.1 by RFC 6761)', async () => {
    const before = decoyConnections;
    const named = await egressFetch({ method: 'GET', url: `https://idp.localhost:${port}/named` }, policy);
    expect(named.body.toString()).toBe('decoy');
    expect(decoyConnections).toBe(before + 1);
  });

  it.each([
    ...SSRF_SPELLINGS,
    ['the neighbour of the listed address', (at: number) => `https://127.0.0.6:${at}/`],
    ['a private range next to the listed one', () => 'https://10.21.0.1/'],
    ['an unlisted *.localhost name', (at: number) => `https://other.localhost:${at}/`],
  ] as const)('still refuses %s before connecting', async (_label, url) => {
    const before = decoyConnections;
    const err = await egressFetch({ method: 'GET', url: url(port) }, policy).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EgressError);
    expect(err).toMatchObject({ code: 'denied_address', message: expect.stringContaining('EGRESS_ALLOW') });
    expect(decoyConnections).toBe(before);
  });

  it('does not lift the https rule', async () => {
    const err = await egressFetch({ method: 'GET', url: `http://127.0.0.5:${port}/` }, policy).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'denied_scheme' });
  });

  it('without the list, the listed address is refused as before', async () => {
    const err = await egressFetch({ method: 'GET', url: `https://127.0.0.5:${port}/` }, { ...policy, allow: [] }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'denied_address' });
  });
});
