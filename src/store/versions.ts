import { FifoCache } from '../lib/fifo-cache.ts';
import type { VersionedCollection, VersionRepo } from './types.ts';

/**
 * In-process caches of rarely changed records (clients, client grants, connections, keys)
 * that still see a change made anywhere within a bounded time:
 * - a change made through this process's Store is seen by the next lookup (localWrites);
 * - a change made by another process or server is seen within `maxAgeMs` (plus one read of
 *   the versions): the versions are read at most once per `maxAgeMs` per process, by one
 *   read for every collection, and an entry is used only while its collection's version is
 *   the one it was loaded under;
 * - no entry is used longer than `maxEntryAgeMs`, whatever the versions say.
 */
export interface VersionWatchOptions {
  /** How long one read of the versions is trusted. */
  maxAgeMs: number;
  /** The longest an entry is used at all (bounds a missed version bump, see VersionRepo). */
  maxEntryAgeMs: number;
  /** Monotonic milliseconds (performance.now by default; tests pass their own clock). */
  now?: () => number;
}

/** The defaults the server uses: a change elsewhere is seen within about one second. */
export const VERSION_WATCH_DEFAULTS: VersionWatchOptions = { maxAgeMs: 1000, maxEntryAgeMs: 60_000 };

type Versions = Record<VersionedCollection, number>;

/** Reads the versions of one store at most once per maxAgeMs (one read in flight at a time). */
export class VersionWatch {
  readonly #repo: VersionRepo;
  readonly options: VersionWatchOptions;
  readonly now: () => number;
  #versions: Versions | undefined;
  /** When the read that gave #versions started (a read's answer is as old as its start). */
  #readAt = -Infinity;
  #reading: Promise<Versions> | undefined;

  constructor(repo: VersionRepo, options: VersionWatchOptions = VERSION_WATCH_DEFAULTS) {
    this.#repo = repo;
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** The process-local write count of the store (no I/O). */
  localWrites(): number {
    return this.#repo.localWrites();
  }

  /** The versions as read at most maxAgeMs ago. */
  async current(): Promise<Versions> {
    if (this.#versions && this.now() - this.#readAt <= this.options.maxAgeMs) return this.#versions;
    this.#reading ??= this.#read();
    return this.#reading;
  }

  async #read(): Promise<Versions> {
    const startedAt = this.now();
    try {
      const versions = await this.#repo.current();
      this.#versions = versions;
      this.#readAt = startedAt;
      return versions;
    } finally {
      this.#reading = undefined;
    }
  }

  /** A cache of one collection's records on this watch. */
  cache<V>(collection: VersionedCollection, maxEntries: number): VersionedCache<V> {
    return new VersionedCache<V>(this, collection, maxEntries);
  }
}

interface Entry<V> { value: V; version: number; local: number; loadedAt: number }

/** Records of one collection by key, each used only while its collection's version is unchanged. */
export class VersionedCache<V> {
  readonly #watch: VersionWatch;
  readonly #collection: VersionedCollection;
  readonly #entries: FifoCache<string, Entry<V>>;

  constructor(watch: VersionWatch, collection: VersionedCollection, maxEntries: number) {
    this.#watch = watch;
    this.#collection = collection;
    this.#entries = new FifoCache(maxEntries);
  }

  /** The cached value of `key`, or what `load` reads now (then cached). */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const local = this.#watch.localWrites();
    // Read before loading: a record loaded after this version was read is at least that new.
    const version = (await this.#watch.current())[this.#collection];
    const hit = this.#entries.get(key);
    const now = this.#watch.now();
    if (hit && hit.version === version && hit.local === local && now - hit.loadedAt <= this.#watch.options.maxEntryAgeMs) return hit.value;
    const value = await load();
    // A write of this process that overlapped the load may or may not be in it: not cached then.
    if (this.#watch.localWrites() === local) this.#entries.set(key, { value, version, local, loadedAt: now });
    return value;
  }
}

const watches = new WeakMap<VersionRepo, VersionWatch>();

/** The one watch (default options) of a store's versions in this process, shared by every cache on it. */
export function versionWatch(repo: VersionRepo): VersionWatch {
  let watch = watches.get(repo);
  if (!watch) {
    watch = new VersionWatch(repo);
    watches.set(repo, watch);
  }
  return watch;
}
