import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CONTROL_ROUTES,
  dataDirPaths,
  type EvaluationDocument,
  type MasksDocument,
  type PeersDocument,
  type StatusDocument
} from '@l2d2c/protocol'
import { inspectMaskFile } from '../commands/mask.js'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'
import { formatIpv4 } from './addresses.js'
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
import { daemonEnvironment, LabNode, NODE_PORT } from './daemons.js'
import {
  deleteNamespaces,
  deleteNamespacesSync,
  guardDrops,
  HostCommandError,
  listHostLinks,
  listNamespaces,
  processAlive,
  removeOwner,
  run as runCommand,
  writeOwner
} from './host.js'
import { emptyObservation, LogTail, recordDocuments, recordLogLines, type NodeObservation } from './observe.js'
import { linkNames, namespaceName, planNetwork, type Command, type NetworkPlan } from './plan.js'
import { ScheduleError, timeline, type TimelineEvent } from './schedule.js'
import type { CheckSpec, Topology } from './topology.js'

/**
 * One lab run: build the topology's network, start its daemons, play its timeline (partitions,
 * churn), watch, decide the checks, and tear everything down, whatever happens (error, Ctrl-C,
 * even a forced exit: an exit hook deletes the namespaces synchronously), then prove that
 * nothing is left.
 */

const CLI_BIN = fileURLToPath(new URL('../bin.js', import.meta.url))

/** How long a daemon may take to serve (a loaded 2-core machine starting 32 of them takes minutes). */
const START_TIMEOUT_SECONDS = 180
/** Setup (every initial node serving) may take this long plus this much per node. */
const SETUP_SECONDS_PER_NODE = 10
/** Graceful stop of the daemons at the end before SIGKILL. */
const STOP_GRACE_MS = 10_000
/** Unix socket paths are limited to 107 bytes; keep a margin. */
const MAX_SOCKET_PATH = 100

export interface LabNodeSummary {
  name: string
  namespace: string
  segment: string
  address: string
  role: string
  bootstrap: boolean
  tasks: readonly string[]
  peerId: string
  pids: number[]
  state: string
  startedAtSeconds: number | null
  kills: number
  restarts: number
  unexpectedExits: number
  failure: string | null
  peersConnected: number | null
  masksHeld: number | null
  masksServed: number | null
  masksAdopted: number | null
  totalSteps: number | null
  curriculumDone: boolean | null
  masks: Array<{ task: string; origin: string | null; reward: number; cid: string }>
  /** The learner's knowledge base at the end: where each task's mask came from, its adoptions. */
  knowledge: Array<{
    task: string
    source: string
    origin: string | null
    reward: number | null
    adoptedFrom: string[]
  }>
  adoptions: Array<{ atSeconds: number; task: string; from: string; latencyMs: number | null }>
  rssPeakMB: number | null
  maskBytesServed: number | null
  errors: string[]
  log: string | null
}

export interface LabResult {
  topology: string
  nodes: LabNodeSummary[]
  checks: CheckResult[]
  passed: boolean
}

export interface LabRunOptions {
  /** Keep data dirs, logs, lab.log and result.json here (default: a temporary dir, removed). */
  keepLogs: string | null
  /** ICR target of an evaluator's task set. */
  icrTarget: (tasks: readonly string[]) => number
  /** The peer id a data dir's daemon will have (creates its key). */
  peerIdFor: (dataDir: string) => Promise<string>
  runId?: string
}

export interface LabOutcome {
  result: LabResult
  interrupted: boolean
  /** Where the logs are (kept), or null. */
  dir: string | null
}

/**
 * Run time in seconds. Time 0 moves once, to when the initial nodes serve (restart); what was
 * recorded before is then shifted by the returned amount, so every reported time has one origin.
 */
class RunClock {
  private t0 = Date.now()
  setupSeconds = 0
  readonly now = (): number => (Date.now() - this.t0) / 1000
  get t0Ms(): number {
    return this.t0
  }
  restart(): number {
    const shift = this.now()
    this.t0 = Date.now()
    this.setupSeconds = shift
    return shift
  }
}

class RunLog {
  private readonly stream: WriteStream
  constructor(
    file: string,
    private readonly clock: () => number,
    private readonly io: Io
  ) {
    this.stream = createWriteStream(file, { flags: 'a' })
  }
  line(text: string, show = false): void {
    const t = this.clock().toFixed(1).padStart(6)
    this.stream.write(`${t}s ${text}\n`)
    if (show) this.io.stderr.write(`lab ${t}s ${text}\n`)
  }
  async close(): Promise<void> {
    await new Promise<void>(resolve => this.stream.end(resolve))
  }
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export async function runLab(topology: Topology, opts: LabRunOptions, io: Io): Promise<LabOutcome> {
  const runId = opts.runId ?? randomBytes(3).toString('hex')
  let events: TimelineEvent[]
  let plan: NetworkPlan
  try {
    events = timeline(topology)
    plan = planNetwork(topology, runId)
  } catch (err) {
    if (err instanceof ScheduleError) throw new CliError(`topology ${topology.name}: ${err.message}`, ExitCode.USAGE)
    throw err
  }
  const root =
    opts.keepLogs !== null
      ? resolve(opts.keepLogs, `${topology.name}-${runId}`)
      : mkdtempSync(join(tmpdir(), `l2l-${runId}-`))
  const longest = Math.max(...topology.nodes.map(n => n.name.length))
  if (`${root}/nodes/${'x'.repeat(longest)}/api.sock`.length > MAX_SOCKET_PATH)
    throw new CliError(
      `--keep-logs path too long for the daemons' control sockets (${MAX_SOCKET_PATH} bytes): use a shorter one`,
      ExitCode.USAGE
    )
  mkdirSync(join(root, 'nodes'), { recursive: true, mode: 0o700 })
  const runClock = new RunClock()
  const clock = runClock.now
  const log = new RunLog(join(root, 'lab.log'), clock, io)
  const nsNames = plan.namespaces.map(n => n.name)
  const nodes = new Map<string, LabNode>()
  let tornDown = false
  // A second Ctrl-C exits at once (bin.ts): delete what exists before the process goes.
  const onExit = (): void => {
    if (tornDown) return
    for (const n of nodes.values()) for (const pid of n.pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL')
    deleteNamespacesSync(nsNames)
    removeOwner(runId)
  }
  writeOwner(runId)
  process.on('exit', onExit)
  log.line(`run ${runId}: topology ${topology.name}, ${topology.nodes.length} nodes, work dir ${root}`, true)

  let interrupted = false
  let result: LabResult
  try {
    await buildNetwork(plan, log)
    // Every key first: the bootstrap lists need the peer ids.
    const peerIds = new Map<string, string>()
    for (const spec of topology.nodes) {
      const dataDir = join(root, 'nodes', spec.name)
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      peerIds.set(spec.name, await opts.peerIdFor(dataDir))
    }
    const dialable = (name: string): string =>
      `/ip4/${formatIpv4(plan.routing.nodeAddress(name))}/tcp/${NODE_PORT}/p2p/${peerIds.get(name) as string}`
    for (const spec of topology.nodes) {
      const n = new LabNode({
        spec,
        ns: namespaceName(runId, 'node', spec.name),
        address: formatIpv4(spec.address as number),
        dataDir: join(root, 'nodes', spec.name),
        peerId: peerIds.get(spec.name) as string,
        bootstrap: plan.routing.bootstrapPeers(spec.name).map(b => dialable(b.name))
      })
      n.clock = clock
      nodes.set(spec.name, n)
    }
    const runner = new Runner(topology, plan, nodes, events, opts, io, log, runClock)
    interrupted = await runner.play()
    result = await runner.finish(interrupted)
  } catch (err) {
    log.line(`failed: ${(err as Error).message}`, true)
    await teardown(nodes, nsNames, log)
    tornDown = true
    process.off('exit', onExit)
    removeOwner(runId)
    await log.close()
    if (opts.keepLogs === null) rmSync(root, { recursive: true, force: true })
    if (err instanceof HostCommandError)
      throw new CliError(`building the lab network failed: ${err.message}`, ExitCode.UNAVAILABLE)
    throw err
  }
  const cleanup = await teardown(nodes, nsNames, log)
  tornDown = true
  process.off('exit', onExit)
  removeOwner(runId)
  result.checks.push(cleanup)
  result.passed = result.checks.every(c => c.passed)
  log.line(`checks: ${result.checks.map(c => `${c.name}=${c.passed ? 'pass' : 'FAIL'}`).join(' ')}`)
  await log.close()
  if (opts.keepLogs !== null) writeFileSync(join(root, 'result.json'), `${JSON.stringify(result, null, 2)}\n`)
  else rmSync(root, { recursive: true, force: true })
  if (opts.keepLogs === null) for (const n of result.nodes) n.log = null
  return { result, interrupted, dir: opts.keepLogs !== null ? root : null }
}

async function buildNetwork(plan: NetworkPlan, log: RunLog): Promise<void> {
  log.line(`building ${plan.namespaces.length} namespaces (${plan.setup.length} commands)`, true)
  for (const cmd of plan.setup) {
    log.line(`$ ${cmd.argv.join(' ')}${cmd.stdin !== undefined ? `\n${cmd.stdin}` : ''}`)
    await runCommand(cmd)
  }
}

/** Stops the daemons, deletes the namespaces, and checks that nothing of the run is left. */
async function teardown(
  nodes: ReadonlyMap<string, LabNode>,
  nsNames: readonly string[],
  log: RunLog
): Promise<CheckResult> {
  await Promise.all([...nodes.values()].map(async n => await n.stop(STOP_GRACE_MS)))
  const errors = await deleteNamespaces(nsNames)
  const prefix = nsNames[0]?.slice(0, 11) ?? 'l2l-'
  const runId = prefix.slice(4, 10)
  const namespacesLeft = await listNamespaces(prefix).catch((err: Error) => [`cannot list: ${err.message}`])
  const linksLeft = await listHostLinks(linkNames(runId).prefix).catch((err: Error) => [`cannot list: ${err.message}`])
  const processesLeft = [...nodes.values()].flatMap(n => n.pids).filter(processAlive)
  const value = {
    namespacesDeleted: nsNames.length,
    namespacesLeft,
    hostLinksLeft: linksLeft,
    processesLeft,
    ...(errors.length > 0 ? { errors } : {})
  }
  const passed =
    namespacesLeft.length === 0 && linksLeft.length === 0 && processesLeft.length === 0 && errors.length === 0
  log.line(`teardown: ${passed ? 'nothing left' : JSON.stringify(value)}`, true)
  return { name: 'cleanup', passed, value }
}

class Runner {
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
    opts: LabRunOptions,
    private readonly io: Io,
    private readonly log: RunLog,
    private readonly runClock: RunClock
  ) {
    this.clock = runClock.now
    for (const n of nodes.values()) {
      this.obs.set(n.name, emptyObservation())
      this.tails.set(n.name, new LogTail(n.logFile))
      if (n.spec.role === 'evaluator') this.icrTargets.set(n.name, opts.icrTarget(n.spec.tasks))
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
    const maxStarting = 4
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
      if (!started && initial.every(n => n.state !== 'waiting' && n.state !== 'starting')) {
        started = true
        this.shiftRecorded(this.runClock.restart())
        this.log.line(
          `every initial node serves: run time 0 (setup took ${this.runClock.setupSeconds.toFixed(1)} s)`,
          true
        )
      }
      if (!started && this.clock() > setupDeadline) {
        this.log.line('the initial nodes did not all start in time', true)
        return false
      }
      const now = started ? this.clock() : 0
      if (started) await this.applyEvents(now)
      // Bootstrap nodes first; the others once every bootstrap node serves (a first dial that
      // fails is retried only after the daemon's redial period).
      const bootsUp = all.filter(n => n.spec.bootstrap).every(n => n.state === 'running' || n.state === 'exited')
      let starting = all.filter(n => n.state === 'starting').length
      for (const n of all) {
        if (n.state !== 'waiting' || starting >= maxStarting) continue
        if (!n.spec.bootstrap && (!bootsUp || !(initial.includes(n) || (started && this.startDue(n, now))))) continue
        this.log.line(`start ${n.name} (${n.ns}, ${n.address})`, true)
        n.launch(this.clock(), START_TIMEOUT_SECONDS)
        starting++
      }
      await Promise.all(all.map(async n => await this.observe(n, this.clock())))
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
      for (const m of [o.connectedSince, o.heldSince])
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

  /** The mask files of a node's data dir, inspected like `l2d2c mask inspect` (after a kill, or at the end). */
  private async inspectMasks(n: LabNode): Promise<{ valid: Map<string, string>; corrupt: string[]; tmp: number }> {
    const dir = dataDirPaths(n.dataDir).masks
    const names = await readdir(dir).catch(() => [] as string[])
    const valid = new Map<string, string>()
    const corrupt: string[] = []
    let tmp = 0
    for (const f of names) {
      if (f.endsWith('.l2dm')) {
        try {
          const m = await inspectMaskFile(join(dir, f))
          if (m.cidValid) valid.set(m.taskKey, m.cid)
          else corrupt.push(`${n.name}/${f}: content does not match its id`)
        } catch (err) {
          corrupt.push(`${n.name}/${f}: ${(err as Error).message}`)
        }
      } else if (f.includes('.tmp')) tmp++
    }
    // A file the daemon found damaged at start was moved aside: a lost mask too.
    for (const f of await readdir(dataDirPaths(n.dataDir).corruptMasks).catch(() => [] as string[]))
      corrupt.push(`${n.name}/corrupt/${f}: set aside by the daemon as damaged`)
    return { valid, corrupt, tmp }
  }

  private async snapshotMasks(n: LabNode): Promise<void> {
    if (this.churn === null) return
    const { valid, corrupt } = await this.inspectMasks(n)
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
      this.probeRuns.push(this.probe(c, from, holder, outcome))
    }
  }

  private async probe(
    c: Extract<CheckSpec, { kind: 'fetch-latency' }>,
    from: LabNode,
    to: LabNode,
    outcome: ProbeOutcome
  ): Promise<void> {
    const out = join(from.dataDir, 'probe.l2dm')
    for (let i = 0; i < c.count && this.io.signal?.aborted !== true; i++) {
      const r = await runProcess(
        [
          'ip',
          'netns',
          'exec',
          from.ns,
          process.execPath,
          CLI_BIN,
          'fetch',
          c.task,
          '--peer',
          to.multiaddr,
          '--out',
          out,
          '--timeout-ms',
          String(c.timeoutMs),
          '--json'
        ],
        c.timeoutMs + 15_000
      )
      try {
        if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`)
        const ms = (JSON.parse(r.stdout) as { milliseconds: number }).milliseconds
        outcome.okMs.push(ms)
      } catch (err) {
        outcome.failures.push((err as Error).message.slice(0, 200))
      }
    }
    rmSync(out, { force: true })
    outcome.done = true
    this.log.line(`probe ${c.name}: ${outcome.okMs.length} ok, ${outcome.failures.length} failed`, true)
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
        const { valid, corrupt, tmp } = await this.inspectMasks(n)
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
    return {
      topology: this.topology.name,
      nodes: [...this.nodes.values()].map(n => this.summary(n)),
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

  private summary(n: LabNode): LabNodeSummary {
    const o = this.obs.get(n.name) as NodeObservation
    const nameOf = (peerId: string): string => [...this.nodes.values()].find(x => x.peerId === peerId)?.name ?? peerId
    const served = o.metrics === null ? null : (metricMaskBytes(o.metrics) ?? null)
    return {
      name: n.name,
      namespace: n.ns,
      segment: n.spec.segment,
      address: n.address,
      role: n.spec.role,
      bootstrap: n.spec.bootstrap,
      tasks: n.spec.tasks,
      peerId: n.peerId,
      pids: n.pids,
      state: n.state,
      startedAtSeconds: n.serving[0] === undefined ? null : Math.round(n.serving[0] * 10) / 10,
      kills: n.kills,
      restarts: Math.max(0, n.starts.length - 1),
      unexpectedExits: n.exits.filter(e => !e.expected).length,
      failure: n.failure ?? (n.state === 'waiting' ? `never started: waited for ${this.waitingFor(n)}` : null),
      peersConnected: o.status?.peersConnected ?? null,
      masksHeld: o.status?.masksHeld ?? null,
      masksServed: o.status?.masksServed ?? null,
      masksAdopted: o.status?.masksAdopted ?? null,
      totalSteps: o.status?.totalSteps ?? null,
      curriculumDone: o.status?.curriculum.done ?? null,
      masks: (o.masks?.masks ?? []).map(m => ({
        task: m.taskKey,
        origin: m.origin === '' ? null : nameOf(m.origin),
        reward: m.reward,
        cid: m.cid
      })),
      knowledge: (this.knowledge.get(n.name) ?? []).map(k => ({
        task: k.taskKey,
        source: k.source,
        origin: k.origin === '' ? null : nameOf(k.origin),
        reward: k.reward,
        adoptedFrom: k.adoptions.map(a => nameOf(a.from))
      })),
      adoptions: o.adoptions.map(a => ({
        atSeconds: a.atSeconds,
        task: a.task,
        from: nameOf(a.fromPeer),
        latencyMs: a.latencyMs
      })),
      rssPeakMB: o.rssPeakMB,
      maskBytesServed: served,
      errors: o.errors,
      log: n.logFile
    }
  }
}

/** The fields of a knowledge entry (GET /v1/knowledge) the summary uses. */
interface KnowledgeRow {
  taskKey: string
  source: string
  origin: string
  reward: number | null
  adoptions: Array<{ from: string }>
}

function metricMaskBytes(text: string): number | null {
  const m = /^l2d2c_bytes\{protocol="mask",direction="sent"\}\s+(\S+)/m.exec(text)
  return m === null ? null : Number(m[1])
}

async function runProcess(
  argv: readonly string[],
  timeoutMs: number
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, ...args] = argv as [string, ...string[]]
  return await new Promise(resolve => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: daemonEnvironment(process.env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
