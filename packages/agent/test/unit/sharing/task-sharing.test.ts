import type { DecodedMask } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import type { EvaluateOptions } from '../../../src/learner/thread/learner-api.js'
import type { RoundOptions, RoundResult } from '../../../src/sharing/query-round.js'
import { MAX_ROUND_HISTORY, TaskSharing } from '../../../src/sharing/task-sharing.js'

const TASK = 'ctgraph/d2b2/img1/leaf00'
const LAYERS = [{ name: 'policy', shape: [3, 4] as [number, number] }]
const MASK = { taskKey: TASK, backboneId: 'bb', encoding: 'f32', layers: [] } as unknown as DecodedMask

function result(adopted: boolean): RoundResult {
  return {
    taskKey: TASK,
    queried: 2,
    offers: 1,
    candidates: [],
    adopted: adopted
      ? {
          mask: MASK,
          bytes: new Uint8Array(4),
          encoding: 'bits',
          meta: { reward: 0.9, stepsTrained: 5, origin: 'trainer', createdAtMs: 1 },
          from: 'holder',
          cid: 'bafy',
          claimedReward: 0.9,
          verifiedReward: 0.8,
          currentReward: null
        }
      : null,
    held: [],
    latencyMs: adopted ? 12 : null,
    durationMs: 20
  }
}

/** A TaskSharing over scripted rounds; records what the learner was asked to evaluate. */
function sharing(adopted: boolean) {
  const asked: Array<{ task: string; opts: EvaluateOptions | undefined }> = []
  const seen: RoundOptions[] = []
  const done: RoundResult[] = []
  const s = new TaskSharing(
    {
      rounds: {
        round: async o => {
          seen.push(o)
          return result(adopted)
        }
      },
      learner: {
        evaluate: async (task, opts) => {
          asked.push({ task, opts })
          if (opts?.mask === undefined) throw new Error('no mask for this task yet')
          return { episodes: 3, meanReturn: 0.7, returns: [], steps: 0, greedy: true }
        }
      },
      layers: LAYERS,
      roundDone: r => done.push(r)
    },
    { evalEpisodes: 3, evalGreedy: true }
  )
  return { s, asked, seen, done }
}

describe('TaskSharing', () => {
  it("turns an adopted round into the mask to install, with the holder's provenance", async () => {
    const { s, done } = sharing(true)
    expect(await s.share(TASK, 0.1)).toEqual({
      mask: MASK,
      verifiedReward: 0.8,
      from: 'holder',
      cid: 'bafy',
      claimedReward: 0.9,
      origin: 'trainer',
      latencyMs: 12
    })
    expect(done).toHaveLength(1)
    // The history keeps what the round did, not the mask's scores.
    expect(s.history[0]!.adopted).not.toHaveProperty('mask')
    expect(s.history[0]!.adopted).toMatchObject({ from: 'holder', verifiedReward: 0.8 })
  })

  it('evaluates candidates and the current mask with the learner, the same episodes; no mask yet is null', async () => {
    const { s, asked, seen } = sharing(false)
    expect(await s.share(TASK, null)).toBeNull()
    const o = seen[0]!
    expect(o).toMatchObject({ taskKey: TASK, ownReward: null, layers: LAYERS })
    expect(await o.evaluate(MASK)).toBe(0.7)
    expect(await o.currentReward()).toBeNull()
    expect(asked).toEqual([
      { task: TASK, opts: { mask: MASK, episodes: 3, greedy: true } },
      { task: TASK, opts: { episodes: 3, greedy: true } }
    ])
  })

  it('passes the stop signal to the round and keeps a bounded history', async () => {
    const { s, seen } = sharing(false)
    const stop = new AbortController()
    for (let i = 0; i < MAX_ROUND_HISTORY + 5; i++) await s.share(TASK, 0.5, stop.signal)
    expect(seen[0]!.signal).toBe(stop.signal)
    expect(s.history).toHaveLength(MAX_ROUND_HISTORY)
  })
})
