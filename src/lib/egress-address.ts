import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses a server-side request to an admin-chosen URL may reach. Everything in
 * the IANA special-purpose registries (loopback, private, link-local with the cloud metadata
 * address 169.254.169.254, CGNAT, documentation, benchmarking, multicast, reserved, ULA) is
 * refused unless the deployment names it in EGRESS_ALLOW (or, in development, allows insecure
 * upstreams altogether). IPv6 forms that carry
 * an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the address they carry,
 * because that is where the packets end up.
 */

const V4_SPECIAL: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

const V6_SPECIAL: ReadonlyArray<readonly [string, number]> = [
  ['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];

const special = new BlockList();
for (const [net, prefix] of V4_SPECIAL) special.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of V6_SPECIAL) special.addSubnet(net, prefix, 'ipv6');

/** Parses an IPv6 address (with optional dotted IPv4 tail and zone) into 16 bytes. */
function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address.split('%')[0] ?? '';
  const bytes = new Uint8Array(16);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const parts = dotted[1].split('.').map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = parts;
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = 8 - headGroups.length - tailGroups.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  const groups = [...headGroups, ...new Array<string>(fill).fill('0'), ...tailGroups];
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

const v4At = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const allZero = (b: Uint8Array, from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIPv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  if (!b) return undefined;
  if (allZero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return v4At(b, 12); // ::ffff:a.b.c.d
  if (allZero(b, 0, 12) && !allZero(b, 12, 15)) return v4At(b, 12); // ::a.b.c.d (deprecated)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && allZero(b, 4, 12)) return v4At(b, 12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4At(b, 2); // 2002:aabb:ccdd::/48
  return undefined;
}

/**
 * True when `address` (an IP literal) is loopback, private or otherwise special-purpose and
 * not inside `exempt` (the deployment's EGRESS_ALLOW ranges). An IPv6 form carrying an IPv4
 * address passes only when both what it carries and itself are ordinary or exempt.
 */
export function isSpecialPurposeAddress(address: string, exempt?: BlockList): boolean {
  const refused = (ip: string, family: 'ipv4' | 'ipv6'): boolean => special.check(ip, family) && !(exempt?.check(ip, family) ?? false);
  if (isIPv4(address)) return refused(address, 'ipv4');
  if (!isIPv6(address)) return true; // not an IP at all: never treat as safe
  const carried = embeddedIPv4(address);
  if (carried !== undefined && refused(carried, 'ipv4')) return true;
  return refused(address.split('%')[0] ?? address, 'ipv6');
}

/** True for `localhost` and `*.localhost`, which RFC 6761 reserves for loopback. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
