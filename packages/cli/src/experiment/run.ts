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
import { readFile } from 'node:fs/promises'
import { CONTROL_ROUTES, dataDirPaths, type PaceDocument, type StatusDocument } from '@l2d2c/protocol'
import { isPaced, paceLimit } from './pace.js'
import { evaluatorArgs, learnerArgs, teacherArgs } from './run-args.js'
import {
  clearRun,
  icrCsv,
  ownIcrJsonl,
  resultFile,
  runDir,
  RUN_FORMAT,
  workDir,
  type BasisImport,
  type LearnerFinal,
  type LearnerTask,
  type RunResult
} from './results.js'
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
  /** The teachers' tasks (transfer conditions; empty otherwise). */
  teacherTasks?: string[]
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
  const teachers: ChildDaemon[] = []
  const teacherStatuses: Array<StatusDocument | null> = []
  let teachersDoneAt: Date | null = null
  let learnerTasks: Array<LearnerTask[] | null> = []
  let pacedWaitMs: Array<number | null> | null = null
  const startedAt = new Date()
  const record = new SwarmRecord(c.learners)
  let stoppedBy: RunResult['stoppedBy'] = 'done'
  try {
    const start = async (name: string, args: string[]): Promise<ChildDaemon> => {
      const d = await launchDaemon(name, join(work, name), args, { timeoutMs: RUN_LAUNCH_TIMEOUT_MS, ...ctx.launch })
      launched.push(d)
      return d
    }
    const limit = startedAt.getTime() + ctx.spec.maxMinutesPerRun * 60_000
    // Transfer: the teachers learn their tasks first; the learners start once they have all finished.
    if (c.teachers > 0) {
      const teacherTasks = ctx.teacherTasks ?? []
      const head = await start('teacher-1', teacherArgs(teacherTasks, c, run.seed, 0))
      const others = await Promise.all(
        Array.from(
          { length: c.teachers - 1 },
          async (_, j) =>
            await start(`teacher-${j + 2}`, [
              ...teacherArgs(teacherTasks, c, run.seed, j + 1),
              '--bootstrap',
              addressOf(head)
            ])
        )
      )
      teachers.push(head, ...others)
      for (;;) {
        await new Promise(resolve => setTimeout(resolve, 1000))
        if (ctx.interrupted()) return null
        const looks = await Promise.all(teachers.map(async d => await readStatus(d)))
        const samples = looks.map(st => st?.totalSteps ?? 0)
        ctx.onProgress?.({ stepsPerAgent: samples.reduce((a, b) => a + b, 0) / samples.length, icr: 0 })
        looks.forEach((st, i) => {
          if (st !== null) teacherStatuses[i] = st
        })
        if (teachers.every((d, i) => d.process.exitCode !== null || looks[i]?.curriculum.done === true)) break
        if (Date.now() > limit) {
          stoppedBy = 'time-limit'
          break
        }
      }
      teachersDoneAt = new Date()
    }
    const toTeachers = teachers.flatMap(d => ['--bootstrap', addressOf(d)])
    const first = await start('learner-1', [...learnerArgs(ctx.tasks, c, run.seed, 0), ...toTeachers])
    const rest = await Promise.all(
      Array.from(
        { length: c.learners - 1 },
        async (_, j) =>
          await start(`learner-${j + 2}`, [
            ...learnerArgs(ctx.tasks, c, run.seed, j + 1),
            '--bootstrap',
            addressOf(first),
            ...toTeachers
          ])
      )
    )
    const learners = [first, ...rest]
    const evaluator = await start('evaluator', [
      ...evaluatorArgs(ctx.tasks, c, ctx.spec.evalIntervalMs),
      ...learners.flatMap(d => ['--bootstrap', addressOf(d)])
    ])
    const swarm = { learners, evaluator }
    // A learner is still training until it exits or its latest status says its curriculum is done.
    const training = (d: ChildDaemon, i: number): boolean =>
      d.process.exitCode === null && record.statuses[i]?.curriculum.done !== true
    // Pacing: each poll raises the learners' step limit to the slowest one still training plus the slack.
    const waited: Array<number | null> = learners.map(() => null)
    if (isPaced(c)) pacedWaitMs = waited
    const pace = async (): Promise<void> => {
      if (!isPaced(c)) return
      const until = paceLimit(
        learners.map((d, i) => ({ steps: record.statuses[i]?.totalSteps ?? 0, training: training(d, i) })),
        c.paceSteps
      )
      await Promise.all(
        learners.map(async (d, i) => {
          const doc = await d.client
            .post<PaceDocument>(`${CONTROL_ROUTES.pace}?until=${until}`)
            .catch(() => null /* an exited or busy learner: the next poll tries again */)
          if (doc !== null) waited[i] = doc.waitedMs
        })
      )
    }
    let doneAt: number | null = null
    for (;;) {
      if (stoppedBy === 'time-limit') break
      await new Promise(resolve => setTimeout(resolve, 1000))
      if (ctx.interrupted()) return null
      const look = await lookAt(swarm)
      const now = Date.now()
      record.add(look, now)
      await pace()
      ctx.onProgress?.({ stepsPerAgent: record.samples.at(-1)?.steps ?? 0, icr: record.latestIcr() })
      const done = learners.every((d, i) => !training(d, i))
      if (done) doneAt ??= now
      if (doneAt !== null && (rowsAfter(record, doneAt) >= 2 || now - doneAt > DONE_GRACE_MS)) break
      if (now > limit) {
        stoppedBy = 'time-limit'
        break
      }
    }
    // What each learner knows of each task (mastery steps: the transfer figure), and the teachers' last counters.
    learnerTasks = await Promise.all(learners.map(async d => await readTasks(d)))
    for (const [i, d] of teachers.entries()) teacherStatuses[i] = (await readStatus(d)) ?? teacherStatuses[i] ?? null
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
    learners: record.statuses.map(finalOf),
    ...(c.teachers > 0
      ? {
          teachers: Array.from({ length: c.teachers }, (_, i) => finalOf(teacherStatuses[i] ?? null)),
          learnersStartedAt: teachersDoneAt?.toISOString() ?? null
        }
      : {}),
    learnerTasks,
    ...(pacedWaitMs !== null ? { pacedWaitMs } : {})
  }
  // Which peers' masks each learner imported as a basis, from its log (the daemons have stopped: the logs are complete).
  if (c.importBasis > 0)
    result.basisImports = await Promise.all(launched.filter(d => d.name.startsWith('learner-')).map(basisImportsOf))
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

function finalOf(st: StatusDocument | null): LearnerFinal {
  return {
    steps: st?.totalSteps ?? 0,
    evalSteps: st?.evalSteps ?? 0,
    masksAdopted: st?.masksAdopted ?? 0,
    masksServed: st?.masksServed ?? 0,
    tasksLearned: st?.tasksLearned ?? 0,
    tasksAdopted: st?.tasksAdopted ?? 0,
    bytesSent: st?.bytesSent ?? 0,
    bytesReceived: st?.bytesReceived ?? 0
  }
}

async function readStatus(d: ChildDaemon): Promise<StatusDocument | null> {
  if (d.process.exitCode !== null) return null
  return await d.client.get<StatusDocument>(CONTROL_ROUTES.status).catch(() => null)
}

/** A learner's knowledge, per task: how and after how many of its training steps it mastered it (null: it did not answer). */
async function readTasks(d: ChildDaemon): Promise<LearnerTask[] | null> {
  if (d.process.exitCode !== null) return null
  const doc = await d.client
    .get<{ knowledge?: Array<Record<string, unknown>> }>(CONTROL_ROUTES.knowledge)
    .catch(() => null)
  if (doc === null || !Array.isArray(doc.knowledge)) return null
  return doc.knowledge.map(e => {
    const m = e.mastery as { by?: unknown; steps?: unknown } | null | undefined
    return {
      key: String(e.taskKey),
      stepsTrained: typeof e.stepsTrained === 'number' ? e.stepsTrained : 0,
      mastery:
        m !== null && m !== undefined && (m.by === 'learned' || m.by === 'adopted') && typeof m.steps === 'number'
          ? { by: m.by, steps: m.steps }
          : null
    }
  })
}

/** A learner's basis imports as its log recorded them (agent.ts importBasis); [] if the log is unreadable. */
async function basisImportsOf(d: ChildDaemon): Promise<BasisImport[]> {
  const text = await readFile(dataDirPaths(d.dataDir).log, 'utf8').catch(() => '')
  const out: BasisImport[] = []
  for (const line of text.split('\n')) {
    if (!line.includes('basis')) continue
    try {
      const e = JSON.parse(line) as { task?: unknown; from?: unknown }
      if (typeof e.task !== 'string' || !Array.isArray(e.from)) continue
      out.push({
        task: e.task,
        from: e.from.flatMap(f =>
          typeof f === 'object' && f !== null && typeof (f as { taskKey?: unknown }).taskKey === 'string'
            ? [(f as { taskKey: string }).taskKey]
            : []
        )
      })
    } catch {
      /* not a JSON line */
    }
  }
  return out
}

/** The address a node announced first: the one the others bootstrap to. */
const addressOf = (d: ChildDaemon): string => d.discovery.addrs[0] as string
