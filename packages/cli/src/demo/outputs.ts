import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { dataDirPaths } from '@l2d2c/protocol'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'
import { speedup, stepsToTarget, type CurvePoint } from './metrics.js'
import { isolatedLearnerName, LEARNER_NAME_PATTERN, learnerName, NODE_NAMES, type DemoPlan } from './plan.js'
import { demoPlot } from './plot.js'
import type { RunRecord, SwarmRecord } from './watch.js'

/** The files a demo run writes at the top of --out, beside its nodes' data dirs. */
export const DEMO_FILES = { summary: 'summary.json', plot: 'icr.svg' } as const

/**
 * The names a demo run writes under --out (learnerName, isolatedLearnerName, NODE_NAMES,
 * DEMO_FILES); nothing else there is looked at.
 */
function isDemoOutput(name: string): boolean {
  return (
    LEARNER_NAME_PATTERN.test(name) ||
    (Object.values(NODE_NAMES) as string[]).includes(name) ||
    (Object.values(DEMO_FILES) as string[]).includes(name)
  )
}

/** A daemon data dir has a log (the launcher's) or a peer key (the daemon's) in it. */
async function isDemoDataDir(dir: string): Promise<boolean> {
  const paths = dataDirPaths(dir)
  for (const file of [paths.log, paths.peerKey]) {
    if (
      await stat(file).then(
        s => s.isFile(),
        () => false
      )
    )
      return true
  }
  return false
}

async function isDemoSummary(file: string): Promise<boolean> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as unknown
    return typeof doc === 'object' && doc !== null && 'agents' in doc && 'curves' in doc
  } catch {
    return false
  }
}

/** Creates --out if needed and clears a previous run's outputs from it (see clearPreviousRun). */
export async function prepareOutDir(out: string, io: Pick<Io, 'stderr'>): Promise<void> {
  await mkdir(out, { recursive: true })
  await clearPreviousRun(out, io)
}

/**
 * Removes a previous demo run's outputs from `out`. Its daemons would otherwise resume their
 * data dirs (same peer key, masks and curriculum position) and train nothing, and the curves
 * would be wrong. Only what a demo evidently wrote goes: a demo-named directory must hold a
 * daemon log or peer key, summary.json must be a demo summary, and icr.svg goes only with it.
 * Anything else under a demo name is the user's, and the run is refused (exit 2) rather than
 * deleting it or writing into it; a demo daemon still running there is refused too (exit 3).
 * Everything is checked before anything is removed.
 */
export async function clearPreviousRun(out: string, io: Pick<Io, 'stderr'>): Promise<void> {
  const previous = (await readdir(out, { withFileTypes: true }).catch(() => [])).filter(e => isDemoOutput(e.name))
  const summary =
    previous.some(e => e.name === DEMO_FILES.summary) && (await isDemoSummary(join(out, DEMO_FILES.summary)))
  const foreign: string[] = []
  for (const e of previous) {
    const path = join(out, e.name)
    if (e.name === DEMO_FILES.summary || e.name === DEMO_FILES.plot) {
      if (!summary || !e.isFile()) foreign.push(e.name)
    } else if (!e.isDirectory() || !(await isDemoDataDir(path))) {
      foreign.push(e.name)
    } else {
      const { lockHolder } = await import('@l2d2c/agent') // loaded only when there is a previous run
      const pid = await lockHolder(path)
      if (pid !== null)
        throw new CliError(
          `a previous demo is still running in ${out} (${e.name}: daemon pid ${pid}); stop it or choose another --out`,
          ExitCode.UNAVAILABLE
        )
    }
  }
  if (foreign.length > 0) {
    throw new CliError(
      `${out} holds ${foreign.sort().join(', ')}, which a demo would overwrite but did not write; choose another --out`,
      ExitCode.USAGE
    )
  }
  if (previous.length === 0) return
  const names = previous.map(e => e.name).sort()
  io.stderr.write(`l2d2c demo: removing the previous run's outputs in ${out}: ${names.join(', ')}\n`)
  await Promise.all(
    names.map(async name => {
      await rm(join(out, name), { recursive: true, force: true })
    })
  )
}

/** A collective's mean agent: when it could do all but one task itself, and its own ICR at the end. */
export interface AgentsSide {
  /** Env steps per agent at which the mean agent's own ICR first reached tasks − 1 (null: never). */
  stepsToTarget: number | null
  finalOwnIcr: number
}

/** summary.json, and the `--json` document of the demo. */
export interface DemoSummary {
  /**
   * The sharing effect on each agent's own capability: the mean agent of the sharing and the
   * isolated collective (own ICR target tasks − 1, steps per agent), and isolated / sharing.
   * `count` is the number of learners in each collective.
   */
  agents: { count: number; sharing: AgentsSide; isolated: AgentsSide; speedup: number | null }
  tasks: number
  target: number
  /** The sharing collective's ICR (its evaluator). */
  collective: { stepsToTarget: number | null; finalIcr: number }
  /** The lone agent's ICR (its evaluator). */
  single: { stepsToTarget: number | null; finalIcr: number }
  /** Collective ICR time to target, single / sharing collective. */
  speedup: number | null
  /** The isolated collective's ICR (its evaluator). */
  isolatedCollective: { stepsToTarget: number | null; finalIcr: number }
  /** Masks each learner of the sharing collective verified and adopted, by data-dir name. */
  adoptions: Record<string, number>
  /** Bytes the sharing collective's learners sent (l2d2c protocols and announcements). */
  bytesSent: number
  plot: string
  env: string
  stepsPerTask: number
  out: string
  wallSeconds: number
  /** Masks the sharing collective's learners sent (to each other and to the evaluator). */
  masksExchanged: number
  /** Of those, masks a learner verified and adopted. */
  masksAdopted: number
  interrupted: boolean
  /**
   * Collective ICR of the sharing collective, the lone agent and the isolated collective; own
   * ICR of the mean agent of the sharing and of the isolated collective (all over steps per agent).
   */
  curves: {
    collective: CurvePoint[]
    single: CurvePoint[]
    isolated: CurvePoint[]
    agentsSharing: CurvePoint[]
    agentsIsolated: CurvePoint[]
  }
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000

/** What one learner reported last: the per-agent table the demo prints on stderr. */
export interface LearnerReport {
  name: string
  /** Training env steps. */
  steps: number
  evalSteps: number | null
  /** Its latest own-ICR sweep (null: none). */
  ownIcr: number | null
  tasksLearned: number | null
  tasksAdopted: number | null
  stepsSaved: number | null
  masksAdopted: number
  bytesSent: number | null
  bytesReceived: number | null
}

/** Each learner of the two collectives, as it last reported (fields its daemon does not report are null). */
export function learnerReports(record: RunRecord): LearnerReport[] {
  const rows = (r: SwarmRecord, name: (i: number) => string): LearnerReport[] =>
    r.statuses.map((st, i) => ({
      name: name(i),
      steps: st?.totalSteps ?? 0,
      evalSteps: st?.evalSteps ?? null,
      ownIcr: r.ownIcr[i]?.at(-1)?.ownIcr ?? null,
      tasksLearned: st?.tasksLearned ?? null,
      tasksAdopted: st?.tasksAdopted ?? null,
      stepsSaved: st?.stepsSaved ?? null,
      masksAdopted: st?.masksAdopted ?? 0,
      bytesSent: st?.bytesSent ?? null,
      bytesReceived: st?.bytesReceived ?? null
    }))
  return [...rows(record.swarms.sharing, learnerName), ...rows(record.swarms.isolated, isolatedLearnerName)]
}
const roundOrNull = (v: number | null): number | null => (v === null ? null : Math.round(v))

/**
 * Writes the run's results under --out: the plot (icr.svg), then summary.json, which it
 * returns. `started` is the performance.now() at which the run began (for its wall time).
 */
export async function writeDemoOutputs(
  plan: DemoPlan,
  record: RunRecord,
  run: { started: number; interrupted: boolean }
): Promise<DemoSummary> {
  const { sharing, isolated, lone } = record.swarms
  const curves = {
    collective: sharing.curve(),
    single: lone.curve(),
    isolated: isolated.curve(),
    agentsSharing: sharing.agentsCurve(),
    agentsIsolated: isolated.agentsCurve()
  }
  const reached = {
    collective: stepsToTarget(curves.collective, plan.target),
    single: stepsToTarget(curves.single, plan.target),
    isolated: stepsToTarget(curves.isolated, plan.target),
    agentsSharing: stepsToTarget(curves.agentsSharing, plan.ownTarget),
    agentsIsolated: stepsToTarget(curves.agentsIsolated, plan.ownTarget)
  }
  const plotPath = join(plan.out, DEMO_FILES.plot)
  const { writeFileAtomic } = await import('@l2d2c/agent')
  await writeFileAtomic(plotPath, demoPlot(plan, curves, reached))
  const summary: DemoSummary = {
    agents: {
      count: plan.agents,
      sharing: { stepsToTarget: roundOrNull(reached.agentsSharing), finalOwnIcr: round3(sharing.latestOwnIcr()) },
      isolated: { stepsToTarget: roundOrNull(reached.agentsIsolated), finalOwnIcr: round3(isolated.latestOwnIcr()) },
      speedup: speedup(reached.agentsIsolated, reached.agentsSharing)
    },
    tasks: plan.tasks.length,
    target: plan.target,
    collective: { stepsToTarget: roundOrNull(reached.collective), finalIcr: round3(sharing.latestIcr()) },
    single: { stepsToTarget: roundOrNull(reached.single), finalIcr: round3(lone.latestIcr()) },
    speedup: speedup(reached.single, reached.collective),
    isolatedCollective: { stepsToTarget: roundOrNull(reached.isolated), finalIcr: round3(isolated.latestIcr()) },
    adoptions: Object.fromEntries(sharing.statuses.map((st, i) => [learnerName(i), st?.masksAdopted ?? 0])),
    bytesSent: sharing.total('bytesSent'),
    plot: plotPath,
    env: plan.env,
    stepsPerTask: plan.stepsPerTask,
    out: plan.out,
    wallSeconds: Math.round((performance.now() - run.started) / 1000),
    masksExchanged: sharing.total('masksServed'),
    masksAdopted: sharing.total('masksAdopted'),
    interrupted: run.interrupted,
    curves
  }
  await writeFileAtomic(join(plan.out, DEMO_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`)
  return summary
}
