/**
 * Ways to name an internal destination that the egress policy must refuse before connecting,
 * one list for every test of the policy (with and without EGRESS_ALLOW). Loopback ones take
 * the port of a test listener that counts connections; the others are never connected to.
 */
export const SSRF_SPELLINGS: ReadonlyArray<readonly [string, (port: number) => string]> = [
  ['a loopback literal', (port) => `https://127.0.0.1:${port}/echo`],
  ['a *.localhost name', (port) => `https://tenant.localhost:${port}/echo`],
  ['localhost', (port) => `https://localhost:${port}/echo`],
  ['IPv6 loopback', (port) => `https://[::1]:${port}/echo`],
  ['IPv4-mapped loopback', (port) => `https://[::ffff:127.0.0.1]:${port}/echo`],
  ['hex IPv4-mapped loopback', (port) => `https://[::ffff:7f00:1]:${port}/echo`],
  ['an integer-encoded loopback', (port) => `https://2130706433:${port}/echo`],
  ['a hex-encoded loopback', (port) => `https://0x7f000001:${port}/echo`],
  ['a shortened loopback', (port) => `https://127.1:${port}/echo`],
  ['a private address', () => 'https://10.1.2.3/echo'],
  ['another private range', () => 'https://192.168.1.1/echo'],
  ['the metadata address', () => 'https://169.254.169.254/latest/meta-data'],
  ['CGNAT', () => 'https://100.64.0.1/'],
  ['IPv6 ULA', () => 'https://[fd00::1]/'],
  ['NAT64 of a private address', () => 'https://[64:ff9b::a15:1]/'],
];
