/**
 * Token buckets: a bucket holds up to `burst` tokens and gains `perSecond` tokens a second; an
 * action takes tokens or is refused. `PeerRateLimiter` keeps one bucket per key (a peer id) in
 * a bounded map: when it is full, the least recently used bucket goes (its key starts afresh,
 * with a full bucket, which a new identity would have anyway). Pure: the clock is passed in.
 */

export interface RateLimit {
  /** Tokens a bucket holds at most: the burst allowed after a quiet period. */
  readonly burst: number
  /** Tokens gained per second: the sustained rate. */
  readonly perSecond: number
}

export function checkRateLimit(limit: RateLimit, what: string): void {
  if (!(Number.isFinite(limit.burst) && limit.burst >= 1))
    throw new RangeError(`${what}: burst must be a number >= 1, got ${limit.burst}`)
  if (!(Number.isFinite(limit.perSecond) && limit.perSecond > 0))
    throw new RangeError(`${what}: perSecond must be a positive number, got ${limit.perSecond}`)
}

export class TokenBucket {
  private tokens: number
  private at: number

  constructor(
    private readonly limit: RateLimit,
    now: number
  ) {
    this.tokens = limit.burst
    this.at = now
  }

  /** Takes `cost` tokens if the bucket has them now; otherwise takes nothing and returns false. */
  take(now: number, cost = 1): boolean {
    // A clock that goes back refills nothing (never a negative refill).
    const elapsed = Math.max(0, now - this.at)
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed / 1000) * this.limit.perSecond)
    this.at = Math.max(this.at, now)
    if (this.tokens < cost) return false
    this.tokens -= cost
    return true
  }
}

export class PeerRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>()
  /** Actions refused since start (metrics, benches). */
  refused = 0

  constructor(
    private readonly limit: RateLimit,
    /** Buckets kept at most. */
    private readonly maxKeys: number
  ) {
    checkRateLimit(limit, 'rate limit')
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be >= 1, got ${maxKeys}`)
  }

  get size(): number {
    return this.buckets.size
  }

  /** Takes `cost` tokens from `key`'s bucket; false (and counted) when it has too few. */
  take(key: string, now: number, cost = 1): boolean {
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limit, now)
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
    } else {
      this.buckets.delete(key) // re-inserted below: Map order is recency order
    }
    this.buckets.set(key, bucket)
    const ok = bucket.take(now, cost)
    if (!ok) this.refused++
    return ok
  }
}
