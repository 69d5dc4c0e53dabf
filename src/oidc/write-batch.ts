import { AsyncLocalStorage } from 'node:async_hooks';
import type { OidcWrite, Store } from '../store/types.ts';

/**
 * The oidc-provider writes of one request, made together once its response is ready: the
 * resume of a login saves the session, the grant and the code and destroys the interaction,
 * four statements (and four commits, four turns of the write lock across workers) that become
 * one `store.oidc.writeMany`. The response leaves only after that write, so whoever follows
 * it (the browser's redirect, the app's code exchange, on any worker) sees every write; a
 * request whose handling throws writes nothing.
 *
 * Reads keep their meaning: a lookup of a record written in this request, a lookup by a
 * secondary key and a consume first write what is pending.
 */
export interface WriteBatch {
  /** Koa middleware (for provider.use): runs the request with a batch, and writes it before the response goes out. */
  middleware(ctx: unknown, next: () => Promise<void>): Promise<void>;
  /** Keeps `write` for the end of the current request; false when there is no request batch (write it now). */
  defer(write: OidcWrite): boolean;
  /** Writes what is pending now when `model`/`id` is among it (no id: when anything is). */
  settle(model?: string, id?: string): Promise<void>;
}

const key = (model: string, id: string): string => `${model}\n${id}`;

/** The request batches of one store. */
export function writeBatch(store: Store): WriteBatch {
  const current = new AsyncLocalStorage<Map<string, OidcWrite>>();
  const flush = async (pending: Map<string, OidcWrite>): Promise<void> => {
    if (pending.size === 0) return;
    const writes = [...pending.values()];
    pending.clear();
    await store.oidc.writeMany(writes);
  };
  return {
    async middleware(_ctx, next) {
      const pending = new Map<string, OidcWrite>();
      await current.run(pending, async () => {
        await next();
        await flush(pending);
      });
    },
    defer(write) {
      const pending = current.getStore();
      if (!pending) return false;
      // Re-inserted: the batch keeps the order of each record's last write.
      pending.delete(key(write.model, write.id));
      pending.set(key(write.model, write.id), write);
      return true;
    },
    async settle(model, id) {
      const pending = current.getStore();
      if (!pending || pending.size === 0) return;
      if (model !== undefined && id !== undefined && !pending.has(key(model, id))) return;
      await flush(pending);
    },
  };
}
