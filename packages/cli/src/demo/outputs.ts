import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { dataDirPaths } from '@l2d2c/protocol'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'
import { stepsToTarget, type CurvePoint } from './metrics.js'
import { NODE_NAMES, type DemoPlan } from './plan.js'
import { demoPlot } from './plot.js'
import type { RunRecord } from './watch.js'

/** The files a demo run writes at the top of --out, beside its nodes' data dirs. */
export const DEMO_FILES = { summary: 'summary.json', plot: 'icr.svg' } as const

/** The names a demo run writes under --out (learnerName, NODE_NAMES, DEMO_FILES); nothing else there is looked at. */
function isDemoOutput(name: string): boolean {
  return (
    /^learner-[0-9]+$/.test(name) ||
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

/** summary.json, and the `--json` document of the demo. */
export interface DemoSummary {
  agents: number
  tasks: number
  target: number
  collective: { stepsToTarget: number | null; finalIcr: number }
  single: { stepsToTarget: number | null; finalIcr: number }
  speedup: number | null
  plot: string
  env: string
  stepsPerTask: number
  out: string
  wallSeconds: number
  /** Masks the collective's learners sent (to each other and to the evaluator). */
  masksExchanged: number
  /** Of those, masks a learner verified and adopted. */
  masksAdopted: number
  interrupted: boolean
  curves: { collective: CurvePoint[]; single: CurvePoint[] }
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000

/**
 * Writes the run's results under --out: the plot (icr.svg), then summary.json, which it
 * returns. `started` is the performance.now() at which the run began (for its wall time).
 */
export async function writeDemoOutputs(
  plan: DemoPlan,
  record: RunRecord,
  run: { started: number; interrupted: boolean }
): Promise<DemoSummary> {
  const curves = { collective: record.curve('collective'), single: record.curve('single') }
  const c = stepsToTarget(curves.collective, plan.target)
  const s = stepsToTarget(curves.single, plan.target)
  const plotPath = join(plan.out, DEMO_FILES.plot)
  const { writeFileAtomic } = await import('@l2d2c/agent')
  await writeFileAtomic(plotPath, demoPlot(plan, curves, { collective: c, single: s }))
  const summary: DemoSummary = {
    agents: plan.agents,
    tasks: plan.tasks.length,
    target: plan.target,
    collective: { stepsToTarget: c === null ? null : Math.round(c), finalIcr: round3(record.latestIcr('collective')) },
    single: { stepsToTarget: s === null ? null : Math.round(s), finalIcr: round3(record.latestIcr('single')) },
    speedup: c !== null && s !== null && c > 0 ? round3(s / c) : null,
    plot: plotPath,
    env: plan.env,
    stepsPerTask: plan.stepsPerTask,
    out: plan.out,
    wallSeconds: Math.round((performance.now() - run.started) / 1000),
    masksExchanged: record.masksExchanged,
    masksAdopted: record.masksAdopted,
    interrupted: run.interrupted,
    curves
  }
  await writeFileAtomic(join(plan.out, DEMO_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`)
  return summary
}
