/**
 * Runs every condition × seed of a spec (README "Experiments"): loads and checks the spec,
 * prepares the output folder (refusing one with results unless --resume, and a --resume with
 * another spec), then starts runs as the scheduler allows (schedule.ts), with a progress line
 * and an ETA on stderr. A run that fails to start is reported and the others go on; its
 * nodes' logs stay under work/ for diagnosis.
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { CliError, ExitCode } from '../exit-codes.js'
import { icrTarget } from '../demo/metrics.js'
import type { LaunchOptions } from '../demo/launcher.js'
import type { Progress } from '../progress.js'
import { readAllResults, readRunResult, readSavedSpec, resultFile, specFile, type SavedSpec } from './results.js'
import { executeRun } from './run.js'
import { claimOf, etaSeconds, formatDuration, runsToStart, type RunTiming } from './schedule.js'
import { parseSpec, runsOf, SpecError, type ExperimentSpec, type RunPlan } from './spec.js'

/** A spec with its task list expanded and its target worked out. */
export interface LoadedSpec {
  /** The file as given on the command line. */
  source: string
  spec: ExperimentSpec
  tasks: string[]
  /** The teachers' tasks, expanded (empty without teachers). */
  teacherTasks: string[]
  optimal: number
  target: number
}

/** Reads, parses and checks a spec file, expanding its task list from the catalogue. */
export async function loadSpec(file: string): Promise<LoadedSpec> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.UNAVAILABLE)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new SpecError(file, `not valid JSON (${(err as Error).message})`)
  }
  const spec = parseSpec(doc, file)
  const envs = await import('@l2d2c/agent/envs')
  let all: string[]
  try {
    all = envs.expandTaskList(spec.tasks)
  } catch (err) {
    if (err instanceof envs.TaskKeyError) throw new SpecError(file, `tasks: ${err.message}`)
    throw err
  }
  if (spec.taskCount !== null && spec.taskCount > all.length)
    throw new SpecError(file, `taskCount: ${spec.taskCount} is more than the ${all.length} tasks listed`)
  const tasks = spec.taskCount === null ? all : all.slice(0, spec.taskCount)
  let teacherTasks: string[] = []
  try {
    teacherTasks = spec.teacherTasks === null ? [] : envs.expandTaskList(spec.teacherTasks)
  } catch (err) {
    if (err instanceof envs.TaskKeyError) throw new SpecError(file, `teacherTasks: ${err.message}`)
    throw err
  }
  const returns = tasks.map(t => envs.taskSpec(t).optimalReturn)
  return {
    source: file,
    spec,
    tasks,
    teacherTasks,
    optimal: returns.reduce((a, b) => a + b, 0),
    target: icrTarget(returns)
  }
}

export interface ExperimentOptions {
  out: string
  resume: boolean
  /** Cores to schedule on (default: this machine's). */
  cores?: number
  launch?: LaunchOptions
}

export interface ExperimentSummary {
  spec: string
  out: string
  runs: number
  /** Runs already recorded before this invocation (--resume). */
  resumed: number
  /** Runs recorded by this invocation. */
  completed: number
  /** Runs that ended at maxMinutesPerRun (recorded, and marked so in their result). */
  timeLimited: number
  failed: Array<{ run: string; error: string }>
  interrupted: boolean
  cores: number
  wallSeconds: number
}

/** Prepares the output folder: refuses an experiment folder's results without --resume, and a resume with another spec. */
async function prepareOut(loaded: LoadedSpec, o: ExperimentOptions): Promise<void> {
  const saved = await readSavedSpec(o.out)
  const existing = await readAllResults(o.out)
  if (!o.resume && (saved !== null || existing.length > 0))
    throw new CliError(
      `${o.out} holds a previous experiment (${specFile(o.out)}); pass --resume to continue it, or choose another --out`,
      ExitCode.USAGE
    )
  if (saved !== null && JSON.stringify(saved.spec) !== JSON.stringify(loaded.spec))
    throw new CliError(
      `${o.out} was run with another spec than this one (${saved.spec.name}); --resume needs the same spec`,
      ExitCode.USAGE
    )
  const { writeFileAtomic } = await import('@l2d2c/agent')
  const record: SavedSpec = { source: loaded.source, spec: loaded.spec }
  await writeFileAtomic(specFile(o.out), `${JSON.stringify(record, null, 2)}\n`)
}

interface Running {
  run: RunPlan
  claim: number
  started: number
  steps: number
  icr: number
  done: Promise<void>
}

/** Runs the spec's runs that have no result yet under o.out. */
export async function runExperiment(
  loaded: LoadedSpec,
  o: ExperimentOptions,
  progress: Progress,
  interrupted: () => boolean
): Promise<ExperimentSummary> {
  const out = resolve(o.out)
  await prepareOut(loaded, { ...o, out })
  const cores = o.cores ?? availableParallelism()
  const started = performance.now()
  const all = runsOf(loaded.spec)
  const pending: RunPlan[] = []
  // Runs recorded before (--resume) inform the ETA as well as the runs of this invocation.
  const timings: RunTiming[] = []
  for (const run of all) {
    const recorded = await readRunResult(resultFile(out, run))
    if (recorded === null) pending.push(run)
    else
      timings.push({
        condition: run.condition.name,
        claim: claimOf(Math.max(run.condition.learners, run.condition.teachers), cores),
        seconds: recorded.wallSeconds,
        elapsed: 0
      })
  }
  const summary: ExperimentSummary = {
    spec: loaded.spec.name,
    out,
    runs: all.length,
    resumed: all.length - pending.length,
    completed: 0,
    timeLimited: 0,
    failed: [],
    interrupted: false,
    cores,
    wallSeconds: 0
  }
  const running = new Set<Running>()
  const line = (): string => {
    const now = performance.now()
    const active = [...running].map(r => ({
      condition: r.run.condition.name,
      claim: r.claim,
      seconds: null,
      elapsed: (now - r.started) / 1000
    }))
    const waiting = pending.map(r => ({
      condition: r.condition.name,
      claim: claimOf(Math.max(r.condition.learners, r.condition.teachers), cores),
      seconds: null,
      elapsed: 0
    }))
    const eta = etaSeconds([...timings, ...active, ...waiting], cores)
    const done = summary.resumed + summary.completed + summary.failed.length
    const now_ = [...running]
      .map(r => `${r.run.id} ${Math.round(r.steps).toLocaleString('en-US')} steps/agent, ICR ${r.icr.toFixed(2)}`)
      .join('; ')
    return `[${loaded.spec.name}] ${done}/${all.length} runs done${now_ ? ` | ${now_}` : ''} | ETA ${eta === null ? 'after the first run' : formatDuration(eta)}`
  }
  const start = (run: RunPlan): void => {
    const entry: Running = {
      run,
      claim: claimOf(Math.max(run.condition.learners, run.condition.teachers), cores),
      started: performance.now(),
      steps: 0,
      icr: 0,
      done: Promise.resolve()
    }
    entry.done = (async () => {
      try {
        const result = await executeRun(run, {
          spec: loaded.spec,
          tasks: loaded.tasks,
          teacherTasks: loaded.teacherTasks,
          optimal: loaded.optimal,
          target: loaded.target,
          out,
          interrupted,
          onProgress: p => {
            entry.steps = p.stepsPerAgent
            entry.icr = p.icr
          },
          ...(o.launch !== undefined ? { launch: o.launch } : {})
        })
        if (result !== null) {
          summary.completed++
          if (result.stoppedBy === 'time-limit') summary.timeLimited++
          timings.push({ condition: run.condition.name, claim: entry.claim, seconds: result.wallSeconds, elapsed: 0 })
          progress.update(
            `[${loaded.spec.name}] ${run.id}: recorded (${result.wallSeconds} s, ${result.stoppedBy})`,
            true
          )
        }
      } catch (err) {
        summary.failed.push({ run: run.id, error: (err as Error).message })
        progress.update(`[${loaded.spec.name}] ${run.id} failed: ${(err as Error).message}`, true)
      } finally {
        running.delete(entry)
      }
    })()
    running.add(entry)
  }
  while (!interrupted() && (pending.length > 0 || running.size > 0)) {
    const free = cores - [...running].reduce((a, r) => a + r.claim, 0)
    const chosen = runsToStart(
      pending.map(r => claimOf(Math.max(r.condition.learners, r.condition.teachers), cores)),
      running.size === 0 ? Math.max(free, cores) : free
    )
    const next = chosen.map(i => pending[i] as RunPlan)
    for (const i of [...chosen].reverse()) pending.splice(i, 1)
    for (const run of next) start(run)
    progress.update(line())
    await Promise.race([...[...running].map(r => r.done), new Promise(r => setTimeout(r, 1000))])
  }
  await Promise.all([...running].map(r => r.done))
  summary.interrupted = interrupted()
  summary.wallSeconds = Math.round((performance.now() - started) / 1000)
  return summary
}
