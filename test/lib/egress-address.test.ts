import { describe, expect, it } from '@jest/globals';
import { embeddedIPv4, isLocalhostName, isSpecialPurposeAddress } from '../../src/lib/egress-address.ts';
import { EgressError } from '../../src/lib/egress-error.ts';
import { guardedLookup, resolveAllowed, type Resolver } from '../../src/lib/egress-lookup.ts';

describe('isSpecialPurposeAddress', () => {
  it.each([
    '127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '198.18.0.1', '::', '::1', 'fe80::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1', '2002:c0a8:101::1', 'fe80::1%eth0',
  ])('refuses %s', (ip) => expect(isSpecialPurposeAddress(ip)).toBe(true));

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows %s', (ip) =>
    expect(isSpecialPurposeAddress(ip)).toBe(false));

  it('reads the IPv4 address carried by IPv6 forms', () => {
    expect(embeddedIPv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIPv4('2002:0a00:0001::')).toBe('10.0.0.1');
    expect(embeddedIPv4('2606:4700::1111')).toBeUndefined();
  });

  it('knows localhost names (RFC 6761)', () => {
    expect(['localhost', 'LOCALHOST.', 'tenant.localhost'].map(isLocalhostName)).toEqual([true, true, true]);
    expect(['localhost.example.com', 'notlocalhost'].map(isLocalhostName)).toEqual([false, false]);
  });
});

describe('guarded lookup (DNS rebinding)', () => {
  const rebinding: Resolver = async () => [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }];
  const publicOnly: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];

  it('refuses a name whose answer contains any internal address', async () => {
    await expect(resolveAllowed('rebind.example', { allowInsecure: false }, rebinding)).rejects.toMatchObject({ code: 'denied_address' });
    await expect(resolveAllowed('rebind.example', { allowInsecure: true }, rebinding)).resolves.toHaveLength(2);
  });

  it('hands the socket only checked addresses, in both callback shapes', async () => {
    const lookup = guardedLookup({ allowInsecure: false }, publicOnly);
    const single = await new Promise((resolve) => lookup('a.example', { family: 0 }, (err, address) => resolve([err, address])));
    expect(single).toEqual([null, '93.184.216.34']);
    const all = await new Promise((resolve) => lookup('a.example', { all: true }, (err, address) => resolve([err, address])));
    expect(all).toEqual([null, [{ address: '93.184.216.34', family: 4 }]]);
    const denied = await new Promise((resolve) => guardedLookup({ allowInsecure: false }, rebinding)('rebind.example', {}, (err) => resolve(err)));
    expect(denied).toBeInstanceOf(EgressError);
  });
});
