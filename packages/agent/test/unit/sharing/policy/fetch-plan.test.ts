import { describe, expect, it } from 'vitest'
import type { MaskOffer } from '@l2d2c/protocol'
import { planFetches, type FetchPlanContext, type FetchSlot } from '../../../../src/sharing/policy/fetch-plan.js'
import type { Standing } from '../../../../src/sharing/policy/reputation.js'
import type { ReceivedOffer } from '../../../../src/sharing/policy/strategy.js'
import { createPrng } from '../../../../src/rng/prng.js'

function offer(peerId: string, reward: number, cid = `cid-${peerId}`): ReceivedOffer & { cid: string } {
  const o: MaskOffer = {
    requestId: 1,
    status: 'has-mask',
    taskKey: 't',
    reward,
    stepsTrained: 1,
    cid: new Uint8Array(36),
    encodedSize: 1,
    encodings: ['bits'],
    backboneId: 'b',
    origin: ''
  }
  return { peerId, offer: o, cid }
}

function ctx(standings: Record<string, Standing> = {}, skip: string[] = [], seed = 1): FetchPlanContext {
  const prng = createPrng(seed)
  return {
    cidOf: o => (o as ReturnType<typeof offer>).cid,
    skip: cid => skip.includes(cid),
    standing: p => standings[p] ?? 'neutral',
    random: () => prng.nextFloat()
  }
}

const ids = (plan: FetchSlot[]): string[] => plan.map(s => s.offer.peerId)

describe('fetch plan', () => {
  it('takes the ranking as it is when claims differ and nobody has a record', () => {
    const ranked = [offer('a', 0.9), offer('b', 0.7), offer('c', 0.5), offer('d', 0.3)]
    expect(ids(planFetches(ranked, ctx()))).toEqual(['a', 'b', 'c'])
  })

  it('skips decided content ids, ignored peers, a second offer of a peer; other holders of a content id are alternates', () => {
    const ranked = [
      offer('a', 0.9, 'x'),
      offer('a', 0.8, 'y'),
      offer('b', 0.7, 'x'),
      offer('c', 0.6, 'rejected'),
      offer('d', 0.5),
      offer('e', 0.4),
      offer('f', 0.3)
    ]
    const plan = planFetches(ranked, ctx({ d: 'ignored' }, ['rejected']))
    expect(ids(plan)).toEqual(['a', 'e', 'f'])
    expect(plan[0]!.alternates.map(o => o.peerId)).toEqual(['b'])
    expect(plan[1]!.alternates).toEqual([])
  })

  it("a holder with a direct connection takes a content id's slot before one reached only through a relay", () => {
    const ranked = [offer('r1', 0.9, 'x'), offer('r2', 0.9, 'x'), offer('d', 0.8, 'x'), offer('r3', 0.7, 'y')]
    const relayed = new Set(['r1', 'r2', 'r3'])
    const plan = planFetches(ranked, { ...ctx(), relayedOnly: p => relayed.has(p) })
    expect(ids(plan)).toEqual(['d', 'r3'])
    // the relayed holders stay alternates, in ranking order (tried if the direct fetch fails)
    expect(plan[0]!.alternates.map(o => o.peerId)).toEqual(['r1', 'r2'])
    // a content id only relayed holders have is still fetched, over the relay
    expect(plan[1]!.alternates).toEqual([])
    // without the knowledge, the ranking decides
    expect(ids(planFetches(ranked, ctx()))).toEqual(['r1', 'r3'])
  })

  it('fetches trusted peers first, deprioritised ones last', () => {
    const ranked = [offer('d', 0.95), offer('n', 0.6), offer('t', 0.5)]
    expect(ids(planFetches(ranked, ctx({ d: 'deprioritised', t: 'trusted' })))).toEqual(['t', 'n', 'd'])
  })

  it('three identities claiming 1.0 cannot take every slot: the best other offer gets one', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const ranked = [offer('l1', 1), offer('l2', 1), offer('l3', 1), offer('honest', 0.8)]
      const plan = ids(planFetches(ranked, ctx({}, [], seed)))
      expect(plan).toHaveLength(3)
      expect(plan).toContain('honest')
    }
  })

  it('inside the high-claim group the order is a seeded shuffle: the same seed, the same plan; a member is not always last', () => {
    const ranked = [offer('l1', 1), offer('l2', 1), offer('l3', 1), offer('h', 0.95)]
    expect(planFetches(ranked, ctx({}, [], 7))).toEqual(planFetches(ranked, ctx({}, [], 7)))
    let honestFetched = 0
    for (let seed = 1; seed <= 200; seed++)
      if (ids(planFetches(ranked, ctx({}, [], seed))).includes('h')) honestFetched++
    // 3 slots among 4 indistinguishable offers: 3/4 of the rounds on average.
    expect(honestFetched).toBeGreaterThan(120)
    expect(honestFetched).toBeLessThan(200)
  })

  it('a trusted peer in the high-claim band is not shuffled with strangers: it goes first', () => {
    const ranked = [offer('l1', 1), offer('l2', 1), offer('l3', 1), offer('t', 0.95)]
    for (let seed = 1; seed <= 20; seed++)
      expect(ids(planFetches(ranked, ctx({ t: 'trusted' }, [], seed)))[0]).toBe('t')
  })

  it('the group fills the remaining slots when nothing else is left', () => {
    const ranked = [offer('l1', 1), offer('l2', 1), offer('l3', 1)]
    expect(planFetches(ranked, ctx())).toHaveLength(3)
    expect(planFetches([], ctx())).toEqual([])
  })
})
