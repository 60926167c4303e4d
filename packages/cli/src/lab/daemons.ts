import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { ControlClient, dataDirPaths } from '@l2d2c/protocol'
import { readDiscovery } from '../daemon-client.js'
import type { NodeSpec } from './topology.js'

/**
 * The daemons of a run: one real `l2d2c daemon` per node namespace, started with
 * `ip netns exec` (which execs, so the child's pid is the daemon's), its output appended to
 * <data dir>/daemon.log. The control API listens on a Unix socket in the data dir: sockets
 * are files, not network endpoints, so the lab (in the host's namespace) reaches every daemon
 * without a route into any namespace.
 */

const CLI_BIN = fileURLToPath(new URL('../bin.js', import.meta.url))

/** Port every node listens on (each node has its own address, so they never collide). */
export const NODE_PORT = 4001

export type NodeState = 'waiting' | 'starting' | 'running' | 'down' | 'exited'

export interface NodeExit {
  readonly atSeconds: number
  readonly code: number | null
  readonly signal: string | null
  /** A kill of the churn schedule or the lab's own stop; otherwise the daemon died by itself. */
  readonly expected: boolean
}

/** Without the parent's L2D2C_* variables, which would override what the lab sets on the command line. */
export function daemonEnvironment(parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(parent)) if (!k.startsWith('L2D2C_')) env[k] = v
  return env
}

export interface LabNodeOptions {
  spec: NodeSpec
  ns: string
  address: string
  dataDir: string
  peerId: string
  bootstrap: readonly string[]
}

export class LabNode {
  readonly spec: NodeSpec
  readonly ns: string
  readonly address: string
  readonly dataDir: string
  readonly peerId: string
  readonly socket: string
  readonly multiaddr: string
  readonly args: readonly string[]
  state: NodeState = 'waiting'
  proc: ChildProcess | null = null
  /** Every pid this node had (one per start). */
  readonly pids: number[] = []
  /** Run seconds of each start request, and of each time it was serving. */
  readonly starts: number[] = []
  readonly serving: number[] = []
  readonly exits: NodeExit[] = []
  kills = 0
  /** Why it stopped trying (start timeout, unexpected exit). */
  failure: string | null = null
  private client: ControlClient | null = null
  private expectingExit = false
  private startDeadline = 0

  constructor(o: LabNodeOptions) {
    this.spec = o.spec
    this.ns = o.ns
    this.address = o.address
    this.dataDir = o.dataDir
    this.peerId = o.peerId
    this.socket = `${o.dataDir}/api.sock`
    this.multiaddr = `/ip4/${o.address}/tcp/${NODE_PORT}/p2p/${o.peerId}`
    const s = o.spec
    this.args = [
      'daemon',
      '--data-dir',
      o.dataDir,
      '--api',
      `unix:${this.socket}`,
      '--listen',
      `/ip4/${o.address}/tcp/${NODE_PORT}`,
      '--no-mdns',
      '--log-format',
      'json',
      '--role',
      s.role,
      '--tasks',
      s.tasks.join(','),
      '--seed',
      String(s.seed),
      ...(s.role === 'learner' ? ['--steps-per-task', String(s.stepsPerTask)] : []),
      ...o.bootstrap.flatMap(b => ['--bootstrap', b]),
      ...s.args
    ]
  }

  get name(): string {
    return this.spec.name
  }

  get logFile(): string {
    return dataDirPaths(this.dataDir).log
  }

  get pid(): number | null {
    return this.proc?.pid ?? null
  }

  /** Starts the daemon (does not wait: poll() notices when it serves). */
  launch(nowSeconds: number, startTimeoutSeconds: number): void {
    const log = openSync(this.logFile, 'a')
    try {
      this.proc = spawn('ip', ['netns', 'exec', this.ns, process.execPath, CLI_BIN, ...this.args], {
        stdio: ['ignore', log, log],
        env: daemonEnvironment(process.env)
      })
    } finally {
      closeSync(log)
    }
    const proc = this.proc
    if (proc.pid !== undefined) this.pids.push(proc.pid)
    this.state = 'starting'
    this.client = null
    this.expectingExit = false
    this.starts.push(nowSeconds)
    this.startDeadline = nowSeconds + startTimeoutSeconds
    proc.on('error', err => {
      // spawn itself failed (no `ip`): nothing runs, no exit event follows.
      if (this.proc !== proc) return
      this.proc = null
      this.state = 'exited'
      this.failure = `could not start: ${err.message}`
    })
    proc.on('exit', (code, signal) => {
      if (this.proc !== proc) return
      this.exits.push({ atSeconds: this.clock(), code, signal, expected: this.expectingExit })
      this.proc = null
      if (!this.expectingExit) {
        this.state = 'exited'
        this.failure = `exited by itself (code ${code ?? '-'}, signal ${signal ?? '-'}); see ${this.logFile}`
      }
    })
  }

  /** The run clock, set by the runner (exit events use it). */
  clock: () => number = () => 0

  /** A starting daemon serves once its discovery file names its own pid. */
  async poll(nowSeconds: number): Promise<void> {
    if (this.state !== 'starting' || this.proc === null) return
    const found = await readDiscovery(this.dataDir).catch(() => null)
    if (found !== null && found.discovery.pid === this.proc.pid) {
      this.client = new ControlClient({
        url: found.discovery.api,
        ...(found.token !== null ? { token: found.token } : {}),
        timeoutMs: 5_000
      })
      this.state = 'running'
      this.serving.push(nowSeconds)
      return
    }
    if (nowSeconds > this.startDeadline) {
      this.failure = `did not start within the start timeout; see ${this.logFile}`
      await this.kill()
      this.state = 'exited'
    }
  }

  /** The control API of the running daemon, or null. */
  api(): ControlClient | null {
    return this.state === 'running' ? this.client : null
  }

  /** SIGKILL (churn): resolves once the process is gone. */
  async kill(): Promise<void> {
    const proc = this.proc
    if (proc === null) return
    this.expectingExit = true
    this.state = 'down'
    const gone = new Promise<void>(resolve => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve()
      else proc.once('exit', () => resolve())
    })
    proc.kill('SIGKILL')
    await gone
  }

  /** Graceful stop (SIGTERM: the daemon persists and releases its lock), SIGKILL after graceMs. */
  async stop(graceMs: number): Promise<void> {
    const proc = this.proc
    if (proc === null) return
    this.expectingExit = true
    const gone = new Promise<void>(resolve => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve()
      else proc.once('exit', () => resolve())
    })
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
    await gone
    clearTimeout(timer)
    if (this.state !== 'exited') this.state = 'down'
  }

  /**
   * CPU seconds the running daemon has used so far (utime + stime from /proc/PID/stat, in
   * clock ticks of 1/100 s, the Linux default), or null.
   */
  async cpuSeconds(): Promise<number | null> {
    const pid = this.proc?.pid
    if (pid === undefined || this.state !== 'running') return null
    const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(rest[11]) + Number(rest[12])
    return Number.isFinite(ticks) ? ticks / 100 : null
  }

  /** Resident memory of the running daemon in MB (from /proc), or null. */
  async rssMB(): Promise<number | null> {
    const pid = this.proc?.pid
    if (pid === undefined || this.state !== 'running') return null
    const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
    const kb = /^VmRSS:\s+([0-9]+)\s+kB/m.exec(text)?.[1]
    return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10
  }
}
