import type { DataDirPaths, EvaluationRow, LayerSpec } from '@l2d2c/protocol'
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
  /** The peers known now (the learners' announced progress goes into each row). */
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

interface Best {
  reward: number
  cid: string
  from: string
}

/**
 * The evaluator role (docs/reference-fidelity.md §4.1, without its defects): trains nothing; every
 * interval, asks peers for the best mask of each task of its curriculum, verifies and
 * evaluates each locally (N episodes), and records the per-task returns and the collective
 * metric ICR = Σ_tasks best return, with the learners' announced progress, to a CSV/JSONL log.
 * It keeps the masks it evaluates to itself: an evaluator never serves masks, so it does not
 * change how knowledge flows between learners.
 */
export class EvaluatorRole {
  readonly history: EvaluationRow[] = []
  private readonly best = new Map<string, Best>()

  constructor(
    private readonly c: EvaluatorRoleComponents,
    private readonly opts: EvaluatorRoleInit
  ) {}

  get latest(): EvaluationRow | null {
    return this.history.at(-1) ?? null
  }

  /** One evaluation cycle over all tasks. */
  async cycle(signal?: AbortSignal): Promise<EvaluationRow> {
    const { learner, rounds, layers, logger } = this.c
    for (const taskKey of this.opts.tasks) {
      if (signal?.aborted === true) break
      const current = this.best.get(taskKey) ?? null
      const round = await rounds.round({
        taskKey,
        ownReward: current?.reward ?? null,
        layers,
        evaluate: async mask =>
          (await learner.evaluate(taskKey, { mask, episodes: this.opts.episodes, greedy: this.opts.greedy }))
            .meanReturn,
        currentReward: async () => current?.reward ?? null,
        ...(signal !== undefined ? { signal } : {})
      })
      if (round.adopted !== null) {
        this.best.set(taskKey, {
          reward: round.adopted.verifiedReward,
          cid: round.adopted.cid,
          from: round.adopted.from
        })
        logger.info(
          { task: taskKey, reward: round.adopted.verifiedReward, from: round.adopted.from },
          'evaluator: better mask'
        )
      }
    }
    const perTask: Record<string, number> = {}
    for (const t of this.opts.tasks) perTask[t] = this.best.get(t)?.reward ?? 0
    const learners: Record<string, number> = {}
    for (const p of this.c.knownPeers()) if (p.role === 'learner') learners[p.peerId] = p.totalSteps
    const steps = Object.values(learners)
    const row: EvaluationRow = {
      time: new Date(this.c.now()).toISOString(),
      icr: Object.values(perTask).reduce((a, b) => a + b, 0),
      perTask,
      learners,
      meanLearnerSteps: steps.length > 0 ? steps.reduce((a, b) => a + b, 0) / steps.length : 0
    }
    this.history.push(row)
    if (this.history.length > MAX_EVALUATION_HISTORY) this.history.shift()
    await this.log(row)
    return row
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
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, wait)
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t)
            resolve()
          },
          { once: true }
        )
      })
    }
  }
}
