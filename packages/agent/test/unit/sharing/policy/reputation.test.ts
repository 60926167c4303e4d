import { describe, expect, it } from 'vitest'
import { DEFAULT_REPUTATION, ReputationBook } from '../../../../src/sharing/policy/reputation.js'

const H = DEFAULT_REPUTATION.halfLifeMs
const T0 = 1_800_000_000_000

describe('reputation', () => {
  it('an unknown peer is neutral; an honest delivery makes it trusted', () => {
    const r = new ReputationBook()
    expect(r.standing('p', T0)).toBe('neutral')
    r.delivered('p', T0)
    expect(r.standing('p', T0)).toBe('trusted')
  })

  it('a mask that fails verification gets its sender ignored, for one half-life, then deprioritised', () => {
    const r = new ReputationBook()
    expect(r.record('liar', 'verification-failed', T0)).toBe('ignored')
    expect(r.standing('liar', T0 + H - 1)).toBe('ignored')
    // released at the half-life (score 0.5), still deprioritised until it decays below 0.25
    expect(r.standing('liar', T0 + H + 1)).toBe('deprioritised')
    expect(r.standing('liar', T0 + 2 * H + 1)).toBe('neutral')
  })

  it('repeated lies are ignored for longer (the score adds up before it decays)', () => {
    const r = new ReputationBook()
    r.record('liar', 'verification-failed', T0)
    r.record('liar', 'verification-failed', T0) // score 2: until it halves twice
    expect(r.standing('liar', T0 + 2 * H - 1)).toBe('ignored')
    expect(r.standing('liar', T0 + 2 * H + 1)).toBe('deprioritised')
  })

  it('one over-claim deprioritises, a second within a half-life ignores', () => {
    const r = new ReputationBook()
    expect(r.overClaims(1, 0.65)).toBe(true)
    expect(r.overClaims(1, 0.75)).toBe(false)
    expect(r.overClaims(0.5, 0.9)).toBe(false) // claiming less than measured is no lie
    expect(r.record('p', 'over-claim', T0)).toBe('deprioritised')
    expect(r.record('p', 'over-claim', T0 + H - 1)).toBe('ignored')
  })

  it('fetch failures count less; honest deliveries forgive', () => {
    const r = new ReputationBook()
    r.record('p', 'fetch-failed', T0)
    expect(r.standing('p', T0)).toBe('deprioritised') // 0.25
    r.delivered('p', T0)
    expect(r.score('p', T0)).toBe(0)
    expect(r.standing('p', T0)).toBe('trusted')
    for (let i = 0; i < 4; i++) r.record('p', 'fetch-failed', T0)
    expect(r.standing('p', T0)).toBe('ignored')
  })

  it('scores halve every half-life', () => {
    const r = new ReputationBook()
    r.record('p', 'verification-failed', T0)
    expect(r.score('p', T0 + H)).toBeCloseTo(0.5, 10)
    expect(r.score('p', T0 + 3 * H)).toBeCloseTo(0.125, 10)
  })

  it('remembers rejected content ids, the oldest dropped beyond the bound', () => {
    const r = new ReputationBook({ ...DEFAULT_REPUTATION, maxRejected: 2 })
    r.reject('a', 'x', T0)
    r.reject('b', 'x', T0)
    r.reject('c', 'x', T0)
    expect([r.isRejected('a'), r.isRejected('b'), r.isRejected('c')]).toEqual([false, true, true])
    expect(r.rejectedCount).toBe(2)
    expect(r.unreject('b')).toBe(true)
    expect(r.isRejected('b')).toBe(false)
  })

  it('keeps at most maxPeers records, dropping the least recently updated that is not ignored', () => {
    const r = new ReputationBook({ ...DEFAULT_REPUTATION, maxPeers: 2 })
    r.record('liar', 'verification-failed', T0) // ignored: kept
    r.delivered('a', T0 + 1)
    r.delivered('b', T0 + 2)
    expect(r.peerCount).toBe(2)
    expect(r.standing('liar', T0 + 3)).toBe('ignored')
    expect(r.get('a')).toBeNull()
    expect(r.standing('b', T0 + 3)).toBe('trusted')
  })

  it('survives a restart through its document, and skips what is not well formed', () => {
    const r = new ReputationBook()
    r.record('liar', 'verification-failed', T0)
    r.delivered('good', T0)
    r.reject('bafkx', 'random mask', T0)
    const copy = new ReputationBook()
    expect(copy.load(JSON.parse(JSON.stringify(r.toJSON())))).toEqual({ peers: 2, rejected: 1 })
    expect(copy.standing('liar', T0 + 1)).toBe('ignored')
    expect(copy.standing('good', T0 + 1)).toBe('trusted')
    expect(copy.isRejected('bafkx')).toBe(true)
    const damaged = new ReputationBook()
    expect(
      damaged.load({
        version: 1,
        peers: [null, { peerId: 'x', score: -1 }, { peerId: 'y', score: 1, updatedAt: T0, ignoredUntil: 0, good: 0 }],
        rejected: ['bafk', { cid: 'bafky' }]
      })
    ).toEqual({ peers: 1, rejected: 1 })
    expect(new ReputationBook().load({ version: 2 })).toEqual({ peers: 0, rejected: 0 })
    expect(new ReputationBook().load('garbage')).toEqual({ peers: 0, rejected: 0 })
  })

  it('bumps its version on every change (the owner saves when it moved)', () => {
    const r = new ReputationBook()
    const v0 = r.version
    r.reject('a', 'x', T0)
    r.record('p', 'fetch-failed', T0)
    expect(r.version).toBe(v0 + 2)
  })
})
