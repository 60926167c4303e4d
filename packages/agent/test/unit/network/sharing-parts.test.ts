import { contentIdBytes, type InventoryAnnouncement } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { LossInjector } from '../../../src/network/mask-exchange/loss.js'
import { percentile, Traffic } from '../../../src/network/mask-exchange/traffic.js'
import { PeerDirectory } from '../../../src/network/peer-directory.js'
import { createPrng } from '../../../src/rng/prng.js'

/** Seeded uniform [0, 1) source (the project's PRNG): tests must not use Math.random. */
function seededUniform(seed: number): () => number {
  const prng = createPrng(seed)
  return () => prng.nextFloat()
}

describe('loss injection', () => {
  it('drops each outbound message with the configured probability, reproducibly', () => {
    const run = (): boolean[] => {
      const l = new LossInjector({ probability: 0.95 }, seededUniform(7))
      return Array.from({ length: 20_000 }, () => l.shouldDrop('offer'))
    }
    const a = run()
    expect(a).toEqual(run())
    const rate = a.filter(Boolean).length / a.length
    expect(rate).toBeGreaterThan(0.94)
    expect(rate).toBeLessThan(0.96)
  })

  it('in queries-only mode (the released reference) drops nothing but queries', () => {
    const l = new LossInjector({ probability: 1, mode: 'queries' }, seededUniform(1))
    expect(l.shouldDrop('query')).toBe(true)
    for (const k of ['offer', 'fetch', 'transfer', 'announce', 'inventory'] as const)
      expect(l.shouldDrop(k)).toBe(false)
    expect(l.counts().query).toEqual({ sent: 0, dropped: 1 })
  })

  it('spares peers that only measure (evaluators)', () => {
    const l = new LossInjector({ probability: 1 }, seededUniform(1), peer => peer === 'evaluator')
    expect(l.shouldDrop('offer', 'learner')).toBe(true)
    expect(l.shouldDrop('offer', 'evaluator')).toBe(false)
  })

  it('refuses probabilities outside [0, 1]; zero never drops', () => {
    expect(() => new LossInjector({ probability: 1.5 }, Math.random)).toThrow(RangeError)
    const none = LossInjector.none()
    expect(Array.from({ length: 100 }, () => none.shouldDrop('query')).some(Boolean)).toBe(false)
  })
})

describe('peer directory', () => {
  const ann = (sequence: number, tasks: string[], reward = 0.9): InventoryAnnouncement => ({
    backboneId: 'bb',
    sequence,
    timestampMs: 0,
    role: 'learner',
    addrs: [],
    totalSteps: sequence * 10,
    masks: tasks.map(t => ({
      taskKey: t,
      cid: contentIdBytes(new TextEncoder().encode(t)),
      reward,
      stepsTrained: 1,
      encodedSize: 1,
      encodings: ['bits'],
      origin: ''
    }))
  })

  it('keeps the newest announcement per peer and finds holders of a task, best first', () => {
    const d = new PeerDirectory()
    expect(d.announced('p1', ann(2, ['a', 'b'], 0.5), 10)).toBe(true)
    expect(d.announced('p1', ann(1, ['c']), 11)).toBe(false) // stale
    expect(d.announced('p2', ann(5, ['a'], 0.95), 12)).toBe(true)
    expect(d.holdersOf('a', 'bb').map(h => h.peerId)).toEqual(['p2', 'p1'])
    expect(d.holdersOf('a', 'other-backbone')).toEqual([])
    expect(d.get('p1')?.totalSteps).toBe(20)
  })

  it('prunes peers that keep failing and were not seen for a while, never connected ones', () => {
    const d = new PeerDirectory({ staleAfterMs: 1000, pruneAfterFailures: 2 })
    for (const p of ['dead', 'alive']) {
      d.announced(p, ann(1, []), 0)
      d.addresses(p, ['/ip4/1.1.1.1/tcp/1'])
    }
    for (const p of ['dead', 'alive']) {
      d.failed(p)
      d.failed(p)
    }
    const connected = (id: string): boolean => id === 'alive'
    expect(d.prune(500, connected)).toEqual([])
    expect(d.prune(5000, connected)).toEqual(['dead'])
    expect(d.get('alive')).not.toBeNull()
    d.announced('dead2', ann(1, []), 0)
    d.addresses('dead2', ['/ip4/1.1.1.1/tcp/2'])
    d.failed('dead2')
    d.failed('dead2')
    d.seen('dead2', 4000)
    expect(d.prune(4500, connected)).toEqual([]) // a success resets the failures
  })

  it('forgets a peer that never announced (a CLI client) once it is gone and stale, without redialling it', () => {
    const d = new PeerDirectory({ staleAfterMs: 1000 })
    d.seen('client', 0)
    d.announced('learner', ann(1, []), 0)
    d.addresses('learner', ['/ip4/1.1.1.1/tcp/1'])
    expect(d.worthRedialling(d.get('client')!)).toBe(false)
    expect(d.worthRedialling(d.get('learner')!)).toBe(true)
    expect(d.toJSON().map(p => p.peerId)).toEqual(['learner'])
    expect(d.prune(500, () => false)).toEqual([])
    expect(d.prune(5000, () => false)).toEqual(['client'])
  })

  it('keeps listen addresses (from the peer store) only for known peers; an announcement leaves them alone', () => {
    const d = new PeerDirectory()
    d.addresses('stranger', ['/ip4/1.2.3.4/tcp/1'])
    expect(d.get('stranger')).toBeNull()
    d.seen('p1', 0)
    expect(d.get('p1')?.addrs).toEqual([])
    d.addresses('p1', ['/ip4/1.2.3.4/tcp/1', '/ip4/1.2.3.4/tcp/1'])
    d.addresses('p1', [])
    expect(d.get('p1')?.addrs).toEqual(['/ip4/1.2.3.4/tcp/1'])
    d.announced('p1', ann(1, []), 1)
    expect(d.get('p1')?.addrs).toEqual(['/ip4/1.2.3.4/tcp/1'])
  })

  it('persists identities and addresses, and loads them back ignoring junk', () => {
    const d = new PeerDirectory()
    d.announced('p1', ann(1, []), 5)
    d.addresses('p1', ['/ip4/1.2.3.4/tcp/1', '/ip4/1.2.3.4/tcp/1'])
    const saved = JSON.parse(JSON.stringify(d.toJSON()))
    expect(saved).toEqual([{ peerId: 'p1', addrs: ['/ip4/1.2.3.4/tcp/1'], lastSeen: 5 }])
    const e = new PeerDirectory()
    expect(e.load([...saved, { nope: 1 }, 'x', null])).toBe(1)
    expect(e.get('p1')?.addrs).toEqual(['/ip4/1.2.3.4/tcp/1'])
    expect(e.get('p1')?.remembered).toBe(true)
    expect(e.worthRedialling(e.get('p1')!)).toBe(true)
    expect(e.load('garbage')).toBe(0)
  })

  it('is bounded', () => {
    const d = new PeerDirectory({ maxPeers: 3 })
    for (let i = 0; i < 10; i++) d.seen(`p${i}`, i)
    expect(
      d
        .list()
        .map(p => p.peerId)
        .sort()
    ).toEqual(['p7', 'p8', 'p9'])
  })
})

describe('traffic counters', () => {
  it('counts bytes and messages per protocol and direction, and latency percentiles', () => {
    const t = new Traffic()
    t.sent('mask', 100)
    t.sent('mask', 50)
    t.received('query', 7)
    for (let i = 1; i <= 100; i++) t.latency('op', i)
    const s = t.snapshot()
    expect(s.bytes.mask).toEqual({ sent: 150, received: 0 })
    expect(s.messages.mask.sent).toBe(2)
    expect(s.bytes.query.received).toBe(7)
    expect(s.latencies.op).toEqual({ count: 100, p50: 50, p99: 99 })
    expect(percentile([], 0.5)).toBeNull()
  })
})
