import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DecodedMask } from '@l2d2c/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { EvaluatorRole } from '../../../src/daemon/evaluator-role.js'
import { silentLogger } from '../../../src/logging/logger.js'
import type { PeerRecord } from '../../../src/network/peer-directory.js'
import { l2d2cStrategy } from '../../../src/sharing/policy/l2d2c-strategy.js'
import type { RoundOptions, RoundResult } from '../../../src/sharing/query-round.js'

const A = 'ctgraph/d2b2/img1/leaf00'
const B = 'ctgraph/d2b2/img1/leaf01'
const LAYERS = [{ name: 'policy', shape: [3, 4] as [number, number] }]
const strategy = l2d2cStrategy()

/** A stand-in mask: only its identity matters to these tests. */
const mask = (name: string, taskKey = A): DecodedMask => ({ taskKey, name }) as unknown as DecodedMask

/**
 * A scripted collective: `fresh` lists, per mask, the returns its successive evaluations measure
 * (each evaluation draws fresh episodes, so the same mask can measure differently); `offers`
 * lists, per cycle and task, the candidate a peer offers. Rounds follow QueryRounds' contract:
 * evaluate the candidate, ask for the current reward, adopt by the L2D2-C rule.
 */
function collective(o: {
  fresh: Map<DecodedMask, number[]>
  offers: Array<Record<string, DecodedMask>>
  tasks?: string[]
  peers?: PeerRecord[]
  log?: { evaluationCsv: string; evaluationJsonl: string }
  intervalMs?: number
  /** Called on each evaluation (a test stops the evaluator from there). */
  onEvaluate?: () => void
}) {
  // The cycle under way: the number of rows logged so far (every scripted cycle logs one).
  const cycleNo = (): number => role.history.length
  const evaluated: string[] = []
  const rounds: RoundOptions[] = []
  const role = new EvaluatorRole(
    {
      rounds: {
        round: async r => {
          rounds.push(r)
          const candidate = o.offers[cycleNo()]?.[r.taskKey]
          const result: RoundResult = {
            taskKey: r.taskKey,
            queried: 1,
            offers: candidate === undefined ? 0 : 1,
            candidates: [],
            adopted: null,
            latencyMs: null,
            durationMs: 1
          }
          if (candidate === undefined) return result
          const verified = await r.evaluate(candidate)
          const current = await r.currentReward()
          if (!strategy.shouldAdopt(verified, current)) return result
          return {
            ...result,
            adopted: {
              mask: candidate,
              meta: { reward: verified, stepsTrained: 1, origin: 'trainer', createdAtMs: 0 },
              from: 'holder',
              cid: (candidate as unknown as { name: string }).name,
              claimedReward: verified,
              verifiedReward: verified,
              currentReward: current
            }
          }
        }
      },
      learner: {
        evaluate: async (task, opts) => {
          const m = opts?.mask as DecodedMask
          expect(m.taskKey).toBe(task)
          expect(opts).toMatchObject({ episodes: 25, greedy: false })
          evaluated.push((m as unknown as { name: string }).name)
          o.onEvaluate?.()
          const draws = o.fresh.get(m) ?? []
          const v = draws.shift()
          if (v === undefined) throw new Error('no draw left for this mask')
          return { episodes: 25, meanReturn: v, returns: [], steps: 100, greedy: false }
        }
      },
      layers: LAYERS,
      knownPeers: () => o.peers ?? [],
      logger: silentLogger,
      now: () => Date.parse('2024-01-01T00:00:00Z') + cycleNo() * 1000
    },
    { tasks: o.tasks ?? [A], intervalMs: o.intervalMs ?? 10, episodes: 25, greedy: false, log: o.log ?? null }
  )
  const cycle = async (signal?: AbortSignal) => await role.cycle(signal)
  return { role, cycle, evaluated, rounds }
}

const peer = (peerId: string, role: 'learner' | 'evaluator', totalSteps: number, extra = {}): PeerRecord => ({
  peerId,
  addrs: [],
  lastSeen: 0,
  role,
  backboneId: null,
  masks: [],
  announcementSequence: 0,
  totalSteps,
  ownIcr: null,
  failures: 0,
  remembered: false,
  ...extra
})

describe('EvaluatorRole (the honest evaluator)', () => {
  it('re-evaluates the held mask every cycle and logs the value measured now, so the ICR can go down', async () => {
    const lucky = mask('lucky')
    const { cycle, evaluated } = collective({ fresh: new Map([[lucky, [1, 0.6, 0.7]]]), offers: [{ [A]: lucky }] })
    expect((await cycle())?.perTask).toEqual({ [A]: 1 })
    // Nobody offers anything better: the held mask is measured again, with fresh episodes.
    expect((await cycle())?.icr).toBe(0.6)
    expect((await cycle())?.icr).toBe(0.7)
    expect(evaluated).toEqual(['lucky', 'lucky', 'lucky'])
  })

  it('does not keep a lucky first draw forever: a candidate that beats its fresh value replaces it', async () => {
    const lucky = mask('lucky')
    const steady = mask('steady')
    const { role, cycle, rounds } = collective({
      fresh: new Map([
        [lucky, [1, 0.6, 0.65]],
        [steady, [0.8, 0.8]]
      ]),
      offers: [{ [A]: lucky }, { [A]: steady }, { [A]: lucky }]
    })
    await cycle()
    // Measured against the best draw ever seen (1), 0.8 would be refused; against the held
    // mask's value this cycle (0.6), it wins.
    expect((await cycle())?.icr).toBe(0.8)
    expect(rounds[1]?.ownReward).toBe(0.6)
    expect(await rounds[1]?.currentReward()).toBe(0.6)
    // The old mask offered again measures 0.65 < 0.8: the steady one stays.
    expect((await cycle())?.icr).toBe(0.8)
    expect(role.masksHeld).toBe(1)
  })

  it('replaces the held mask with a better candidate and keeps it when the candidate is worse', async () => {
    const first = mask('first')
    const better = mask('better')
    const worse = mask('worse')
    const { cycle, evaluated } = collective({
      fresh: new Map([
        [first, [0.5, 0.5]],
        [better, [0.9, 0.9, 0.9]],
        [worse, [0.3]]
      ]),
      offers: [{ [A]: first }, { [A]: better }, { [A]: worse }, {}]
    })
    const icr = []
    for (let i = 0; i < 4; i++) icr.push((await cycle())?.icr)
    expect(icr).toEqual([0.5, 0.9, 0.9, 0.9])
    expect(evaluated).toEqual(['first', 'first', 'better', 'better', 'worse', 'better'])
  })

  it('holds at most one mask per task; a task without any mask counts 0', async () => {
    const a1 = mask('a1')
    const a2 = mask('a2')
    const { role, cycle } = collective({
      tasks: [A, B],
      fresh: new Map([
        [a1, [0.4, 0.4]],
        [a2, [0.7]]
      ]),
      offers: [{ [A]: a1 }, { [A]: a2 }]
    })
    expect((await cycle())?.perTask).toEqual({ [A]: 0.4, [B]: 0 })
    expect((await cycle())?.perTask).toEqual({ [A]: 0.7, [B]: 0 })
    expect(role.masksHeld).toBe(1)
  })

  it("puts the learners' announced steps and, where announced, own ICR in each row (evaluators left out)", async () => {
    const { cycle } = collective({
      fresh: new Map(),
      offers: [],
      peers: [
        peer('l1', 'learner', 100, { ownIcr: 3.5 }),
        peer('l2', 'learner', 300),
        peer('l3', 'learner', 200, { ownIcr: Number.NaN }),
        peer('e1', 'evaluator', 0, { ownIcr: 9 })
      ]
    })
    expect(await cycle()).toMatchObject({
      learners: { l1: 100, l2: 300, l3: 200 },
      meanLearnerSteps: 200,
      learnersOwnIcr: { l1: 3.5 }
    })
    const quiet = collective({ fresh: new Map(), offers: [], peers: [peer('l2', 'learner', 300)] })
    expect(await quiet.cycle()).not.toHaveProperty('learnersOwnIcr')
  })

  it('logs no row for a cycle a stop cut short', async () => {
    const m = mask('m')
    const stop = new AbortController()
    // The stop comes while task A is measured: B would be left unmeasured.
    const { role, cycle } = collective({
      tasks: [A, B],
      fresh: new Map([[m, [0.5]]]),
      offers: [{ [A]: m }],
      onEvaluate: () => stop.abort()
    })
    expect(await cycle(stop.signal)).toBeNull()
    expect(role.history).toEqual([])
  })

  describe('with a log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2d2c-evaluator-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('appends each cycle to evaluation.csv and evaluation.jsonl with the values measured then', async () => {
      const m = mask('m')
      const log = { evaluationCsv: join(dir, 'evaluation.csv'), evaluationJsonl: join(dir, 'evaluation.jsonl') }
      const { cycle } = collective({ fresh: new Map([[m, [0.75, 0.5]]]), offers: [{ [A]: m }], log })
      await cycle()
      await cycle()
      expect(readFileSync(log.evaluationCsv, 'utf8')).toBe(
        `time,icr,mean_learner_steps,${A}\n` +
          '2024-01-01T00:00:00.000Z,0.7500,0,0.7500\n' +
          '2024-01-01T00:00:01.000Z,0.5000,0,0.5000\n'
      )
      const rows = readFileSync(log.evaluationJsonl, 'utf8')
        .trim()
        .split('\n')
        .map(l => JSON.parse(l))
      expect(rows.map(r => r.icr)).toEqual([0.75, 0.5])
    })
  })

  it('run() cycles every interval until stopped; a stop during the wait or the cycle ends it at once', async () => {
    const m = mask('m')
    const stop = new AbortController()
    const { role } = collective({ fresh: new Map([[m, [0.5, 0.5]]]), offers: [{ [A]: m }], intervalMs: 600_000 })
    setTimeout(() => stop.abort(), 50)
    // One cycle, then a wait of ten minutes that the stop cuts short (the test would time out).
    await role.run(stop.signal)
    expect(role.history.map(r => r.icr)).toEqual([0.5])

    const again = new AbortController()
    const during = collective({
      fresh: new Map([[m, [0.5]]]),
      offers: [{ [A]: m }],
      intervalMs: 600_000,
      onEvaluate: () => again.abort()
    })
    await during.role.run(again.signal)
    expect(during.role.history).toEqual([])
  })
})
