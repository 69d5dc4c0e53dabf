import { FifoCache } from '../lib/fifo-cache.ts';
import type { LogEvent } from './types.ts';

/** Looks an application's name up (the store's clients). */
export type ClientNameLookup = (clientId: string) => Promise<string | undefined>;

/** How long a looked-up name is reused: a renamed app shows its new name in events within a minute. */
const NAME_TTL_MS = 60_000;
const MAX_CLIENTS = 1000;

/**
 * Fills `client_name` of queued events that name only a `client_id`, when the writer
 * flushes: producers on a login's path (the broker) know the id but not the name, and must
 * not read the store for it. One lookup per application per minute at most.
 */
export function clientNameFiller(lookup: ClientNameLookup): (batch: LogEvent[]) => Promise<void> {
  const cache = new FifoCache<string, { name: string | undefined; until: number }>(MAX_CLIENTS);
  const nameOf = async (clientId: string, now: number): Promise<string | undefined> => {
    const hit = cache.get(clientId);
    if (hit && hit.until > now) return hit.name;
    const name = await lookup(clientId).catch(() => undefined);
    cache.set(clientId, { name, until: now + NAME_TTL_MS });
    return name;
  };
  return async (batch) => {
    const now = Date.now();
    for (const event of batch) {
      if (!event.client_id || event.client_name !== undefined) continue;
      const name = await nameOf(event.client_id, now);
      if (name) event.client_name = name.slice(0, 256);
    }
  };
}
