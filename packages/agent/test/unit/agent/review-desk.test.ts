import { contentId, decodeMask, encodeMask, type Mask, type MaskMeta } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { CandidateNotFoundError, ReviewDesk } from '../../../src/agent/review-desk.js'
import { silentLogger } from '../../../src/logging/logger.js'
import { KnowledgeBase } from '../../../src/masks/knowledge-base.js'
import { CandidateReview } from '../../../src/sharing/candidate-review.js'
import { ReputationBook } from '../../../src/sharing/policy/reputation.js'
import type { EvaluatedCandidate } from '../../../src/sharing/query-round.js'
import { BACKBONE, LAYERS, syntheticMask, TASK } from '../../helpers/masks.js'

function held(seed: number): EvaluatedCandidate {
  const bytes = encodeMask(syntheticMask(seed), 'bits')
  return {
    mask: decodeMask(bytes),
    bytes,
    encoding: 'bits',
    meta: { reward: 0.9, stepsTrained: 700, origin: 'trainer', createdAtMs: 1 },
    from: 'holder',
    cid: contentId(bytes).toString(),
    claimedReward: 0.9,
    verifiedReward: 0.85,
    currentReward: 0.1
  }
}

function desk() {
  const review = new CandidateReview()
  const reputation = new ReputationBook()
  const kb = new KnowledgeBase()
  const imported: Mask[] = []
  const stored: Array<{ mask: Mask; meta: MaskMeta }> = []
  const adopted: string[] = []
  let saves = 0
  const d = new ReviewDesk({
    review,
    reputation,
    learner: { importMask: async m => void imported.push(m) },
    kb,
    expect: { backboneId: BACKBONE, layers: LAYERS },
    storeMask: async (mask, meta) => {
      stored.push({ mask, meta })
      return 'bafkstored'
    },
    saveState: async () => {
      saves++
    },
    adopted: task => adopted.push(task),
    logger: silentLogger,
    now: () => 42
  })
  return { d, review, reputation, kb, imported, stored, adopted, saves: () => saves }
}

describe('review desk', () => {
  it('adopting a candidate of a task not in training installs it at once, with its provenance', async () => {
    const t = desk()
    const c = held(1)
    t.review.hold(TASK, [c], 0)
    expect(await t.d.adopt(TASK, c.cid)).toEqual({ taskKey: TASK, cid: c.cid, decision: 'adopted', installed: 'now' })
    expect(t.imported).toHaveLength(1)
    expect(t.stored[0]!.meta).toMatchObject({ reward: 0.85, stepsTrained: 700, origin: 'trainer' })
    expect(t.kb.get(TASK)).toMatchObject({ source: 'received', origin: 'trainer', cid: 'bafkstored', reward: 0.85 })
    expect(t.kb.get(TASK)!.adoptions[0]).toMatchObject({ from: 'holder', cid: c.cid, verifiedReward: 0.85 })
    expect(t.review.size).toBe(0)
    expect(t.saves()).toBe(1)
    expect(t.adopted).toEqual([TASK])
  })

  it('for the task in training, hands the adoption to the driver; it stays held until installed', async () => {
    const t = desk()
    const c = held(1)
    t.review.hold(TASK, [c], 0)
    t.d.taskStarted(TASK)
    expect((await t.d.adopt(TASK, c.cid)).installed).toBe('next-iteration')
    expect(t.imported).toEqual([])
    expect(t.review.size).toBe(1)
    expect(t.d.take('another/task')).toBeNull()
    const a = t.d.take(TASK)!
    expect(a).toMatchObject({ cid: c.cid, verifiedReward: 0.85, from: 'holder', origin: 'trainer' })
    expect(t.d.take(TASK)).toBeNull()
    t.d.installed(TASK, a.cid) // the driver's onAdopted
    expect(t.review.size).toBe(0)
  })

  it('an approval the driver did not take is installed when the task ends', async () => {
    const t = desk()
    const c = held(1)
    t.review.hold(TASK, [c], 0)
    t.d.taskStarted(TASK)
    await t.d.adopt(TASK, c.cid)
    await t.d.taskEnded(TASK)
    expect(t.imported).toHaveLength(1)
    expect(t.review.size).toBe(0)
  })

  it('rejecting drops the candidate and remembers its content id; an unknown candidate is an error', async () => {
    const t = desk()
    const c = held(1)
    t.review.hold(TASK, [c], 0)
    expect(t.d.reject(TASK, c.cid)).toEqual({ taskKey: TASK, cid: c.cid, decision: 'rejected', installed: null })
    expect(t.reputation.isRejected(c.cid)).toBe(true)
    expect(() => t.d.reject(TASK, c.cid)).toThrow(CandidateNotFoundError)
    await expect(t.d.adopt(TASK, c.cid)).rejects.toThrow(CandidateNotFoundError)
  })
})
