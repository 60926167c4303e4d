/**
 * A bounded memo for derived data (task specs, MiniGrid layouts, CT-graph image datasets, the
 * frames a served mask is sent as): each value is built once per key and the `limit` most
 * recently used entries are kept, so callers that sweep many keys cannot grow it without bound.
 * A build that throws caches nothing. Pure: no I/O, no timers.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>()

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError(`memo limit must be a positive integer, got ${limit}`)
  }

  get size(): number {
    return this.entries.size
  }

  /** The value of `key`, built with `build` on first use (or again after eviction). */
  get(key: string, build: () => V): V {
    const hit = this.entries.get(key)
    if (hit !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const value = build()
    this.entries.set(key, value)
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string)
    return value
  }
}
