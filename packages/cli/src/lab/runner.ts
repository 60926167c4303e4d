import {
  CONTROL_ROUTES,
  type EvaluationDocument,
  type MasksDocument,
  type PeersDocument,
  type StatusDocument
} from '@l2d2c/protocol'
import type { Io } from '../output.js'
import {
  decideCheck,
  decidedAtEnd,
  type ChurnLedger,
  type CheckResult,
  type LabView,
  type NodeView,
  type PartitionView,
  type ProbeOutcome
} from './checks.js'
import { sleep, type RunClock, type RunLog } from './clock.js'
import type { LabNode } from './daemons.js'
import { guardDrops, run as runCommand } from './host.js'
import { inspectMaskDir } from './mask-files.js'
import { emptyObservation, LogTail, recordDocuments, recordLogLines, type NodeObservation } from './observe.js'
import type { Command, NetworkPlan } from './plan.js'
import { runFetchProbes } from './probes.js'
import type { TimelineEvent } from './schedule.js'
import { summariseNode, type KnowledgeRow, type LabResult } from './summary.js'
import type { Topology } from './topology.js'

/**
 * Plays one run once the network is up: starts the daemons (bootstrap nodes first, the others
 * when their start condition holds), applies the timeline (splits, heals, kills, restarts),
 * watches every daemon (control API, log, memory), runs the probes, decides the checks, and
 * collects the result. Building and tearing down the network is run.ts's job.
 */

/** How long a daemon may take to serve (a loaded 2-core machine starting 32 of them takes minutes). */
export const START_TIMEOUT_SECONDS = 180
/** Setup (every initial node serving) may take this long plus this much per node. */
const SETUP_SECONDS_PER_NODE = 10
/** Graceful stop of the daemons at the end before SIGKILL. */
export const STOP_GRACE_MS = 10_000
/** Daemons starting at once at most (each start is a CPU burst). */
const MAX_STARTING = 4

export class Runner {
  private readonly obs = new Map<string, NodeObservation>()
  private readonly tails = new Map<string, LogTail>()
  private readonly decided = new Map<string, CheckResult>()
  private readonly partitions = new Map<string, PartitionView>()
  private readonly probes = new Map<string, ProbeOutcome>()
  private readonly probeRuns: Array<Promise<void>> = []
  private readonly icrTargets = new Map<string, number>()
  private readonly churn: ChurnLedger | null
  private next = 0
  private lastProgress = -10
  private readonly knowledge = new Map<string, KnowledgeRow[]>()
  private readonly clock: () => number

  constructor(
    private readonly topology: Topology,
    private readonly plan: NetworkPlan,
    private readonly nodes: Map<string, LabNode>,
    private readonly events: readonly TimelineEvent[],
    icrTarget: (tasks: readonly string[]) => number,
    private readonly io: Io,
    private readonly log: RunLog,
    private readonly runClock: RunClock
  ) {
    this.clock = runClock.now
    for (const n of nodes.values()) {
      this.obs.set(n.name, emptyObservation())
      this.tails.set(n.name, new LogTail(n.logFile))
      if (n.spec.role === 'evaluator') this.icrTargets.set(n.name, icrTarget(n.spec.tasks))
    }
    for (const p of topology.partitions)
      this.partitions.set(p.name, { spec: p, splitAt: null, healedAt: null, connectedAcrossAtHeal: null })
    this.churn =
      topology.churn === null
        ? null
        : {
            scheduledKills: events.filter(e => e.action === 'kill').length,
            kills: 0,
            restarts: 0,
            seen: new Map(),
            corrupt: [],
            final: new Map(),
            tmpFiles: 0
          }
  }

  private view(ended: boolean): LabView {
    const nodes = new Map<string, NodeView>()
    for (const n of this.nodes.values())
      nodes.set(n.name, {
        spec: n.spec,
        peerId: n.peerId,
        firstServing: n.serving[0] ?? null,
        obs: this.obs.get(n.name) as NodeObservation
      })
    return {
      now: this.clock(),
      ended,
      nodes,
      partitions: this.partitions,
      churn: this.churn,
      probes: this.probes,
      icrTargets: this.icrTargets
    }
  }

  /**
   * Plays the run until every check is decided or the duration is over; true if interrupted.
   * Run time 0 is when every node that starts unconditionally serves: a slow machine starts
   * its daemons later, and the schedule (splits, kills) must not hit nodes not yet up.
   */
  async play(): Promise<boolean> {
    const signal = this.io.signal
    const pollMs = this.topology.pollSeconds * 1000
    const all = [...this.nodes.values()]
    const initial = all.filter(n => n.spec.start.afterSeconds === 0 && n.spec.start.whenHolds === null)
    const setupDeadline = this.clock() + START_TIMEOUT_SECONDS + SETUP_SECONDS_PER_NODE * all.length
    let started = false
    while (true) {
      const tick = Date.now()
      if (signal?.aborted === true) {
        this.log.line('interrupted: stopping', true)
        return true
      }
      const allUp = initial.every(n => n.state !== 'waiting' && n.state !== 'starting')
      if (!started && (allUp || this.clock() > setupDeadline)) {
        // Past the allowance the run goes on without the late nodes (they keep starting): a
        // machine too small for the topology still gets measured, and says which nodes lagged.
        started = true
        const late = initial.filter(n => n.state === 'waiting' || n.state === 'starting').map(n => n.name)
        this.shiftRecorded(this.runClock.restart())
        this.log.line(
          allUp
            ? `every initial node serves: run time 0 (setup took ${this.runClock.setupSeconds.toFixed(1)} s)`
            : `run time 0 after ${this.runClock.setupSeconds.toFixed(1)} s of setup, without ${late.join(', ')} (still starting)`,
          true
        )
      }
      const now = started ? this.clock() : 0
      if (started) await this.applyEvents(now)
      // Bootstrap nodes first; the others once every bootstrap node serves (a first dial that
      // fails is retried only after the daemon's redial period).
      const bootsUp = all.filter(n => n.spec.bootstrap).every(n => n.state === 'running' || n.state === 'exited')
      let starting = all.filter(n => n.state === 'starting').length
      for (const n of all) {
        if (n.state !== 'waiting' || starting >= MAX_STARTING) continue
        if (!n.spec.bootstrap && (!bootsUp || !(initial.includes(n) || (started && this.startDue(n, now))))) continue
        this.log.line(`start ${n.name} (${n.ns}, ${n.address})`, true)
        n.launch(this.clock(), START_TIMEOUT_SECONDS)
        starting++
      }
      const before = all.map(n => n.state)
      await Promise.all(all.map(async n => await this.observe(n, this.clock())))
      all.forEach((n, i) => {
        if (before[i] === 'starting' && n.state === 'running')
          this.log.line(`${n.name} serves (${(this.clock() - (n.starts.at(-1) ?? 0)).toFixed(1)} s after its start)`)
      })
      if (started) {
        this.startProbes()
        this.decide(false)
        this.progress(now)
        if (this.finished(now)) return false
      }
      await sleep(Math.max(50, pollMs - (Date.now() - tick)), signal)
    }
  }

  /** Moves what was recorded during setup into the run's time frame (negative: before time 0). */
  private shiftRecorded(shift: number): void {
    const by = (xs: number[]): void => {
      for (let i = 0; i < xs.length; i++) xs[i] = Math.round(((xs[i] as number) - shift) * 10) / 10
    }
    for (const n of this.nodes.values()) {
      by(n.starts)
      by(n.serving)
      const o = this.obs.get(n.name) as NodeObservation
      by(o.daemonStarts)
      for (const m of [o.connectedSince, o.directSince, o.heldSince])
        for (const [k, v] of m) m.set(k, Math.round((v - shift) * 10) / 10)
      for (const a of o.adoptions) (a as { atSeconds: number }).atSeconds = Math.round((a.atSeconds - shift) * 10) / 10
    }
  }

  private startDue(n: LabNode, now: number): boolean {
    const s = n.spec.start
    if (now < s.afterSeconds) return false
    if (s.whenHolds === null) return true
    const h = s.whenHolds
    const mask = (this.obs.get(h.node) as NodeObservation).masks?.masks.find(m => m.taskKey === h.task)
    if (mask === undefined) return false
    return h.origin === null || mask.origin === (this.nodes.get(h.origin) as LabNode).peerId
  }

  private async applyEvents(now: number): Promise<void> {
    while (this.next < this.events.length && (this.events[this.next] as TimelineEvent).atSeconds <= now) {
      const e = this.events[this.next] as TimelineEvent
      this.next++
      if (e.action === 'split' || e.action === 'heal') {
        const i = this.plan.partitions.findIndex(p => p.name === e.target)
        const p = this.plan.partitions[i]
        if (p === undefined) continue
        for (const cmd of e.action === 'split' ? p.split : p.heal) await this.command(cmd)
        const view = this.partitions.get(e.target) as PartitionView
        const across = e.action === 'heal' ? this.connectedAcross(view) : null
        this.partitions.set(e.target, {
          ...view,
          ...(e.action === 'split'
            ? { splitAt: this.clock() }
            : { healedAt: this.clock(), connectedAcrossAtHeal: across })
        })
        this.log.line(
          `${e.action} ${e.target}${across !== null ? ` (connections still reported across it: ${across})` : ''}`,
          true
        )
      } else if (e.action === 'kill') {
        const n = this.nodes.get(e.target) as LabNode
        if (n.proc === null) {
          this.log.line(`kill ${n.name}: not running (${n.state}), skipped`, true)
          continue
        }
        await n.kill()
        if (this.churn !== null) this.churn.kills++
        n.kills++
        this.log.line(`kill -9 ${n.name} (pid ${n.pids.at(-1)})`, true)
        await this.snapshotMasks(n)
      } else if (e.action === 'restart') {
        const n = this.nodes.get(e.target) as LabNode
        if (n.state !== 'down') continue
        n.launch(this.clock(), START_TIMEOUT_SECONDS)
        if (this.churn !== null) this.churn.restarts++
        this.log.line(`restart ${n.name}`, true)
      }
    }
  }

  /** Pairs of nodes, one in each group, that the last peers documents show connected. */
  private connectedAcross(p: PartitionView): number {
    const [a, b] = p.spec.groups
    let n = 0
    for (const x of a)
      for (const y of b) {
        const peerX = (this.nodes.get(x) as LabNode).peerId
        const peerY = (this.nodes.get(y) as LabNode).peerId
        const xy = (this.obs.get(x) as NodeObservation).peers?.peers.some(q => q.peerId === peerY && q.connected)
        const yx = (this.obs.get(y) as NodeObservation).peers?.peers.some(q => q.peerId === peerX && q.connected)
        if (xy === true || yx === true) n++
      }
    return n
  }

  private async command(cmd: Command): Promise<void> {
    this.log.line(`$ ${cmd.argv.join(' ')}`)
    await runCommand(cmd)
  }

  private async snapshotMasks(n: LabNode): Promise<void> {
    if (this.churn === null) return
    const { valid, corrupt } = await inspectMaskDir(n.dataDir, n.name)
    const seen = this.churn.seen.get(n.name) ?? new Map<string, string>()
    for (const [task, cid] of valid) seen.set(task, cid)
    this.churn.seen.set(n.name, seen)
    for (const c of corrupt) if (!this.churn.corrupt.includes(c)) this.churn.corrupt.push(c)
  }

  private async observe(n: LabNode, now: number): Promise<void> {
    await n.poll(now)
    const o = this.obs.get(n.name) as NodeObservation
    recordLogLines(o, await (this.tails.get(n.name) as LogTail).read(), this.runClock.t0Ms)
    const api = n.api()
    if (api === null) return
    const get = async <T>(route: string): Promise<T | undefined> => await api.get<T>(route).catch(() => undefined)
    const [status, peers, masks, evaluation] = await Promise.all([
      get<StatusDocument>(CONTROL_ROUTES.status),
      get<PeersDocument>(CONTROL_ROUTES.peers),
      n.spec.role === 'learner' ? get<MasksDocument>(CONTROL_ROUTES.masks) : Promise.resolve(undefined),
      n.spec.role === 'evaluator' ? get<EvaluationDocument>(CONTROL_ROUTES.evaluation) : Promise.resolve(undefined)
    ])
    recordDocuments(o, now, {
      ...(status !== undefined ? { status } : {}),
      ...(peers !== undefined ? { peers } : {}),
      ...(masks !== undefined ? { masks } : {}),
      ...(evaluation !== undefined ? { evaluation } : {})
    })
    const cpu = await n.cpuSeconds()
    if (cpu !== null && n.pid !== null) {
      // Steady state of the current process: from its first sample as a serving daemon (a restart starts over).
      if (o.cpuFirst === null || o.cpuFirst.pid !== n.pid) o.cpuFirst = { pid: n.pid, at: now, cpu }
      o.cpuLast = { at: now, cpu }
    }
    const rss = await n.rssMB()
    if (rss !== null) {
      o.rssLastMB = rss
      o.rssPeakMB = Math.max(o.rssPeakMB ?? 0, rss)
    }
  }

  /**
   * fetch-latency checks: once the holder has the mask and the probe's node runs, `l2d2c fetch`
   * it count times from the probe node's namespace. Not while a daemon starts: on a small
   * machine the probes' processes would slow the start and the start would skew the probes.
   */
  private startProbes(): void {
    if ([...this.nodes.values()].some(n => n.state === 'starting')) return
    for (const c of this.topology.checks) {
      if (c.kind !== 'fetch-latency' || this.probes.has(c.name)) continue
      const holder = this.nodes.get(c.to) as LabNode
      const from = this.nodes.get(c.from) as LabNode
      if (!(this.obs.get(c.to) as NodeObservation).heldSince.has(c.task) || holder.state !== 'running') continue
      if (from.state !== 'running') continue
      const outcome: ProbeOutcome = { okMs: [], failures: [], done: false }
      this.probes.set(c.name, outcome)
      this.log.line(`probe ${c.name}: ${c.count} fetches of ${c.task} from ${c.from} to ${c.to}`, true)
      this.probeRuns.push(
        runFetchProbes(c, from, holder, outcome, this.io.signal).then(() => {
          this.log.line(`probe ${c.name}: ${outcome.okMs.length} ok, ${outcome.failures.length} failed`, true)
        })
      )
    }
  }

  private decide(ended: boolean): void {
    const view = this.view(ended)
    for (const c of this.topology.checks) {
      if (this.decided.has(c.name) || (!ended && decidedAtEnd(c))) continue
      const r = decideCheck(c, view)
      if (r !== null) {
        this.decided.set(c.name, r)
        this.log.line(`check ${c.name}: ${r.passed ? 'passed' : 'FAILED'} ${JSON.stringify(r.value)}`, true)
      }
    }
  }

  private finished(now: number): boolean {
    if (now >= this.topology.durationSeconds) {
      this.log.line(`duration of ${this.topology.durationSeconds} s reached`, true)
      return true
    }
    if (now < this.topology.minSeconds || this.next < this.events.length) return false
    if ([...this.nodes.values()].some(n => n.state === 'starting')) return false
    if ([...this.probes.values()].some(p => !p.done)) return false
    return this.topology.checks.every(c => decidedAtEnd(c) || this.decided.has(c.name))
  }

  private progress(now: number): void {
    if (now - this.lastProgress < 10) return
    this.lastProgress = now
    const all = [...this.nodes.values()]
    const running = all.filter(n => n.state === 'running').length
    const open = this.topology.checks.filter(c => !this.decided.has(c.name)).map(c => c.name)
    const waiting = all.filter(n => n.state === 'waiting').map(n => `${n.name} (${this.waitingFor(n)})`)
    this.log.line(
      `${running}/${all.length} nodes running${waiting.length > 0 ? `; waiting: ${waiting.join(', ')}` : ''}; open checks: ${open.join(', ') || 'none'}`,
      true
    )
  }

  /** What a node that has not started yet waits for. */
  private waitingFor(n: LabNode): string {
    const s = n.spec.start
    const parts: string[] = []
    if (s.afterSeconds > 0) parts.push(`${s.afterSeconds} s`)
    if (s.whenHolds !== null)
      parts.push(
        `${s.whenHolds.node} to hold ${s.whenHolds.task}${s.whenHolds.origin !== null ? ` trained by ${s.whenHolds.origin}` : ''}`
      )
    return parts.length === 0 ? 'the bootstrap nodes' : parts.join(' and ')
  }

  /** Final scrape, the guard counters, churn inspection and the end-of-run checks; then the summary. */
  async finish(interrupted: boolean): Promise<LabResult> {
    await Promise.all(this.probeRuns)
    const now = this.clock()
    await Promise.all(
      [...this.nodes.values()].map(async n => {
        await this.observe(n, now)
        const api = n.api()
        if (api === null) return
        const o = this.obs.get(n.name) as NodeObservation
        o.metrics = await api.text(CONTROL_ROUTES.metrics).catch(() => null)
        o.metricsUptimeSeconds = o.status?.uptimeSeconds ?? null
        if (n.spec.role === 'learner')
          this.knowledge.set(
            n.name,
            await api
              .get<{ knowledge: KnowledgeRow[] }>(CONTROL_ROUTES.knowledge)
              .then(d => d.knowledge)
              .catch(() => [])
          )
      })
    )
    const contained = await this.contained()
    // Mask files are inspected at rest: after the daemons stopped.
    await Promise.all([...this.nodes.values()].map(async n => await n.stop(STOP_GRACE_MS)))
    if (this.churn !== null)
      for (const name of this.topology.churn?.nodes ?? []) {
        const n = this.nodes.get(name) as LabNode
        const { valid, corrupt, tmp } = await inspectMaskDir(n.dataDir, n.name)
        this.churn.final.set(name, new Set(valid.keys()))
        for (const c of corrupt) if (!this.churn.corrupt.includes(c)) this.churn.corrupt.push(c)
        this.churn.tmpFiles += tmp
      }
    for (const n of this.nodes.values())
      recordLogLines(
        this.obs.get(n.name) as NodeObservation,
        await (this.tails.get(n.name) as LogTail).read(),
        this.runClock.t0Ms
      )
    this.decide(true)
    const checks = this.topology.checks.map(
      c =>
        this.decided.get(c.name) ?? {
          name: c.name,
          passed: false,
          value: { why: interrupted ? 'interrupted before it was decided' : 'not decided' }
        }
    )
    checks.push(contained)
    const nameOf = (peerId: string): string => [...this.nodes.values()].find(x => x.peerId === peerId)?.name ?? peerId
    return {
      topology: this.topology.name,
      nodes: [...this.nodes.values()].map(n =>
        summariseNode(
          n,
          this.obs.get(n.name) as NodeObservation,
          this.knowledge.get(n.name) ?? [],
          nameOf,
          this.waitingFor(n)
        )
      ),
      checks,
      passed: false
    }
  }

  /** Packets refused by the guards: anything addressed outside the lab's own subnets. */
  private async contained(): Promise<CheckResult> {
    const byNamespace: Record<string, number> = {}
    const errors: string[] = []
    let total = 0
    for (const ns of this.plan.guarded) {
      try {
        const n = await guardDrops(ns)
        total += n
        if (n > 0) byNamespace[ns] = n
      } catch (err) {
        errors.push((err as Error).message)
      }
    }
    return {
      name: 'contained',
      passed: total === 0 && errors.length === 0,
      value: {
        packetsRefused: total,
        namespacesGuarded: this.plan.guarded.length,
        ...(total > 0 ? { byNamespace } : {}),
        ...(errors.length > 0 ? { errors } : {})
      }
    }
  }
}
