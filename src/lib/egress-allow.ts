import { BlockList, isIP } from 'node:net';

/**
 * The deployment's exceptions to the egress policy (setting EGRESS_ALLOW): host names and
 * IP ranges that may be reached although they are loopback, private or otherwise special,
 * e.g. one internal IdP at `idp.corp.internal` or in `10.20.0.0/16`. Entries travel as
 * normalized strings (they cross into the sandbox process as JSON) and are compiled once.
 */

/** What every policy carrying the exceptions has; `allow` holds normalized entries (see `parseAllowList`). */
export interface EgressReach {
  /** Development setting ALLOW_INSECURE_UPSTREAMS: http and every internal address allowed. */
  allowInsecure: boolean;
  /** EGRESS_ALLOW: names and ranges reachable although special-purpose. Default: none. */
  allow?: readonly string[];
}

/** Compiled exceptions: ranges (an IP literal is a /32 or /128) and names (`*.` = any subdomain). */
export interface AllowList {
  ranges: BlockList;
  names: ReadonlySet<string>;
  suffixes: readonly string[];
}

// Shorter prefixes would switch the protection off for most of the address space: that is ALLOW_INSECURE_UPSTREAMS.
const MIN_PREFIX = { 4: 8, 6: 7 } as const;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** One entry normalized (`10.20.0.0/16`, `127.0.0.5/32`, `fd00:1::/64`, `idp.corp.internal`, `*.corp.internal`), or the reason it is not valid. */
export function parseAllowEntry(text: string): { entry: string } | { problem: string } {
  const shown = JSON.stringify(text.trim());
  const raw = text.trim().toLowerCase();
  if (raw.includes('://')) return { problem: `${shown} is a URL: give the host name or address only` };
  const [address = '', prefixText, extra] = raw.split('/');
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 4 || family === 6) {
    if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) return { problem: `${shown} is not a valid CIDR range` };
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (prefix > max) return { problem: `${shown}: an IPv${family} prefix is at most /${max}` };
    if (prefix < MIN_PREFIX[family]) return { problem: `${shown}: a range wider than /${MIN_PREFIX[family]} is not allowed (use ALLOW_INSECURE_UPSTREAMS in development)` };
    return { entry: `${bare}/${prefix}` };
  }
  if (prefixText !== undefined) return { problem: `${shown}: only IP addresses take a /prefix` };
  const name = bare.replace(/\.$/, '');
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  // A numeric last label would be read as an IPv4 address by URL parsers (127.1), never as this name.
  if (name.length > 253 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return { problem: `${shown} is neither an IP address, a CIDR range nor a host name` };
  }
  return { entry: name };
}

/** Parses the comma-separated setting; throws an Error listing every bad entry. */
export function parseAllowList(text: string): string[] {
  const entries: string[] = [];
  const problems: string[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const parsed = parseAllowEntry(part);
    if ('entry' in parsed) entries.push(parsed.entry);
    else problems.push(parsed.problem);
  }
  if (problems.length) throw new Error(problems.join('; '));
  return [...new Set(entries)];
}

const compiled = new Map<string, AllowList>();

/** The compiled form of normalized entries (cached: the same few lists are consulted on every request). */
export function compileAllowList(entries: readonly string[] = []): AllowList {
  const key = entries.join(',');
  let list = compiled.get(key);
  if (list) return list;
  const ranges = new BlockList();
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const [net = '', prefix] = entry.split('/');
    if (prefix !== undefined) ranges.addSubnet(net, Number(prefix), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    else if (entry.startsWith('*.')) suffixes.push(entry.slice(1));
    else names.add(entry);
  }
  list = { ranges, names, suffixes };
  if (compiled.size > 32) compiled.clear();
  compiled.set(key, list);
  return list;
}

/** True when `hostname` (a name or an IP literal, brackets allowed) is named by the exceptions. */
export function allowsHost(list: AllowList, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const family = isIP(host);
  if (family !== 0) return list.ranges.check(host.split('%')[0] ?? host, family === 6 ? 'ipv6' : 'ipv4');
  return list.names.has(host) || list.suffixes.some((s) => host.endsWith(s));
}
