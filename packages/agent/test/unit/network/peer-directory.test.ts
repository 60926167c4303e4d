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

  it('tells of holders new for a task: first announcements, tasks added later, never a task the peer listed before or one not wanted', () => {
    const d = new PeerDirectory({ wanted: t => t !== 'unwanted' })
    const heard: string[] = []
    const off = d.onHolderAdded(h => {
      heard.push(`${h.peerId}:${h.summary.taskKey}:${h.summary.reward}:${h.backboneId}`)
    })
    d.announced('p1', ann(1, ['a', 'unwanted'], 0.5), 1)
    expect(heard).toEqual(['p1:a:0.5:bb'])
    // The same task again (even with a better claim), or a stale announcement: no news.
    d.announced('p1', ann(2, ['a'], 0.8), 2)
    d.announced('p1', ann(1, ['a', 'b']), 3)
    expect(heard).toEqual(['p1:a:0.5:bb'])
    // A task added, and another peer holding the same task: news for each.
    d.announced('p1', ann(3, ['a', 'b'], 0.7), 4)
    d.announced('p2', ann(1, ['a'], 0.95), 5)
    expect(heard).toEqual(['p1:a:0.5:bb', 'p1:b:0.7:bb', 'p2:a:0.95:bb'])
    // A task dropped and listed again is new again; after unsubscribing, nothing.
    d.announced('p1', ann(4, ['a'], 0.7), 6)
    d.announced('p1', ann(5, ['a', 'b'], 0.7), 7)
    expect(heard.at(-1)).toBe('p1:b:0.7:bb')
    expect(heard).toHaveLength(4)
    off()
    d.announced('p3', ann(1, ['a']), 8)
    expect(heard).toHaveLength(4)
  })

  it('tells of no holder a full directory turned away', () => {
    const d = new PeerDirectory({ maxPeers: 1, isConnected: p => p === 'p1' })
    const heard: string[] = []
    d.onHolderAdded(h => heard.push(h.peerId))
    d.announced('p1', ann(1, ['a']), 1)
    expect(d.announced('p2', ann(1, ['a']), 2)).toBe(false)
    expect(heard).toEqual(['p1'])
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

  it('keeps one mask per wanted task, at most maxMasksPerPeer of them, and counts what was announced', () => {
    const d = new PeerDirectory({ wanted: t => t.startsWith('keep/'), maxMasksPerPeer: 2 })
    d.announced('p', ann(1, ['keep/a', 'keep/a', 'other/b', 'keep/c', 'keep/d']), 0)
    expect(d.get('p')!.masks.map(m => m.taskKey)).toEqual(['keep/a', 'keep/c'])
    expect(d.get('p')!.announcedMasks).toBe(5)
    expect(d.masksKept).toBe(2)
    d.announced('p', ann(2, ['keep/x']), 1)
    expect(d.masksKept).toBe(1)
  })

  it('a stranger flood displaces strangers, never a connected or trusted peer', () => {
    const connected = new Set(['honest'])
    const evicted: string[] = []
    const d = new PeerDirectory({
      maxPeers: 4,
      isConnected: id => connected.has(id),
      isTrusted: id => id === 'trusted',
      evicted: id => evicted.push(id)
    })
    d.announced('honest', ann(1, ['t']), 0)
    d.announced('trusted', ann(1, ['t']), 0)
    for (let i = 0; i < 100; i++) d.announced(`sybil${i}`, ann(1, ['t']), 10 + i)
    expect(d.size).toBe(4)
    expect(d.get('honest')).not.toBeNull()
    expect(d.get('trusted')).not.toBeNull()
    expect(d.get('sybil99')).not.toBeNull() // the oldest strangers went first
    expect(evicted).toHaveLength(98)
    expect(evicted.every(id => id.startsWith('sybil'))).toBe(true)
  })

  it('a newcomer is turned away when every peer kept is more valuable', () => {
    const d = new PeerDirectory({ maxPeers: 2, isConnected: id => id !== 'stranger' })
    d.seen('a', 0)
    d.seen('b', 0)
    expect(d.announced('stranger', ann(1, ['t']), 5)).toBe(false)
    expect(d.get('stranger')).toBeNull()
    expect(d.turnedAway.peers).toBe(1)
    expect(d.lastSequence('stranger')).toBe(-1)
  })

  it('bounds the masks kept over all peers: strangers make room for a connected peer, not the reverse', () => {
    const connected = new Set(['honest'])
    const d = new PeerDirectory({ maxMasks: 4, isConnected: id => connected.has(id) })
    d.announced('s1', ann(1, ['a', 'b']), 0)
    d.announced('s2', ann(1, ['c', 'd']), 1)
    expect(d.masksKept).toBe(4)
    d.announced('honest', ann(1, ['e', 'f', 'g']), 2)
    expect(d.get('honest')!.masks).toHaveLength(3)
    expect(d.get('s1')).toBeNull() // the oldest stranger went,
    expect(d.get('s2')).toBeNull() // then the next, until the honest peer's masks fit
    expect(d.masksKept).toBe(3)
    // A stranger now gets only what is left.
    d.announced('s3', ann(1, ['h', 'i', 'j']), 3)
    expect(d.get('s3')!.masks).toHaveLength(1)
    expect(d.masksKept).toBe(4)
    expect(d.turnedAway.masks).toBe(2)
  })
})
