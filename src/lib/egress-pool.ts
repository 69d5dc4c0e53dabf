import http from 'node:http';
import https from 'node:https';
import type { EgressReach } from './egress-allow.ts';

/**
 * Keep-alive pools of the egress client: this client sits on the login hot path (the token
 * request, the profile script's requests), and a TCP (and TLS) handshake per request would
 * dominate its cost. What keeps reuse inside the SSRF guarantee:
 * - a socket's address is checked when it connects (our `lookup`, then the socket's peer);
 *   a reused socket was checked then, and its peer is judged again on every request;
 * - node's agent keys its free sockets by host, port (and TLS options), so a socket never
 *   serves another host name or port, even one resolving to the same address;
 * - one pair of agents per reach (allowInsecure + EGRESS_ALLOW): a socket opened under a
 *   more permissive reach is never handed to a request under a stricter one;
 * - bounded: at most MAX_SOCKETS per host, MAX_FREE idle ones, each closed after
 *   IDLE_MS idle (or a second before the server's own Keep-Alive timeout, when it sends one).
 */

const MAX_SOCKETS = 64;
const MAX_FREE = 16;
const IDLE_MS = 30_000;
/** Reaches seen in one process: a handful (the deployment's, a test's); bounded anyway. */
const MAX_REACHES = 32;

const AGENT_OPTIONS = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_FREE, timeout: IDLE_MS, scheduling: 'lifo' } as const;

interface Agents { http: http.Agent; https: https.Agent }

const pools = new Map<string, Agents>();

/** What decides which addresses a socket may reach; timeouts and size caps do not split pools. */
const reachKey = (reach: EgressReach): string => JSON.stringify([reach.allowInsecure, reach.allow ?? null]);

/** The agent for requests under `reach` over http or https. */
export function agentFor(reach: EgressReach, secure: boolean): http.Agent {
  const key = reachKey(reach);
  let agents = pools.get(key);
  if (!agents) {
    if (pools.size >= MAX_REACHES) {
      const oldest = pools.keys().next();
      if (!oldest.done) {
        const gone = pools.get(oldest.value);
        gone?.http.destroy();
        gone?.https.destroy();
        pools.delete(oldest.value);
      }
    }
    agents = { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) };
    pools.set(key, agents);
  }
  return secure ? agents.https : agents.http;
}
