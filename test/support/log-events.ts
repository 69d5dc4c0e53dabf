import type { LogEvent } from '../../src/logs/types.ts';
import type { TestServer } from './server.ts';

/** Polls GET /logs?q= until `match` finds an event (the writer flushes within ~100 ms; a loaded machine may take longer). */
export async function findEvent(srv: TestServer, q: string, match: (e: LogEvent) => boolean = () => true): Promise<LogEvent> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const res = await srv.api(`/logs?q=${encodeURIComponent(q)}&per_page=100`);
    if (res.status !== 200) throw new Error(`GET /logs?q=${q} answered ${res.status}: ${JSON.stringify(res.body)}`);
    const found = (res.body as LogEvent[]).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no event for q=${q}: ${JSON.stringify((await srv.api(`/logs?q=${encodeURIComponent(q)}&per_page=5`)).body)}`);
}

/** Every stored event, read straight from the store (no API page limits), oldest first. */
export async function storedEvents(srv: TestServer): Promise<LogEvent[]> {
  const { items } = await srv.server.store.logs.list({}, { order: 'asc', limit: 100_000 });
  return items;
}
