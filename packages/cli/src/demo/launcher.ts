import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONTROL_ROUTES, ControlClient, dataDirPaths, type DaemonDiscovery } from '@l2d2c/protocol'
import { readDiscovery } from '../daemon-client.js'
import {
  evaluatorArgs,
  isolatedLearnerArgs,
  isolatedLearnerName,
  learnerArgs,
  learnerName,
  loneLearnerArgs,
  NODE_NAMES,
  type DemoPlan
} from './plan.js'

const CLI_BIN = fileURLToPath(new URL('../bin.js', import.meta.url))

export interface ChildDaemon {
  name: string
  dataDir: string
  process: ChildProcess
  discovery: DaemonDiscovery
  client: ControlClient
  exited: Promise<number | null>
}

export interface LaunchOptions {
  /** The l2d2c entry point (tests pass the built dist/bin.js; default: this build's). */
  bin?: string
  /** Variables for the child, set after the inherited L2D2C_* ones are removed. */
  env?: Record<string, string>
  timeoutMs?: number
}

/**
 * The environment of a child daemon: the parent's without any L2D2C_* variable, which would
 * otherwise override what the launcher sets on the command line or its defaults (L2D2C_API
 * would make every child bind the same port).
 */
export function childEnvironment(parent: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(parent)) if (!k.startsWith('L2D2C_')) env[k] = v
  return { ...env, ...extra }
}

/**
 * Appends a child's stdout and stderr to logFile. Resolves with its exit code once the log
 * holds all of its output: on 'close' (both pipes ended; 'exit' can come before the last
 * lines are read) and after the file is flushed. Neither pipe ends the shared file alone.
 */
export async function logOutput(child: ChildProcess, logFile: string): Promise<number | null> {
  const log = createWriteStream(logFile, { flags: 'a' })
  child.stdout?.pipe(log, { end: false })
  child.stderr?.pipe(log, { end: false })
  return await new Promise<number | null>(resolve => {
    child.on('close', code => {
      log.end(() => {
        resolve(code)
      })
    })
  })
}

/** Starts one `l2d2c daemon` child (logs to <dataDir>/daemon.log) and waits until it serves. */
export async function launchDaemon(
  name: string,
  dataDir: string,
  args: string[],
  o: LaunchOptions = {}
): Promise<ChildDaemon> {
  const timeoutMs = o.timeoutMs ?? 90_000
  await mkdir(dataDir, { recursive: true })
  const logFile = dataDirPaths(dataDir).log
  const child = spawn(
    process.execPath,
    [o.bin ?? CLI_BIN, 'daemon', '--data-dir', dataDir, '--log-format', 'json', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment(process.env, o.env) }
  )
  const exited = logOutput(child, logFile)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited (code ${child.exitCode}) before serving; see ${logFile}`)
    // The pid tells this daemon's discovery file from one a killed predecessor left behind.
    const found = await readDiscovery(dataDir).catch(() => null) // null also while it is being written
    if (found !== null && found.discovery.pid === child.pid) {
      const client = new ControlClient({
        url: found.discovery.api,
        ...(found.token !== null ? { token: found.token } : {}),
        timeoutMs: 10_000
      })
      return { name, dataDir, process: child, discovery: found.discovery, client, exited }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${name} did not start within ${timeoutMs} ms; see ${logFile}`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Waits for a child to exit, killing it (SIGKILL) if it has not within graceMs. */
export async function awaitExit(d: Pick<ChildDaemon, 'process' | 'exited'>, graceMs: number): Promise<number | null> {
  const timer = setTimeout(() => {
    d.process.kill('SIGKILL')
  }, graceMs)
  const code = await d.exited
  clearTimeout(timer)
  return code
}

/** Whether a child exits within ms. */
async function exitsWithin(d: Pick<ChildDaemon, 'exited'>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>(resolve => {
    timer = setTimeout(() => {
      resolve(false)
    }, ms)
  })
  try {
    return await Promise.race([d.exited.then(() => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Asks daemons to stop gracefully through their control API, forcing those that do not stop
 * within graceMs (counted from the request, not from its answer). Not by signal: on Ctrl-C the
 * children already got SIGINT from the terminal, and a SIGTERM from us would be their second
 * signal, a forced exit that leaves the lock behind. A repeated /v1/stop is harmless. A refused
 * request usually means the daemon is already stopping (its API closes last), so SIGTERM only
 * if it is still alive signalAfterMs later.
 */
export async function stopDaemons(
  daemons: readonly ChildDaemon[],
  graceMs = 20_000,
  signalAfterMs = 2_000
): Promise<void> {
  await Promise.all(
    daemons.map(async d => {
      if (d.process.exitCode !== null) return
      const exit = awaitExit(d, graceMs)
      void d.client.post(CONTROL_ROUTES.stop).catch(async () => {
        if (!(await exitsWithin(d, signalAfterMs))) d.process.kill('SIGTERM')
      })
      await exit
    })
  )
}

/** The demo's three swarms (no connection between them). */
export type SwarmName = 'sharing' | 'isolated' | 'lone'

export const SWARMS: readonly SwarmName[] = ['sharing', 'isolated', 'lone']

/** One swarm's nodes: its learners (launch order: the first is the one the others bootstrap to) and its evaluator. */
export interface Swarm {
  learners: ChildDaemon[]
  evaluator: ChildDaemon
}

export type DemoNodes = Record<SwarmName, Swarm>

/**
 * Starts the demo's three swarms under plan.out and waits until all serve. The first learner of
 * each collective and the lone learner start together; in each swarm the other learners
 * bootstrap to its first, and its evaluator to every one of its learners (and its dashboard links
 * to theirs: `--link-dashboard`). Each daemon is passed
 * to onLaunched as soon as it serves, so that the caller can stop every one of them whatever
 * happens next. `start` launches one daemon (tests replace it).
 */
export async function launchDemoNodes(
  plan: DemoPlan,
  onLaunched: (d: ChildDaemon) => void,
  start: (name: string, dataDir: string, args: string[]) => Promise<ChildDaemon> = launchDaemon
): Promise<DemoNodes> {
  // After one failed launch the demo ends: no new launch begins, and every launch under way is
  // waited for (below), so each daemon that starts reaches onLaunched and can be stopped.
  let failed = false
  const launch = async (name: string, args: string[]): Promise<ChildDaemon> => {
    if (failed) throw new Error(`${name} not launched: another daemon failed to start`)
    try {
      const d = await start(name, join(plan.out, name), args)
      onLaunched(d)
      return d
    } catch (err) {
      failed = true
      throw err
    }
  }
  /** A collective: learner 1, then the others bootstrapped to it, then its evaluator. */
  const collective = async (
    name: (i: number) => string,
    args: (plan: DemoPlan, i: number) => string[],
    evaluatorName: string
  ): Promise<Swarm> => {
    const first = await launch(name(0), args(plan, 0))
    const rest = await allOrFirstError(
      Array.from(
        { length: plan.agents - 1 },
        async (_, j) => await launch(name(j + 1), [...args(plan, j + 1), '--bootstrap', addressOf(first)])
      )
    )
    const learners = [first, ...rest]
    // The evaluator is given every learner: what it measures must not depend on gossip, which
    // --drop thins out (its own messages are exempt from loss, as the reference's were). Its
    // dashboard links to theirs (the swarm view the demo prints).
    const evaluator = await launch(evaluatorName, [
      ...evaluatorArgs(plan),
      ...learners.flatMap(d => ['--bootstrap', addressOf(d)]),
      ...linkDashboards(learners)
    ])
    return { learners, evaluator }
  }
  const lone = async (): Promise<Swarm> => {
    const learner = await launch(NODE_NAMES.lone, loneLearnerArgs(plan))
    const evaluator = await launch(NODE_NAMES.loneEvaluator, [
      ...evaluatorArgs(plan),
      '--bootstrap',
      addressOf(learner),
      ...linkDashboards([learner])
    ])
    return { learners: [learner], evaluator }
  }
  const [sharing, isolated, single] = await allOrFirstError([
    collective(learnerName, learnerArgs, NODE_NAMES.evaluator),
    collective(isolatedLearnerName, isolatedLearnerArgs, NODE_NAMES.isolatedEvaluator),
    lone()
  ])
  return { sharing: sharing as Swarm, isolated: isolated as Swarm, lone: single as Swarm }
}

/**
 * Like Promise.all, but settles only once every promise has: a launch still under way when
 * another fails must still be awaited. Rejects with the first failure in time (later ones only
 * say that they were not launched because of it).
 */
async function allOrFirstError<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  let first: { err: unknown } | null = null
  const values = await Promise.all(
    promises.map(p =>
      p.catch((err: unknown) => {
        first ??= { err }
        return null
      })
    )
  )
  if (first !== null) throw (first as { err: unknown }).err
  return values as T[]
}

/**
 * The flags that make an evaluator's dashboard link to its learners' pages: it reads their
 * address and token from their data dirs when its page asks (the tokens stay on this machine).
 */
const linkDashboards = (learners: readonly ChildDaemon[]): string[] =>
  learners.flatMap(d => ['--link-dashboard', d.dataDir])

/** The address a node announced first: the one the others bootstrap to. */
const addressOf = (d: ChildDaemon): string => d.discovery.addrs[0] as string
