/**
 * An experiment's output folder: the spec it ran (spec.json), and per run
 * `runs/<condition>/seed-<s>/` with `result.json` (everything the report needs: the collective
 * ICR curve on the per-agent step clock, every learner's own-ICR sweeps and final counters),
 * `icr.csv` (the evaluator's rows: wall time, steps per agent, ICR, the return per task) and
 * `own-icr.jsonl` (one line per own-ICR sweep of each learner). result.json is written last and
 * atomically: a run folder without it is an unfinished run, which --resume runs again. The
 * nodes' data dirs live under `work/` while a run goes and are removed once it is recorded.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CliError, ExitCode } from '../exit-codes.js'
import type { CurvePoint, OwnIcrSample } from './metrics.js'
import type { Condition, ExperimentSpec, RunPlan } from './spec.js'

export const RUN_FORMAT = 'l2d2c-experiment-run/1'

/** What one learner reported last. */
export interface LearnerFinal {
  steps: number
  evalSteps: number
  masksAdopted: number
  masksServed: number
  tasksLearned: number
  tasksAdopted: number
  bytesSent: number
  bytesReceived: number
}

/** What a learner knew of one task at the end (its /v1/knowledge entry, reduced). */
export interface LearnerTask {
  key: string
  /** Env steps it trained on the task. */
  stepsTrained: number
  /** How it mastered the task and its training steps on it then (null: not mastered). */
  mastery: { by: 'learned' | 'adopted'; steps: number } | null
}

export interface RunResult {
  format: typeof RUN_FORMAT
  spec: string
  condition: Condition
  seed: number
  tasks: string[]
  /** Σ of the tasks' optimal returns (the best achievable ICR). */
  optimal: number
  /** 15/16 of it (demo/metrics.ts icrTarget): the target TA's percentages refer to. */
  target: number
  /** 'done': learners finished and the evaluator measured the end; 'time-limit': maxMinutesPerRun passed first. */
  stoppedBy: 'done' | 'time-limit'
  startedAt: string
  wallSeconds: number
  /** Mean env steps per learner at the end. */
  stepsPerAgent: number
  /** Collective ICR over mean env steps per learner. */
  curve: CurvePoint[]
  /** Each learner's own-ICR sweeps over its own env steps. */
  ownIcr: OwnIcrSample[][]
  learners: LearnerFinal[]
  /** Transfer conditions: the teachers' final counters, and when the learners started (after every teacher finished). */
  teachers?: LearnerFinal[]
  learnersStartedAt?: string | null
  /** Each learner's tasks at the end (absent in results recorded before it was kept; null: it did not answer). */
  learnerTasks?: Array<LearnerTask[] | null>
  /** Conditions with importBasis: per learner, each task it started and the tasks of the basis masks it imported then. */
  basisImports?: BasisImport[][]
  /**
   * Paced conditions: per learner, the milliseconds its training waited for the slowest learner
   * (its last answer to the pace; null: it never answered). Absent when unpaced.
   */
  pacedWaitMs?: Array<number | null>
}

/** One task start of a learner with --import-basis: the tasks whose peers' masks it imported (empty: none). */
export interface BasisImport {
  task: string
  from: string[]
}

export const specFile = (out: string): string => join(out, 'spec.json')
export const runDir = (out: string, run: Pick<RunPlan, 'id'>): string => join(out, 'runs', run.id)
export const workDir = (out: string, run: Pick<RunPlan, 'id'>): string => join(out, 'work', run.id)
export const resultFile = (out: string, run: Pick<RunPlan, 'id'>): string => join(runDir(out, run), 'result.json')

function isRunResult(v: unknown): v is RunResult {
  const r = v as Partial<RunResult> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    r.format === RUN_FORMAT &&
    typeof r.seed === 'number' &&
    Array.isArray(r.curve) &&
    Array.isArray(r.ownIcr) &&
    Array.isArray(r.learners)
  )
}

/** A run's result, or null if it has none (not run, or not finished). A damaged file is an error (exit 3). */
export async function readRunResult(file: string): Promise<RunResult | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new CliError(`${file} is not valid JSON; remove it to run that run again`, ExitCode.UNAVAILABLE)
  }
  if (!isRunResult(doc))
    throw new CliError(`${file} is not an experiment run result (${RUN_FORMAT})`, ExitCode.UNAVAILABLE)
  return doc
}

/** Every run result under an experiment folder (any condition, any seed), in path order. */
export async function readAllResults(out: string): Promise<RunResult[]> {
  const runs = join(out, 'runs')
  const conditions = await readdir(runs, { withFileTypes: true }).catch(() => [])
  const results: RunResult[] = []
  for (const c of conditions.filter(e => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const seeds = await readdir(join(runs, c.name), { withFileTypes: true })
    for (const s of seeds
      .filter(e => e.isDirectory())
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      const r = await readRunResult(join(runs, c.name, s.name, 'result.json'))
      if (r !== null) results.push(r)
    }
  }
  return results
}

/** spec.json: the spec an experiment folder was run with, and the file it was read from (as given). */
export interface SavedSpec {
  source: string
  spec: ExperimentSpec
}

/** The spec an experiment folder was run with (null: none yet). */
export async function readSavedSpec(out: string): Promise<SavedSpec | null> {
  try {
    const doc = JSON.parse(await readFile(specFile(out), 'utf8')) as Partial<SavedSpec>
    if (typeof doc.source !== 'string' || typeof doc.spec !== 'object' || doc.spec === null)
      throw new Error('not an experiment spec record')
    return doc as SavedSpec
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new CliError(`${specFile(out)} is unreadable: ${(err as Error).message}`, ExitCode.UNAVAILABLE)
  }
}

/** Removes what an unfinished run left (its run folder and its nodes' data dirs) before it runs again. */
export async function clearRun(out: string, run: RunPlan): Promise<void> {
  await rm(runDir(out, run), { recursive: true, force: true })
  await rm(workDir(out, run), { recursive: true, force: true })
  await mkdir(runDir(out, run), { recursive: true })
}

/** The evaluator's rows as CSV: time, wall seconds since the run started, steps per agent, ICR, the return per task. */
export function icrCsv(
  tasks: readonly string[],
  rows: ReadonlyArray<{ time: string; icr: number; perTask: Record<string, number> }>,
  stepsAt: (t: number) => number,
  started: number
): string {
  const lines = [['time', 'wall_s', 'steps_per_agent', 'icr', ...tasks].join(',')]
  for (const r of rows) {
    const t = Date.parse(r.time)
    lines.push(
      [
        r.time,
        ((t - started) / 1000).toFixed(1),
        Math.round(stepsAt(t)),
        r.icr.toFixed(4),
        ...tasks.map(k => (r.perTask[k] ?? 0).toFixed(4))
      ].join(',')
    )
  }
  return `${lines.join('\n')}\n`
}

/** Each learner's own-ICR sweeps, one JSON line per sweep. */
export function ownIcrJsonl(histories: ReadonlyArray<ReadonlyArray<OwnIcrSample & { time?: string }>>): string {
  return histories
    .flatMap((h, i) => h.map(p => JSON.stringify({ learner: i + 1, steps: p.steps, time: p.time, ownIcr: p.ownIcr })))
    .map(l => `${l}\n`)
    .join('')
}
