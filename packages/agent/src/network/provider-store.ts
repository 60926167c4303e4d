/**
 * The node's libp2p datastore, with the DHT's provider records bounded.
 *
 * kad-dht stores every `ADD_PROVIDER` a peer sends it: one record per (key, sender), for any key,
 * kept 48 h, in the in-memory datastore. Identities are free, so without a bound one host could
 * grow a node's memory without end, and every `GET_PROVIDERS` (which kad-dht answers by
 * scanning the datastore) would get slower with it. This store keeps at most `perPeer` records
 * from one provider, `perKey` for one key and `total` in all; a record beyond a bound is not
 * stored (kad-dht's answer to the sender does not change). A provider refreshing a record it
 * already has is always stored. Newcomers are the ones turned away, not holders already known:
 * evicting old records would let a flood of fresh identities push out the honest providers of
 * a task, which reprovide only once a day.
 *
 * Everything else (peer records, DHT values) passes through unchanged.
 */
import { MemoryDatastore } from 'datastore-core/memory'
import type { Key } from 'interface-datastore'

export interface ProviderStoreLimits {
  /** Provider records kept from one provider (a node provides one per task it serves). */
  readonly perPeer: number
  /** Providers kept for one key (kad-dht hands out 20 per lookup). */
  readonly perKey: number
  /** Provider records kept in all. */
  readonly total: number
}

export const DEFAULT_PROVIDER_STORE_LIMITS: ProviderStoreLimits = {
  perPeer: 256,
  perKey: 64,
  total: 16_384
}

/** Where kad-dht keeps provider records: `${datastorePrefix}/provider/<key>/<provider peer id>`. */
export const DHT_PROVIDER_PREFIX = '/dht/provider/'

export class ProviderBoundedDatastore extends MemoryDatastore {
  /** Provider records not stored because a bound was reached, by bound. */
  readonly turnedAway = { perPeer: 0, perKey: 0, total: 0 }
  private readonly byPeer = new Map<string, number>()
  private readonly byKey = new Map<string, number>()
  /** The provider records stored (MemoryDatastore keeps its map to itself). */
  private readonly providerKeys = new Set<string>()

  constructor(readonly limits: ProviderStoreLimits = DEFAULT_PROVIDER_STORE_LIMITS) {
    super()
    for (const [name, v] of Object.entries(limits))
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`provider store ${name} must be a positive integer`)
  }

  /** Provider records held now. */
  get providerRecords(): number {
    return this.providerKeys.size
  }

  override put(
    key: Key,
    val: Uint8Array,
    options?: Parameters<MemoryDatastore['put']>[2]
  ): ReturnType<MemoryDatastore['put']> {
    const text = key.toString()
    const record = parseProviderRecordKey(text)
    if (record === null || this.providerKeys.has(text)) return super.put(key, val, options)
    const fromPeer = this.byPeer.get(record.peer) ?? 0
    const forKey = this.byKey.get(record.key) ?? 0
    if (fromPeer >= this.limits.perPeer) this.turnedAway.perPeer++
    else if (forKey >= this.limits.perKey) this.turnedAway.perKey++
    else if (this.providerKeys.size >= this.limits.total) this.turnedAway.total++
    else {
      this.byPeer.set(record.peer, fromPeer + 1)
      this.byKey.set(record.key, forKey + 1)
      this.providerKeys.add(text)
      return super.put(key, val, options)
    }
    return key
  }

  override delete(key: Key, options?: Parameters<MemoryDatastore['delete']>[1]): ReturnType<MemoryDatastore['delete']> {
    const text = key.toString()
    const record = parseProviderRecordKey(text)
    if (record !== null && this.providerKeys.delete(text)) {
      decrement(this.byPeer, record.peer)
      decrement(this.byKey, record.key)
    }
    return super.delete(key, options)
  }
}

/** The key and provider of a provider record's datastore key, or null for any other key. */
export function parseProviderRecordKey(key: string): { key: string; peer: string } | null {
  if (!key.startsWith(DHT_PROVIDER_PREFIX)) return null
  const parts = key.slice(DHT_PROVIDER_PREFIX.length).split('/')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null
  return { key: parts[0] as string, peer: parts[1] as string }
}

function decrement(counts: Map<string, number>, k: string): void {
  const n = (counts.get(k) ?? 0) - 1
  if (n <= 0) counts.delete(k)
  else counts.set(k, n)
}
