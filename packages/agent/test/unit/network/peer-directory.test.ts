import { contentIdBytes, type InventoryAnnouncement } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { PeerDirectory } from '../../../src/network/peer-directory.js'

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

  it("records each peer's announced own ICR next to its steps, null until one is announced or when the latest has none", () => {
    const d = new PeerDirectory()
    d.seen('p1', 0)
    expect(d.get('p1')?.ownIcr).toBeNull()
    d.announced('p1', { ...ann(1, ['a']), ownIcr: 3.5 }, 1)
    expect(d.get('p1')).toMatchObject({ ownIcr: 3.5, totalSteps: 10 })
    d.announced('p1', { ...ann(2, ['a']), ownIcr: 7.25 }, 2)
    expect(d.get('p1')).toMatchObject({ ownIcr: 7.25, totalSteps: 20 })
    // A stale announcement changes nothing; a newer one without the field (a restarted node that has not measured yet) clears it.
    d.announced('p1', { ...ann(1, ['a']), ownIcr: 99 }, 3)
    expect(d.get('p1')?.ownIcr).toBe(7.25)
    d.announced('p1', ann(3, ['a']), 4)
    expect(d.get('p1')?.ownIcr).toBeNull()
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
