/**
 * The most memory peers can make a node keep for them, whatever they send: every structure
 * that grows with the peers a node hears from, filled to its cap with realistic entries (peer
 * ids and content ids of real lengths, maximal mask summaries), each measured as heap after a
 * full GC before and after. Run by `pnpm bench:adversary` with --expose-gc and an IPC channel;
 * sends one message: { [structure]: { entries, MiB } }.
 */
import '../../src/polyfill.js'
import { contentIdBytes, type InventoryAnnouncement } from '@l2d2c/protocol'
import { PeerDirectory, DEFAULT_PEER_DIRECTORY } from '../../src/network/peer-directory.js'
import { DEFAULT_PEER_LIMITS } from '../../src/network/mask-exchange/peer-limits.js'
import { DEFAULT_PROVIDER_STORE_LIMITS, ProviderBoundedDatastore } from '../../src/network/provider-store.js'
import { DEFAULT_REPUTATION, ReputationBook } from '../../src/sharing/policy/reputation.js'
import { PeerRateLimiter } from '../../src/util/rate-limiter.js'
import { BanBook, DEFAULT_BAN_LIMITS } from '../../src/network/ban-book.js'
import { Key } from 'interface-datastore'

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined || process.send === undefined) throw new Error('run with --expose-gc and an IPC channel')
const heap = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
let n = 0
/** A distinct text peer id of the usual length (52 characters). */
const peerId = (): string => {
  let x = n++
  let tail = ''
  for (let i = 0; i < 44; i++) {
    tail += B58[x % 58]
    x = Math.floor(x / 58) + i * 7
  }
  return `12D3KooW${tail}`
}
const cid = (i: number) => contentIdBytes(new TextEncoder().encode(`mask ${i}`))
const keep: unknown[] = []
const measure = (entries: number, fill: () => unknown): { entries: number; MiB: number } => {
  const before = heap()
  keep.push(fill())
  return { entries, MiB: Math.round(((heap() - before) / 2 ** 20) * 10) / 10 }
}

// The directory: maxPeers peers, each with maxMasks / maxPeers wanted tasks announced (16, so
// the total cap is reached too), every summary with a long origin, and 16 addresses each.
const { maxPeers, maxMasks } = DEFAULT_PEER_DIRECTORY
const perPeer = Math.ceil(maxMasks / maxPeers)
const directory = measure(maxPeers, () => {
  const d = new PeerDirectory()
  for (let p = 0; p < maxPeers; p++) {
    const id = peerId()
    const a: InventoryAnnouncement = {
      backboneId: 'b'.repeat(64),
      masks: Array.from({ length: perPeer }, (_, t) => ({
        taskKey: `ctgraph/d2b2/img${t}/leaf${String(p % 100).padStart(2, '0')}`,
        cid: cid(p * perPeer + t),
        reward: 0.5,
        stepsTrained: 1_000_000,
        encodedSize: 13_866,
        encodings: ['bits', 'f16', 'f32'],
        origin: id
      })),
      sequence: 1,
      timestampMs: 1,
      role: 'learner',
      addrs: [],
      totalSteps: 1
    }
    d.announced(id, a, 0)
    d.addresses(
      id,
      Array.from({ length: 16 }, (_, i) => `/ip4/203.0.${p % 250}.${i}/tcp/${4000 + i}/p2p/${id}`)
    )
  }
  if (d.size !== maxPeers || d.masksKept !== maxMasks) throw new Error(`directory: ${d.size} / ${d.masksKept}`)
  return d
})

// Reputation: every peer record and every rejected content id it keeps.
const reputation = measure(DEFAULT_REPUTATION.maxPeers + DEFAULT_REPUTATION.maxRejected, () => {
  const r = new ReputationBook()
  for (let p = 0; p < DEFAULT_REPUTATION.maxPeers; p++) r.record(peerId(), 'fetch-failed', p)
  for (let i = 0; i < DEFAULT_REPUTATION.maxRejected; i++)
    r.reject(`bafkrei${String(i).padStart(52, 'a')}`, 'measured below the current mask', i)
  return r
})

// The per-peer token buckets: seven kinds (query, fetch, inventory; announcements per
// forwarder, flooding forwarder in messages and in bytes, per publisher), and one more for the
// slack (the transfers-at-once counts, kept only while a transfer runs), trackedPeers keys each.
const limiterKinds = 8
const limiters = measure(limiterKinds * DEFAULT_PEER_LIMITS.trackedPeers, () => {
  const ids = Array.from({ length: DEFAULT_PEER_LIMITS.trackedPeers }, peerId)
  return Array.from({ length: limiterKinds }, () => {
    const l = new PeerRateLimiter({ burst: 8, perSecond: 1 }, DEFAULT_PEER_LIMITS.trackedPeers)
    for (const id of ids) l.take(id, 0)
    return l
  })
})

// DHT provider records others stored here.
const providers = measure(DEFAULT_PROVIDER_STORE_LIMITS.total, () => {
  const s = new ProviderBoundedDatastore()
  for (let i = 0; i < DEFAULT_PROVIDER_STORE_LIMITS.total; i++)
    void s.put(new Key(`/dht/provider/ciqa${String(i).padStart(55, 'b')}/${peerId()}`), new Uint8Array(8))
  if (s.providerRecords !== DEFAULT_PROVIDER_STORE_LIMITS.total) throw new Error('provider store not full')
  return s
})

// Bans: every peer record (with an address) and every address record.
const bans = measure(DEFAULT_BAN_LIMITS.maxPeers + DEFAULT_BAN_LIMITS.maxIps, () => {
  const b = new BanBook()
  for (let p = 0; p < DEFAULT_BAN_LIMITS.maxPeers; p++)
    b.ban(peerId(), 'announcement-flood', [`203.0.${p % 256}.${Math.floor(p / 256)}`], p)
  for (let i = 0; i < DEFAULT_BAN_LIMITS.maxIps * DEFAULT_BAN_LIMITS.ipAfterPeers; i++)
    b.ban(peerId(), 'gossip-graylist', [`198.51.${i % 256}.${Math.floor(i / 256) % 256}`], 10_000)
  if (b.activeCount(10_000) !== DEFAULT_BAN_LIMITS.maxPeers) throw new Error('ban book not full')
  return b
})

process.send({ directory, reputation, limiters, providers, bans })
process.exit(0)
