import type { EvaluationRow } from '@l2d2c/protocol'
import { access, appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logging/logger.js'
import type { Agent } from '../agent/agent.js'

export interface EvaluatorRoleOptions {
  readonly tasks: readonly string[]
  readonly intervalMs: number
  readonly episodes: number
  readonly greedy: boolean
  /** Where evaluation.csv and evaluation.jsonl go (null: keep in memory only). */
  readonly logDir: string | null
}

interface Best {
  reward: number
  cid: string
  from: string
}

/**
 * The evaluator role (reference-system.md §2.9, without its defects): trains nothing; every
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
    private readonly node: Agent,
    private readonly opts: EvaluatorRoleOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now
  ) {}

  get latest(): EvaluationRow | null {
    return this.history.at(-1) ?? null
  }

  /** One evaluation cycle over all tasks. */
  async cycle(signal?: AbortSignal): Promise<EvaluationRow> {
    const { learner, rounds, exchange, info } = this.node
    for (const taskKey of this.opts.tasks) {
      if (signal?.aborted === true) break
      const current = this.best.get(taskKey) ?? null
      const round = await rounds.round({
        taskKey,
        ownReward: current?.reward ?? null,
        layers: info.layers,
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
        this.logger.info(
          { task: taskKey, reward: round.adopted.verifiedReward, from: round.adopted.from },
          'evaluator: better mask'
        )
      }
    }
    const perTask: Record<string, number> = {}
    for (const t of this.opts.tasks) perTask[t] = this.best.get(t)?.reward ?? 0
    const learners: Record<string, number> = {}
    for (const p of exchange.directory.list()) if (p.role === 'learner') learners[p.peerId] = p.totalSteps
    const steps = Object.values(learners)
    const row: EvaluationRow = {
      time: new Date(this.now()).toISOString(),
      icr: Object.values(perTask).reduce((a, b) => a + b, 0),
      perTask,
      learners,
      meanLearnerSteps: steps.length > 0 ? steps.reduce((a, b) => a + b, 0) / steps.length : 0
    }
    this.history.push(row)
    if (this.history.length > 10_000) this.history.shift()
    await this.log(row)
    return row
  }

  private async log(row: EvaluationRow): Promise<void> {
    if (this.opts.logDir === null) return
    const csvHeader = `${['time', 'icr', 'mean_learner_steps', ...this.opts.tasks].join(',')}\n`
    const csv = `${[
      row.time,
      row.icr.toFixed(4),
      Math.round(row.meanLearnerSteps),
      ...this.opts.tasks.map(t => (row.perTask[t] ?? 0).toFixed(4))
    ].join(',')}\n`
    const csvPath = join(this.opts.logDir, 'evaluation.csv')
    try {
      const exists = await access(csvPath).then(
        () => true,
        () => false
      )
      await appendFile(csvPath, exists ? csv : csvHeader + csv)
      await appendFile(join(this.opts.logDir, 'evaluation.jsonl'), `${JSON.stringify(row)}\n`)
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot write the evaluation log')
    }
  }

  /** Runs cycles every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.now()
      try {
        const row = await this.cycle(signal)
        this.logger.info(
          {
            icr: Number(row.icr.toFixed(3)),
            tasks: this.opts.tasks.length,
            learners: Object.keys(row.learners).length
          },
          'evaluation'
        )
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'evaluation cycle failed')
      }
      const wait = Math.max(0, this.opts.intervalMs - (this.now() - started))
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
