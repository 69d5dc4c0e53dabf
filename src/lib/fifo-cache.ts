/**
 * A Map bounded to `max` entries that drops the oldest insertion first. FIFO, not LRU: the
 * callers cache per record *version*, so a hot entry is never stale and re-inserting on
 * every hit would cost more than an occasional rebuild of an evicted one.
 */
export class FifoCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The cached value, or undefined. */
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Stores a value, first evicting the oldest entry when the cache is full. */
  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}
