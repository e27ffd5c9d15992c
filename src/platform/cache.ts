/**
 * A small read-through cache for rows that every request of a busy partner asks for (partners by
 * credential, API keys). Entries live `ttlMs` (a TTL of 0 or less turns the cache off); only found
 * values are kept, so unknown keys always ask and random ones cannot fill memory; at most `maxSize`
 * entries. `clear()` drops everything at once, also lookups still in flight when it is called, so a
 * change made in this process is seen by the next request; a change made by another process is seen
 * after at most `ttlMs`.
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, { value: V; until: number; generation: number }>();
  private generation = 0;

  constructor(private readonly maxSize = 10_000) {}

  async get(key: string, ttlMs: number, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (ttlMs <= 0) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now && hit.generation === this.generation) return hit.value;
    const asked = this.generation;
    const value = await load();
    if (value !== undefined && asked === this.generation) {
      if (this.entries.size >= this.maxSize) this.entries.clear();
      this.entries.set(key, { value, until: now + ttlMs, generation: asked });
    }
    return value;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
