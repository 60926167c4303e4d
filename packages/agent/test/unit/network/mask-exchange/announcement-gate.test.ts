import { encodeAnnouncement, type InventoryAnnouncement } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { AnnouncementGate } from '../../../../src/network/mask-exchange/announcement-gate.js'
import { DEFAULT_PEER_LIMITS, type PeerLimits } from '../../../../src/network/mask-exchange/peer-limits.js'

function announcement(sequence: number): Uint8Array {
  const a: InventoryAnnouncement = {
    backboneId: 'bb',
    masks: [],
    sequence,
    timestampMs: 0,
    role: 'learner',
    addrs: [],
    totalSteps: 0
  }
  return encodeAnnouncement(a)
}

function gate(limits: Partial<PeerLimits>, last: Record<string, number> = {}) {
  const clock = { t: 0 }
  const g = new AnnouncementGate(
    { lastSequence: p => last[p] ?? -1, now: () => clock.t },
    { ...DEFAULT_PEER_LIMITS, ...limits }
  )
  return { g, clock }
}

describe('announcement gate', () => {
  it('passes honest announcements: one publisher, a newer sequence each time', () => {
    const { g, clock } = gate({})
    for (let i = 1; i <= 50; i++) {
      clock.t += 10_000
      expect(g.check('relay', 'pub', announcement(i))).toBeNull()
    }
  })

  it('drops a stale or replayed announcement without decoding it', () => {
    const { g } = gate({}, { pub: 10 })
    expect(g.check('relay', 'pub', announcement(10))).toBe('stale')
    expect(g.check('relay', 'pub', announcement(9))).toBe('stale')
    expect(g.check('relay', 'pub', announcement(11))).toBeNull()
    expect(g.check('relay', 'pub', Uint8Array.of(0xff))).toBeNull() // unreadable: the decoder rejects it
    expect(g.dropped.stale).toBe(2)
  })

  it('limits each publisher and each forwarder; a forwarder far beyond its rate is flooding', () => {
    const { g } = gate({
      announceFromPublisher: { burst: 2, perSecond: 0.001 },
      announceFromPeer: { burst: 5, perSecond: 0.001 },
      announceFloodFromPeer: { burst: 8, perSecond: 0.001 }
    })
    const verdicts = Array.from({ length: 10 }, (_, i) =>
      g.check('sybil-relay', `id${i % 3 === 0 ? 0 : i}`, announcement(1))
    )
    // The forwarder passes 5 (id0 twice: its whole burst), ignores 3, then floods.
    expect(verdicts.slice(0, 5)).toEqual([null, null, null, null, null])
    expect(verdicts.slice(5, 8)).toEqual(['peer-rate', 'peer-rate', 'peer-rate'])
    expect(verdicts.slice(8)).toEqual(['peer-flood', 'peer-flood'])
    // Another forwarder is not limited by the first one, but id0 has used its burst wherever it comes from.
    expect(g.check('other-relay', 'id0', announcement(1))).toBe('publisher-rate')
    expect(g.check('other-relay', 'fresh', announcement(1))).toBeNull()
  })

  it('bounds the bytes decoded per second over all peers', () => {
    const bytes = announcement(1)
    const { g, clock } = gate({ announceDecodeBytes: { burst: bytes.length * 2, perSecond: bytes.length } })
    expect([g.check('a', 'p1', bytes), g.check('b', 'p2', bytes), g.check('c', 'p3', bytes)]).toEqual([
      null,
      null,
      'decode-budget'
    ])
    clock.t += 1000
    expect(g.check('d', 'p4', bytes)).toBeNull()
  })

  it('drops what a banned forwarder or publisher sent first, before it uses any rate or the decode budget', () => {
    const banned = new Set(['flooder'])
    const g = new AnnouncementGate(
      { lastSequence: () => -1, now: () => 0, banned: p => banned.has(p) },
      // room to decode exactly one announcement
      { ...DEFAULT_PEER_LIMITS, announceDecodeBytes: { burst: announcement(1).length, perSecond: 1 } }
    )
    for (let i = 1; i <= 10; i++) {
      expect(g.check('flooder', `pub${i}`, announcement(i))).toBe('banned')
      expect(g.check('relay', 'flooder', announcement(i))).toBe('banned')
    }
    expect(g.dropped).toMatchObject({ banned: 20, 'peer-flood': 0, 'peer-rate': 0, 'decode-budget': 0 })
    // The budget is untouched: an honest announcement still fits, and only one.
    expect(g.check('relay', 'pub', announcement(1))).toBeNull()
    expect(g.check('relay', 'pub2', announcement(1))).toBe('decode-budget')
  })

  it('judges a forwarder flooding by bytes too, however few its messages', () => {
    const size = announcement(1).length
    const { g } = gate({
      announceFromPeer: { burst: 1000, perSecond: 1000 },
      announceFloodFromPeer: { burst: 1000, perSecond: 1000 },
      announceFloodBytesFromPeer: { burst: 3 * size, perSecond: 1 }
    })
    for (let i = 1; i <= 3; i++) expect(g.check('relay', `pub${i}`, announcement(i))).toBeNull()
    expect(g.check('relay', 'pub4', announcement(4))).toBe('peer-flood')
    // another forwarder has its own budget
    expect(g.check('other', 'pub5', announcement(5))).toBeNull()
  })
})
