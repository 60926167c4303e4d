import {
  CONTROL_ROUTES,
  type EvaluationDocument,
  type OwnIcrDocument,
  type OwnIcrPoint,
  type StatusDocument
} from '@l2d2c/protocol'
import type { Progress } from '../progress.js'
import { stopDaemons, SWARMS, type ChildDaemon, type DemoNodes, type Swarm, type SwarmName } from './launcher.js'
import { icrCurve, meanOwnIcrCurve, stepsToTarget, type CurvePoint, type StepSample } from './metrics.js'
import type { DemoPlan } from './plan.js'

/** One look at a swarm's nodes; null where a node has exited or did not answer. */
export interface SwarmLook {
  evaluation: EvaluationDocument | null
  /** Its learners, in launch order. */
  learners: Array<StatusDocument | null>
  /** Its learners' own-ICR sweeps (null also from a daemon that does not serve them). */
  ownIcr: Array<OwnIcrDocument | null>
}

/** One look at the running swarms (a stopped swarm is not looked at). */
export interface Snapshot {
  swarms: Partial<Record<SwarmName, SwarmLook>>
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

async function read<T>(d: ChildDaemon, route: string): Promise<T | null> {
  return d.process.exitCode !== null ? null : await safe(async () => await d.client.get<T>(route))
}

/** Reads a swarm's evaluation, and every learner's status and own-ICR sweeps, through their control APIs. */
async function lookAt(swarm: Swarm): Promise<SwarmLook> {
  const [evaluation, learners, ownIcr] = await Promise.all([
    read<EvaluationDocument>(swarm.evaluator, CONTROL_ROUTES.evaluation),
    Promise.all(swarm.learners.map(async d => await read<StatusDocument>(d, CONTROL_ROUTES.status))),
    Promise.all(swarm.learners.map(async d => await read<OwnIcrDocument>(d, CONTROL_ROUTES.ownIcr)))
  ])
  return { evaluation, learners, ownIcr }
}

/** What the run has shown of one swarm so far. */
export class SwarmRecord {
  /** Its evaluator's rows (the latest document holds them all). */
  history: EvaluationDocument['history'] = []
  /**
   * Mean env steps per learner over time, polled from the learners themselves (announcements
   * can be lost under --drop; the control API cannot). Evaluator rows are placed on this clock.
   */
  readonly samples: StepSample[] = []
  /** Each learner's latest status (kept once it stops answering: its counters only grow). */
  readonly statuses: Array<StatusDocument | null>
  /** Each learner's own-ICR sweeps (the latest document holds them all). */
  readonly ownIcr: OwnIcrPoint[][]

  constructor(readonly learners: number) {
    this.statuses = Array.from({ length: learners }, () => null)
    this.ownIcr = Array.from({ length: learners }, () => [])
  }

  add(look: SwarmLook, time: number): void {
    if (look.evaluation !== null) this.history = look.evaluation.history
    look.learners.forEach((st, i) => {
      if (st !== null) this.statuses[i] = st
    })
    look.ownIcr.forEach((doc, i) => {
      if (doc !== null && Array.isArray(doc.history)) this.ownIcr[i] = doc.history
    })
    // The mean is sampled only from a look at which every learner answered.
    const live = look.learners.filter((x): x is StatusDocument => x !== null)
    if (live.length === look.learners.length && live.length > 0)
      this.samples.push({ t: time, steps: live.reduce((a, x) => a + x.totalSteps, 0) / live.length })
  }

  /** The collective ICR (its evaluator's rows) over per-agent env steps. */
  curve(): CurvePoint[] {
    return icrCurve(this.history, this.samples)
  }

  /** The mean agent's own ICR over per-agent env steps. */
  agentsCurve(): CurvePoint[] {
    return meanOwnIcrCurve(this.ownIcr)
  }

  /** The most recent collective ICR (0 before its first evaluation). */
  latestIcr(): number {
    return this.history.at(-1)?.icr ?? 0
  }

  /** The mean agent's most recent own ICR (0 before the first sweep). */
  latestOwnIcr(): number {
    return this.agentsCurve().at(-1)?.icr ?? 0
  }

  /** Sum of a status counter over the learners (their latest statuses); a missing field counts 0. */
  total(field: 'masksServed' | 'masksAdopted' | 'bytesSent' | 'bytesReceived'): number {
    return this.statuses.reduce((n, st) => n + (st?.[field] ?? 0), 0)
  }
}

/** What the run has shown so far, from which its curves and summary are made. */
export class RunRecord {
  readonly swarms: Record<SwarmName, SwarmRecord>

  constructor(agents: number) {
    this.swarms = { sharing: new SwarmRecord(agents), isolated: new SwarmRecord(agents), lone: new SwarmRecord(1) }
  }

  add(s: Snapshot): void {
    for (const name of SWARMS) {
      const look = s.swarms[name]
      if (look !== undefined) this.swarms[name].add(look, s.time)
    }
  }
}

/** Whether every learner of a swarm has exited or finished its curriculum, at this look. */
function learnersDone(swarm: Swarm, look: SwarmLook): boolean {
  return swarm.learners.every((d, i) => d.process.exitCode !== null || look.learners[i]?.curriculum.done === true)
}

/** The swarm's targets, as far as reached: the collective ICR, and for a collective its mean agent's own ICR. */
function targetsReached(name: SwarmName, r: SwarmRecord, plan: DemoPlan): boolean {
  const collective = stepsToTarget(r.curve(), plan.target) !== null
  return name === 'lone' ? collective : collective && stepsToTarget(r.agentsCurve(), plan.ownTarget) !== null
}

const LABELS: Record<SwarmName, string> = { sharing: 'sharing', isolated: 'isolated', lone: 'lone' }

/** The live progress line: each swarm's collective ICR, its mean agent's own ICR, adoptions. */
function progressLine(k: number, record: RunRecord, stopped: ReadonlySet<SwarmName>, secs: number): string {
  const part = (name: SwarmName): string => {
    const r = record.swarms[name]
    const own = name === 'lone' ? '' : `, agent ${r.latestOwnIcr().toFixed(2)}`
    const adopted = name === 'sharing' ? `, ${r.total('masksAdopted')} adopted` : ''
    return `${LABELS[name]} ${r.latestIcr().toFixed(2)}/${k}${own}${adopted}${stopped.has(name) ? ' (stopped)' : ''}`
  }
  return `[${secs}s] ICR: ${SWARMS.map(part).join(' | ')}`
}

/**
 * A swarm whose learners are all done (its targets not reached) keeps running until its
 * evaluator has logged two rows after that moment (the second one measured wholly after it),
 * and at most this long.
 */
const DONE_GRACE_MS = 30_000

/** Rows the swarm's evaluator logged after `since` (ms since the epoch). */
function rowsAfter(r: SwarmRecord, since: number): number {
  return r.history.filter(row => Date.parse(row.time) > since).length
}

/**
 * Polls the swarms every second, records what they report and shows it on one progress line.
 * A swarm is stopped (in the background, its CPU going to the others) once its learners have
 * finished their curricula and either its targets are reached or its evaluator has measured
 * the final state (DONE_GRACE_MS). The run ends when every swarm is stopped, the --max-minutes
 * limit passes, or it is interrupted. The comparison is in per-agent env steps, not wall time,
 * so stopping one swarm early changes nothing it measured.
 */
export async function watchRun(
  nodes: DemoNodes,
  plan: DemoPlan,
  progress: Progress,
  started: number,
  interrupted: () => boolean
): Promise<RunRecord> {
  const record = new RunRecord(plan.agents)
  const k = plan.tasks.length
  const stopped = new Set<SwarmName>()
  const stopping: Array<Promise<void>> = []
  const doneAt: Partial<Record<SwarmName, number>> = {}
  while (!interrupted() && stopped.size < SWARMS.length) {
    await new Promise(resolve => setTimeout(resolve, 1000))
    const running = SWARMS.filter(name => !stopped.has(name))
    const looks = await Promise.all(running.map(async name => await lookAt(nodes[name])))
    const snapshot: Snapshot = { swarms: Object.fromEntries(running.map((n, i) => [n, looks[i]])), time: Date.now() }
    record.add(snapshot)
    for (const name of running) {
      const look = snapshot.swarms[name] as SwarmLook
      if (!learnersDone(nodes[name], look)) continue
      doneAt[name] ??= snapshot.time
      const since = doneAt[name]
      const reached = targetsReached(name, record.swarms[name], plan)
      const measured = rowsAfter(record.swarms[name], since) >= 2 || snapshot.time - since > DONE_GRACE_MS
      if (!reached && !measured) continue
      stopped.add(name)
      progress.update(
        `${LABELS[name]}: learners done, ${reached ? 'targets reached' : 'targets not all reached'}; stopping it`,
        true
      )
      stopping.push(stopDaemons([...nodes[name].learners, nodes[name].evaluator]))
    }
    progress.update(progressLine(k, record, stopped, Math.round((performance.now() - started) / 1000)))
    if (performance.now() - started > plan.maxMs) {
      progress.update(`stopping after --max-minutes ${plan.maxMinutes}`, true)
      break
    }
  }
  await Promise.all(stopping)
  return record
}
