import { describe, expect, it } from 'vitest'
import {
  DEFAULT_BASIS_SELECTION,
  selectBasis,
  type AnnouncedMask,
  type BasisContext
} from '../../../../src/sharing/policy/basis-selection.js'
import type { Standing } from '../../../../src/sharing/policy/reputation.js'

const T = 'target'
const m = (peerId: string, taskKey: string, claimedReward: number, encodedSize = 100): AnnouncedMask => ({
  peerId,
  taskKey,
  cid: `cid-${peerId}-${taskKey}`,
  claimedReward,
  encodedSize
})

function ctx(over: Partial<BasisContext> = {}): BasisContext {
  return {
    targetTask: T,
    held: new Set(),
    standing: () => 'neutral',
    isRejected: () => false,
    accepts: () => true,
    ...over
  }
}

const init = (k: number, over: Partial<typeof DEFAULT_BASIS_SELECTION> = {}) => ({
  ...DEFAULT_BASIS_SELECTION,
  k,
  ...over
})

describe("selectBasis (which peers' masks of other tasks a learner imports)", () => {
  it('takes one mask per task, the tasks with the best claims first, at most k', () => {
    const announced = [m('p1', 'a', 0.5), m('p2', 'a', 0.9), m('p1', 'b', 1), m('p3', 'c', 0.7), m('p3', 'd', 0.6)]
    const got = selectBasis(announced, ctx(), init(3))
    expect(got.map(c => c.taskKey)).toEqual(['b', 'a', 'c'])
    expect(got[1]!.holders.map(h => h.peerId)).toEqual(['p2', 'p1'])
  })

  it('imports nothing when a peer announced the task itself, or with k = 0', () => {
    expect(selectBasis([m('p1', 'a', 1), m('p2', T, 0.2)], ctx(), init(4))).toEqual([])
    expect(selectBasis([m('p1', 'a', 1)], ctx(), init(0))).toEqual([])
  })

  it('skips tasks the node holds, rejected content, ignored peers, refused tasks or peers, and claims at or below the minimum', () => {
    const announced = [
      m('p1', 'held', 1),
      m('p1', 'rejected', 1),
      m('bad', 'ignored', 1),
      m('p1', 'refused', 1),
      m('shunned', 'from-refused-peer', 1),
      m('p1', 'untrained', 0),
      m('p1', 'ok', 0.4)
    ]
    const got = selectBasis(
      announced,
      ctx({
        held: new Set(['held']),
        isRejected: cid => cid === 'cid-p1-rejected',
        standing: (p): Standing => (p === 'bad' ? 'ignored' : 'neutral'),
        accepts: (t, p) => t !== 'refused' && p !== 'shunned'
      }),
      init(10)
    )
    expect(got.map(c => c.taskKey)).toEqual(['ok'])
  })

  it('keeps within the byte cap (a task too large is passed over for a smaller one), counting the largest holder', () => {
    const announced = [m('p1', 'a', 1, 600), m('p2', 'a', 0.9, 700), m('p1', 'b', 0.8, 400), m('p1', 'c', 0.7, 300)]
    const got = selectBasis(announced, ctx(), init(3, { maxBytes: 1000 }))
    expect(got.map(c => c.taskKey)).toEqual(['a', 'c'])
  })

  it('ranks holders of a task by claim, then standing, then peer id, and keeps at most holdersPerTask', () => {
    const announced = [m('z', 'a', 1), m('y', 'a', 1), m('x', 'a', 1), m('w', 'a', 0.5)]
    const standing = (p: string): Standing => (p === 'z' ? 'trusted' : p === 'x' ? 'deprioritised' : 'neutral')
    const got = selectBasis(announced, ctx({ standing }), init(1, { holdersPerTask: 3 }))
    expect(got[0]!.holders.map(h => h.peerId)).toEqual(['z', 'y', 'x'])
  })

  it('is reproducible: ties between tasks go by task key whatever the announcement order', () => {
    const a = [m('p1', 'b', 1), m('p2', 'a', 1), m('p3', 'c', 1)]
    expect(selectBasis(a, ctx(), init(2)).map(c => c.taskKey)).toEqual(['a', 'b'])
    expect(selectBasis([...a].reverse(), ctx(), init(2)).map(c => c.taskKey)).toEqual(['a', 'b'])
  })
})
