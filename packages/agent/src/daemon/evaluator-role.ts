import type { DataDirPaths, DecodedMask, EvaluationRow, LayerSpec } from '@l2d2c/protocol'
import { access, appendFile } from 'node:fs/promises'
import type { LearnerApi } from '../learner/thread/learner-api.js'
import type { Logger } from '../logging/logger.js'
import type { PeerRecord } from '../network/peer-directory.js'
import type { QueryRounds } from '../sharing/query-round.js'

export interface EvaluatorRoleComponents {
  readonly rounds: Pick<QueryRounds, 'round'>
  /** Evaluates each candidate locally. */
  readonly learner: Pick<LearnerApi, 'evaluate'>
  readonly layers: readonly LayerSpec[]
  /** The peers known now (the learners' announced, self-reported progress goes into each row). */
  readonly knownPeers: () => PeerRecord[]
  readonly logger: Logger
  readonly now: () => number
}

export interface EvaluatorRoleInit {
  readonly tasks: readonly string[]
  readonly intervalMs: number
  readonly episodes: number
  readonly greedy: boolean
  /** Where evaluation.csv and evaluation.jsonl go (null: keep in memory only). */
  readonly log: Pick<DataDirPaths, 'evaluationCsv' | 'evaluationJsonl'> | null
}

export const DEFAULT_EVALUATOR_ROLE = {
  /** Time between the starts of two evaluation cycles. */
  intervalMs: 5_000
} as const

/** Rows kept in memory for /v1/evaluation (the files keep them all). */
export const MAX_EVALUATION_HISTORY = 10_000

/** The mask the evaluator holds for a task: the best one by this cycle's fresh evaluations. */
interface HeldMask {
  readonly mask: DecodedMask
  readonly cid: string
  readonly from: string
}

/**
 * The evaluator role (docs/reference-fidelity.md §4.1, without its defects): trains nothing; every
 * interval, for each task of its curriculum, it re-evaluates the mask it holds with fresh
 * episodes, asks peers for a better one, verifies and evaluates each candidate locally (N fresh
 * episodes), and keeps whichever measured best this cycle: a candidate replaces the held mask
 * only if it does at least as well as the held mask's re-measured value. It logs the value
 * measured now (so a lucky draw does not stay forever and the logged ICR can go down), with
 * ICR = Σ_tasks that value, to a CSV/JSONL log.
 *
 * Beside the measured values, each row carries the learners' progress as they announced it:
 * their total env steps and, when they report it, their own ICR. Those are self-reported
 * figures (the evaluator cannot check them); the demo reads the steps from the learners'
 * control APIs instead.
 *
 * It holds at most one mask per task of its curriculum, in memory, and never serves them: an
 * evaluator does not change how knowledge flows between learners.
 */
export class EvaluatorRole {
  readonly history: EvaluationRow[] = []
  private readonly held = new Map<string, HeldMask>()

  constructor(
    private readonly c: EvaluatorRoleComponents,
    private readonly opts: EvaluatorRoleInit
  ) {}

  get latest(): EvaluationRow | null {
    return this.history.at(-1) ?? null
  }

  /** Masks held now (at most one per task of the curriculum). */
  get masksHeld(): number {
    return this.held.size
  }

  /**
   * One evaluation cycle over all tasks: the row it logged, or null if `signal` aborted it
   * before every task was measured (a row must hold this cycle's values only).
   */
  async cycle(signal?: AbortSignal): Promise<EvaluationRow | null> {
    const perTask: Record<string, number> = {}
    for (const taskKey of this.opts.tasks) {
      if (signal?.aborted === true) return null
      perTask[taskKey] = await this.measure(taskKey, signal)
    }
    if (signal?.aborted === true) return null
    const row = this.row(perTask)
    this.history.push(row)
    if (this.history.length > MAX_EVALUATION_HISTORY) this.history.shift()
    await this.log(row)
    return row
  }

  /**
   * One task's value this cycle: the held mask re-evaluated, then a round in which a candidate
   * is adopted only if its fresh evaluation is at least that value. Returns the fresh value of
   * the mask kept (0 if none is held).
   */
  private async measure(taskKey: string, signal?: AbortSignal): Promise<number> {
    const { rounds, layers, logger } = this.c
    const evaluate = async (mask: DecodedMask): Promise<number> =>
      (await this.c.learner.evaluate(taskKey, { mask, episodes: this.opts.episodes, greedy: this.opts.greedy }))
        .meanReturn
    const held = this.held.get(taskKey) ?? null
    const heldValue = held !== null ? await evaluate(held.mask) : null
    const round = await rounds.round({
      taskKey,
      ownReward: heldValue,
      layers,
      evaluate,
      currentReward: async () => heldValue,
      ...(signal !== undefined ? { signal } : {})
    })
    if (round.adopted === null) return heldValue ?? 0
    const { mask, cid, from, verifiedReward } = round.adopted
    this.held.set(taskKey, { mask, cid, from })
    logger.info({ task: taskKey, reward: verifiedReward, held: heldValue, from }, 'evaluator: better mask')
    return verifiedReward
  }

  /** The row of a cycle: the values measured now, and the learners' progress as announced. */
  private row(perTask: Record<string, number>): EvaluationRow {
    const learners: Record<string, number> = {}
    const learnersOwnIcr: Record<string, number> = {}
    for (const p of this.c.knownPeers()) {
      if (p.role !== 'learner') continue
      learners[p.peerId] = p.totalSteps
      // Announced with the inventory: absent from learners before their first sample.
      if (p.ownIcr !== null && Number.isFinite(p.ownIcr)) learnersOwnIcr[p.peerId] = p.ownIcr
    }
    const steps = Object.values(learners)
    return {
      time: new Date(this.c.now()).toISOString(),
      icr: Object.values(perTask).reduce((a, b) => a + b, 0),
      perTask,
      learners,
      meanLearnerSteps: steps.length > 0 ? steps.reduce((a, b) => a + b, 0) / steps.length : 0,
      ...(Object.keys(learnersOwnIcr).length > 0 ? { learnersOwnIcr } : {})
    }
  }

  private async log(row: EvaluationRow): Promise<void> {
    if (this.opts.log === null) return
    const { evaluationCsv, evaluationJsonl } = this.opts.log
    const csvHeader = `${['time', 'icr', 'mean_learner_steps', ...this.opts.tasks].join(',')}\n`
    const csv = `${[
      row.time,
      row.icr.toFixed(4),
      Math.round(row.meanLearnerSteps),
      ...this.opts.tasks.map(t => (row.perTask[t] ?? 0).toFixed(4))
    ].join(',')}\n`
    try {
      const exists = await access(evaluationCsv).then(
        () => true,
        () => false
      )
      await appendFile(evaluationCsv, exists ? csv : csvHeader + csv)
      await appendFile(evaluationJsonl, `${JSON.stringify(row)}\n`)
    } catch (err) {
      this.c.logger.warn({ err: (err as Error).message }, 'cannot write the evaluation log')
    }
  }

  /** Runs cycles every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { logger, now } = this.c
    while (!signal.aborted) {
      const started = now()
      try {
        const row = await this.cycle(signal)
        if (row === null) break
        logger.info(
          {
            icr: Number(row.icr.toFixed(3)),
            tasks: this.opts.tasks.length,
            learners: Object.keys(row.learners).length
          },
          'evaluation'
        )
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'evaluation cycle failed')
      }
      const wait = Math.max(0, this.opts.intervalMs - (now() - started))
      await pause(wait, signal)
    }
  }
}

/**
 * Waits ms, or less if `signal` aborts (or already has: a stop during the cycle ends the wait
 * at once). The abort listener goes with the timer, so waits do not pile listeners up.
 */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
