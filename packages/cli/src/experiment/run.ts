/**
 * Runs one condition × seed: starts its learners (the first, then the others bootstrapped to
 * it) and its evaluator (bootstrapped to every learner), polls them every second, stops them
 * once the learners have finished their curricula and the evaluator has measured the end (two
 * rows after that moment, or DONE_GRACE_MS), or the spec's time limit passes, and records the
 * result. The per-agent clock is each learner's own training steps read from its control API
 * (announcements can be lost under loss injection; the API cannot).
 */
import { join } from 'node:path'
import { launchDaemon, stopDaemons, type ChildDaemon, type LaunchOptions } from '../demo/launcher.js'
import { stepsAt } from '../demo/metrics.js'
import { DONE_GRACE_MS, lookAt, rowsAfter, SwarmRecord } from '../demo/watch.js'
import { evaluatorArgs, learnerArgs } from './run-args.js'
import { clearRun, icrCsv, ownIcrJsonl, resultFile, runDir, RUN_FORMAT, workDir, type RunResult } from './results.js'
import type { ExperimentSpec, RunPlan } from './spec.js'
import { rm } from 'node:fs/promises'

/**
 * How long a node may take to start serving. The demo's 90 s is not enough for an experiment
 * on a loaded machine: daemons of a 12-learner run start while others train, and a run that
 * fails to start only wastes the ones that did.
 */
export const RUN_LAUNCH_TIMEOUT_MS = 600_000

export interface RunContext {
  spec: ExperimentSpec
  /** The expanded task list and the best achievable ICR / target over it. */
  tasks: string[]
  optimal: number
  target: number
  out: string
  interrupted: () => boolean
  /** Called every poll with the run's latest figures (for the progress line). */
  onProgress?: (p: { stepsPerAgent: number; icr: number }) => void
  launch?: LaunchOptions
}

/** The run's result, or null if it was interrupted (nothing recorded: --resume runs it again). */
export async function executeRun(run: RunPlan, ctx: RunContext): Promise<RunResult | null> {
  await clearRun(ctx.out, run)
  const work = workDir(ctx.out, run)
  const c = run.condition
  const launched: ChildDaemon[] = []
  const startedAt = new Date()
  const record = new SwarmRecord(c.learners)
  let stoppedBy: RunResult['stoppedBy'] = 'done'
  try {
    const start = async (name: string, args: string[]): Promise<ChildDaemon> => {
      const d = await launchDaemon(name, join(work, name), args, { timeoutMs: RUN_LAUNCH_TIMEOUT_MS, ...ctx.launch })
      launched.push(d)
      return d
    }
    const first = await start('learner-1', learnerArgs(ctx.tasks, c, run.seed, 0))
    const rest = await Promise.all(
      Array.from(
        { length: c.learners - 1 },
        async (_, j) =>
          await start(`learner-${j + 2}`, [
            ...learnerArgs(ctx.tasks, c, run.seed, j + 1),
            '--bootstrap',
            addressOf(first)
          ])
      )
    )
    const learners = [first, ...rest]
    const evaluator = await start('evaluator', [
      ...evaluatorArgs(ctx.tasks, c, ctx.spec.evalIntervalMs),
      ...learners.flatMap(d => ['--bootstrap', addressOf(d)])
    ])
    const swarm = { learners, evaluator }
    const limit = startedAt.getTime() + ctx.spec.maxMinutesPerRun * 60_000
    let doneAt: number | null = null
    for (;;) {
      await new Promise(resolve => setTimeout(resolve, 1000))
      if (ctx.interrupted()) return null
      const look = await lookAt(swarm)
      const now = Date.now()
      record.add(look, now)
      ctx.onProgress?.({ stepsPerAgent: record.samples.at(-1)?.steps ?? 0, icr: record.latestIcr() })
      const done = learners.every((d, i) => d.process.exitCode !== null || look.learners[i]?.curriculum.done === true)
      if (done) doneAt ??= now
      if (doneAt !== null && (rowsAfter(record, doneAt) >= 2 || now - doneAt > DONE_GRACE_MS)) break
      if (now > limit) {
        stoppedBy = 'time-limit'
        break
      }
    }
  } finally {
    await stopDaemons(launched)
  }
  const result: RunResult = {
    format: RUN_FORMAT,
    spec: ctx.spec.name,
    condition: c,
    seed: run.seed,
    tasks: ctx.tasks,
    optimal: ctx.optimal,
    target: ctx.target,
    stoppedBy,
    startedAt: startedAt.toISOString(),
    wallSeconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    stepsPerAgent: Math.round(record.samples.at(-1)?.steps ?? 0),
    curve: record.curve(),
    ownIcr: record.ownIcr.map(h => h.map(p => ({ steps: p.steps, ownIcr: p.ownIcr }))),
    learners: record.statuses.map(st => ({
      steps: st?.totalSteps ?? 0,
      evalSteps: st?.evalSteps ?? 0,
      masksAdopted: st?.masksAdopted ?? 0,
      masksServed: st?.masksServed ?? 0,
      tasksLearned: st?.tasksLearned ?? 0,
      tasksAdopted: st?.tasksAdopted ?? 0,
      bytesSent: st?.bytesSent ?? 0,
      bytesReceived: st?.bytesReceived ?? 0
    }))
  }
  const { writeFileAtomic } = await import('@l2d2c/agent')
  const dir = runDir(ctx.out, run)
  await writeFileAtomic(
    join(dir, 'icr.csv'),
    icrCsv(ctx.tasks, record.history, t => stepsAt(record.samples, t), startedAt.getTime())
  )
  await writeFileAtomic(join(dir, 'own-icr.jsonl'), ownIcrJsonl(record.ownIcr))
  await writeFileAtomic(resultFile(ctx.out, run), `${JSON.stringify(result)}\n`)
  await rm(work, { recursive: true, force: true })
  return result
}

/** The address a node announced first: the one the others bootstrap to. */
const addressOf = (d: ChildDaemon): string => d.discovery.addrs[0] as string
