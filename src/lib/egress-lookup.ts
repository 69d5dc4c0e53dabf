import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isLocalhostName, isSpecialPurposeAddress } from './egress-address.ts';
import { allowsHost, compileAllowList, type EgressReach } from './egress-allow.ts';
import { EgressError } from './egress-error.ts';

/** Resolves a host name to all its addresses (injectable so tests can play a rebinding DNS). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, order: 'verbatim' });

const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };

export const deniedAddress = (host: string): EgressError =>
  new EgressError('denied_address', `refused to connect to ${host}: it is a loopback, private or other special-purpose address (list it in EGRESS_ALLOW to allow it)`);

/**
 * True when a connection to `address`, made for `host`, is within `reach`: an ordinary
 * address, or a special one whose name or range the deployment lists in EGRESS_ALLOW.
 */
export function mayConnect(reach: EgressReach, host: string, address: string): boolean {
  if (reach.allowInsecure) return true;
  const list = compileAllowList(reach.allow);
  return !isSpecialPurposeAddress(address, list.ranges) || allowsHost(list, host);
}

/**
 * The addresses a request to `hostname` may connect to. `localhost` and `*.localhost` are
 * answered here (RFC 6761) rather than by the system resolver, so they always mean loopback.
 * Any special-purpose address in the answer that `reach` does not allow refuses the whole
 * name: a mixed answer is the signature of DNS rebinding.
 */
export async function resolveAllowed(hostname: string, reach: EgressReach, resolve: Resolver = systemResolver): Promise<LookupAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  if (isLocalhostName(host)) addresses = [LOOPBACK];
  else if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'lookup failed';
      throw new EgressError('network', `cannot resolve ${host}: ${code}`);
    }
  }
  if (addresses.length === 0) throw new EgressError('network', `cannot resolve ${host}: no addresses`);
  if (addresses.some((a) => !mayConnect(reach, host, a.address))) throw deniedAddress(host);
  return addresses;
}

/**
 * A `lookup` for node:net that only ever hands the socket checked addresses. It is what the
 * connection actually uses, so a name that resolved harmlessly in an earlier check cannot be
 * re-resolved to an internal address at connect time.
 */
export function guardedLookup(reach: EgressReach, resolve?: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, reach, resolve).then(
      (all) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        const first = wanted[0];
        if (first === undefined) callback(new EgressError('network', `cannot resolve ${hostname}: no IPv${family} address`), '', 0);
        else if (options.all === true) callback(null, wanted);
        else callback(null, first.address, first.family);
      },
      (err: EgressError) => callback(err, '', 0),
    );
  };
}
