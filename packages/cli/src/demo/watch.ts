import { CONTROL_ROUTES, type EvaluationDocument, type StatusDocument } from '@l2d2c/protocol'
import type { Progress } from '../progress.js'
import { stopDaemons, type ChildDaemon, type DemoNodes } from './launcher.js'
import { icrCurve, stepsToTarget, type CurvePoint, type StepSample } from './metrics.js'
import type { DemoPlan } from './plan.js'

/** The two sides of the comparison: the collective and the lone learner. */
export type Side = 'collective' | 'single'

/** One look at the running nodes; null where a node has exited or did not answer. */
interface Snapshot {
  evaluations: Record<Side, EvaluationDocument | null>
  /** The collective's learners, in launch order. */
  learners: Array<StatusDocument | null>
  lone: StatusDocument | null
  /** When the statuses were read (ms since the epoch). */
  time: number
}

async function safe<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn()
  } catch {
    return null
  }
}

async function statusOf(d: ChildDaemon): Promise<StatusDocument | null> {
  return d.process.exitCode !== null
    ? null
    : await safe(async () => await d.client.get<StatusDocument>(CONTROL_ROUTES.status))
}

/** Reads both evaluators' results and every learner's status through their control APIs. */
async function look(nodes: DemoNodes): Promise<Snapshot> {
  const [collective, single] = await Promise.all([
    safe(async () => await nodes.evaluator.client.get<EvaluationDocument>(CONTROL_ROUTES.evaluation)),
    safe(async () => await nodes.loneEvaluator.client.get<EvaluationDocument>(CONTROL_ROUTES.evaluation))
  ])
  const learners = await Promise.all(nodes.learners.map(statusOf))
  const lone = await statusOf(nodes.lone)
  return { evaluations: { collective, single }, learners, lone, time: Date.now() }
}

/** What the run has shown so far, from which its curves and summary are made. */
export class RunRecord {
  /** Each side's evaluator rows (the latest document holds them all). */
  readonly histories: Record<Side, EvaluationDocument['history']> = { collective: [], single: [] }
  /**
   * Per-agent env steps over time, polled from the learners themselves (announcements can be
   * lost under --drop; the control API cannot). Evaluator rows are placed on this clock.
   */
  readonly samples: Record<Side, StepSample[]> = { collective: [], single: [] }
  /** Masks the collective's learners sent (to each other and to the evaluator). */
  masksExchanged = 0
  /** Of those, masks a learner verified and adopted. */
  masksAdopted = 0

  add(s: Snapshot): void {
    if (s.evaluations.collective !== null) this.histories.collective = s.evaluations.collective.history
    if (s.evaluations.single !== null) this.histories.single = s.evaluations.single.history
    // The collective's mean is sampled only from a look at which every learner answered.
    const live = s.learners.filter((x): x is StatusDocument => x !== null)
    if (live.length === s.learners.length)
      this.samples.collective.push({ t: s.time, steps: live.reduce((a, x) => a + x.totalSteps, 0) / live.length })
    if (s.lone !== null) this.samples.single.push({ t: s.time, steps: s.lone.totalSteps })
    // Masks that crossed the wire: learner to learner (adopted) and learner to evaluator.
    const served = s.learners.reduce((n, x) => n + (x?.masksServed ?? 0), 0)
    const adopted = s.learners.reduce((n, x) => n + (x?.masksAdopted ?? 0), 0)
    this.masksExchanged = Math.max(this.masksExchanged, served)
    this.masksAdopted = Math.max(this.masksAdopted, adopted)
  }

  /** A side's ICR over per-agent env steps. */
  curve(side: Side): CurvePoint[] {
    return icrCurve(this.histories[side], this.samples[side])
  }

  /** A side's most recent ICR (0 before its first evaluation). */
  latestIcr(side: Side): number {
    return this.histories[side].at(-1)?.icr ?? 0
  }
}

/** The live progress line: both sides' ICR, each learner's place in its curriculum, masks shared. */
function progressLine(k: number, record: RunRecord, s: Snapshot, secs: number): string {
  const tasksLine = s.learners
    .map((st, i) =>
      st === null
        ? `L${i + 1}:-`
        : `L${i + 1}:${st.task === null ? 'done' : `${st.curriculum.index + 1}/${st.curriculum.tasks}`}`
    )
    .join(' ')
  const lone = s.lone?.task === null || s.lone === null ? 'done' : `${s.lone.curriculum.index + 1}/${k}`
  return `[${secs}s] collective ICR ${record.latestIcr('collective').toFixed(2)}/${k} (${tasksLine}; ${record.masksExchanged} masks sent, ${record.masksAdopted} adopted by learners)  single ICR ${record.latestIcr('single').toFixed(2)}/${k} (${lone})`
}

/** Whether every learner, the collective's and the lone one, has exited or finished its curriculum. */
function learnersDone(nodes: DemoNodes, s: Snapshot): boolean {
  const done = (d: ChildDaemon, st: StatusDocument | null): boolean =>
    d.process.exitCode !== null || st?.curriculum.done === true
  return nodes.learners.every((d, i) => done(d, s.learners[i] ?? null)) && done(nodes.lone, s.lone)
}

/**
 * Polls the nodes every second, records what they report and shows it on one progress line,
 * until both sides reach the target ICR, every learner is done (plus one evaluation), the
 * --max-minutes limit passes, or the run is interrupted. Once the collective has reached the
 * target, its learners are stopped to give the lone baseline the CPU (the comparison is in
 * per-agent env steps, not wall time).
 */
export async function watchRun(
  nodes: DemoNodes,
  plan: DemoPlan,
  progress: Progress,
  started: number,
  interrupted: () => boolean
): Promise<RunRecord> {
  const record = new RunRecord()
  const k = plan.tasks.length
  let collectiveStopped = false
  let doneSince: number | null = null
  while (!interrupted()) {
    await new Promise(resolve => setTimeout(resolve, 1000))
    const snapshot = await look(nodes)
    record.add(snapshot)
    progress.update(progressLine(k, record, snapshot, Math.round((performance.now() - started) / 1000)))

    const collectiveAt = stepsToTarget(record.curve('collective'), plan.target)
    const singleReached = stepsToTarget(record.curve('single'), plan.target) !== null
    if (collectiveAt !== null && !singleReached && !collectiveStopped) {
      collectiveStopped = true
      progress.update(
        `collective reached ICR ${plan.target} at ${Math.round(collectiveAt).toLocaleString('en-US')} steps per agent; stopping its learners`,
        true
      )
      await stopDaemons([...nodes.learners, nodes.evaluator])
    }
    const bothReached = collectiveAt !== null && singleReached
    if (bothReached || learnersDone(nodes, snapshot)) {
      doneSince ??= performance.now()
      // One more evaluation after the last learner finished, so the final ICR is measured.
      if (bothReached) break
      if (performance.now() - doneSince > 5000) break
    }
    if (performance.now() - started > plan.maxMs) {
      progress.update(`stopping after --max-minutes ${plan.maxMinutes}`, true)
      break
    }
  }
  return record
}
