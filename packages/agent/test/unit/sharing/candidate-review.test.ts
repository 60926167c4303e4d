import { contentId, decodeMask, encodeMask } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { CandidateReview } from '../../../src/sharing/candidate-review.js'
import type { EvaluatedCandidate } from '../../../src/sharing/query-round.js'
import { BACKBONE, LAYERS, syntheticMask, TASK } from '../../helpers/masks.js'

const expectations = { backboneId: BACKBONE, layers: LAYERS }

function candidate(seed: number, verified: number, task = TASK): EvaluatedCandidate {
  const mask = syntheticMask(seed, task)
  const bytes = encodeMask(mask, 'bits')
  return {
    mask: decodeMask(bytes),
    bytes,
    encoding: 'bits',
    meta: { reward: 0.9, stepsTrained: 100, origin: 'trainer', createdAtMs: 1 },
    from: `holder${seed}`,
    cid: contentId(bytes).toString(),
    claimedReward: 0.9,
    verifiedReward: verified,
    currentReward: 0.2
  }
}

describe('held candidates (review mode)', () => {
  it('holds a round’s candidates once each, lists them best first per task, and knows their content ids', () => {
    const r = new CandidateReview()
    expect(r.hold(TASK, [candidate(1, 0.9), candidate(2, 0.95)], 10)).toBe(2)
    expect(r.hold(TASK, [candidate(1, 0.9)], 11)).toBe(0)
    expect(r.list().map(c => c.verifiedReward)).toEqual([0.95, 0.9])
    expect(r.has(candidate(1, 0).cid)).toBe(true)
    expect(r.has('bafkother')).toBe(false)
    expect(r.get(TASK, candidate(2, 0).cid)).toMatchObject({ from: 'holder2', origin: 'trainer', heldAt: 10 })
  })

  it('is bounded: the best of a task, and the oldest go first overall', () => {
    const r = new CandidateReview({ maxPerTask: 2, maxTotal: 3 })
    r.hold(TASK, [candidate(1, 0.5), candidate(2, 0.9), candidate(3, 0.7)], 0)
    expect(r.list().map(c => c.verifiedReward)).toEqual([0.9, 0.7])
    const other = 'ctgraph/d2b2/img1/leaf01'
    r.hold(other, [candidate(4, 0.6, other), candidate(5, 0.8, other)], 1)
    expect(r.size).toBe(3)
    expect(r.list().filter(c => c.taskKey === TASK)).toHaveLength(1) // the oldest went
  })

  it('survives a restart through its file, and drops what no longer verifies', () => {
    const r = new CandidateReview()
    r.hold(TASK, [candidate(1, 0.9), candidate(2, 0.8)], 5)
    const doc = JSON.parse(JSON.stringify(r.toJSON()))
    const back = new CandidateReview()
    expect(back.load(doc, expectations)).toEqual({ kept: 2, dropped: 0 })
    expect(back.list().map(c => c.cid)).toEqual(r.list().map(c => c.cid))
    expect(CandidateReview.mask(back.list()[0]!, expectations).taskKey).toBe(TASK)
    // One candidate's bytes damaged, one for another backbone: both dropped.
    const damaged = JSON.parse(JSON.stringify(doc))
    const bytes = Buffer.from(damaged.candidates[0].bytes, 'base64')
    bytes[bytes.length - 1]! ^= 1
    damaged.candidates[0].bytes = bytes.toString('base64')
    expect(new CandidateReview().load(damaged, expectations)).toEqual({ kept: 1, dropped: 1 })
    expect(new CandidateReview().load(doc, { ...expectations, backboneId: 'ffff' })).toEqual({ kept: 0, dropped: 2 })
    expect(new CandidateReview().load({ version: 9 }, expectations)).toEqual({ kept: 0, dropped: 0 })
    expect(new CandidateReview().load({ version: 1, candidates: [null, { taskKey: 1 }] }, expectations)).toEqual({
      kept: 0,
      dropped: 2
    })
  })

  it('removes a decided candidate and bumps its version', () => {
    const r = new CandidateReview()
    const c = candidate(1, 0.9)
    r.hold(TASK, [c], 0)
    const v = r.version
    expect(r.remove(TASK, c.cid)?.cid).toBe(c.cid)
    expect(r.remove(TASK, c.cid)).toBeNull()
    expect(r.version).toBe(v + 1)
  })
})
