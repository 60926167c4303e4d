import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'
import { formatIpv4 } from './addresses.js'
import type { CheckResult } from './checks.js'
import { RunClock, RunLog } from './clock.js'
import { LabNode, NODE_PORT } from './daemons.js'
import {
  deleteNamespaces,
  deleteNamespacesSync,
  HostCommandError,
  listHostLinks,
  listNamespaces,
  processAlive,
  removeOwner,
  run as runCommand,
  writeOwner
} from './host.js'
import { labPrefix, linkNames, namespaceName, planNetwork, type NetworkPlan } from './plan.js'
import { Runner, STOP_GRACE_MS } from './runner.js'
import { ScheduleError, timeline, type TimelineEvent } from './schedule.js'
import type { LabResult } from './summary.js'
import type { Topology } from './topology.js'

export type { LabNodeSummary, LabResult } from './summary.js'

/**
 * One lab run: build the topology's network, start its daemons, play its timeline (partitions,
 * churn), watch, decide the checks, and tear everything down, whatever happens (error, Ctrl-C,
 * even a forced exit: an exit hook deletes the namespaces synchronously), then prove that
 * nothing is left.
 */

/** Unix socket paths are limited to 107 bytes; keep a margin. */
const MAX_SOCKET_PATH = 100

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
    const runner = new Runner(topology, plan, nodes, events, opts.icrTarget, io, log, runClock)
    interrupted = await runner.play()
    result = await runner.finish(interrupted)
  } catch (err) {
    log.line(`failed: ${(err as Error).message}`, true)
    await teardown(runId, nodes, nsNames, log)
    tornDown = true
    process.off('exit', onExit)
    removeOwner(runId)
    await log.close()
    if (opts.keepLogs === null) rmSync(root, { recursive: true, force: true })
    if (err instanceof HostCommandError)
      throw new CliError(`building the lab network failed: ${err.message}`, ExitCode.UNAVAILABLE)
    throw err
  }
  const cleanup = await teardown(runId, nodes, nsNames, log)
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
  runId: string,
  nodes: ReadonlyMap<string, LabNode>,
  nsNames: readonly string[],
  log: RunLog
): Promise<CheckResult> {
  await Promise.all([...nodes.values()].map(async n => await n.stop(STOP_GRACE_MS)))
  const errors = await deleteNamespaces(nsNames)
  const namespacesLeft = await listNamespaces(labPrefix(runId)).catch((err: Error) => [`cannot list: ${err.message}`])
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
