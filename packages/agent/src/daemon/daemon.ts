import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CONTROL_ROUTES,
  DAEMON_FILE,
  SUPPORTED_ENCODINGS,
  TOKEN_FILE,
  type DaemonDiscovery,
  type EvaluationDocument,
  type MasksDocument,
  type PeersDocument,
  type StatusDocument
} from '@l2d2c/protocol'
import type { Logger } from '../logging/logger.js'
import { libp2pLogBridge } from '../logging/libp2p-bridge.js'
import { Agent } from '../agent/agent.js'
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file.js'
import type { DaemonConfig } from './config.js'
import { ControlServer } from './control-server.js'
import { EvaluatorRole } from './evaluator-role.js'
import { DataDirLock } from './lock.js'
import { DaemonMetrics } from './metrics.js'
import { L2D2C_VERSION } from '../version.js'

/**
 * How long stop() waits for the role loop to finish its current step. A loop stuck on a
 * network call that never returns must not keep the daemon from persisting its state and
 * removing its lock and discovery file.
 */
export const STOP_GRACE_MS = 30_000

/**
 * One l2d2c daemon: a node, its control API and metrics, and the loop of its role.
 * start(): lock the data dir, node, control API, discovery file, then the role loop.
 * stop(): the loop finishes its step, the node persists and closes, the files go — in that
 * order. Both are idempotent; `done` resolves when the daemon has stopped for any reason.
 */
export class Daemon {
  readonly node: Agent
  private readonly lock: DataDirLock
  private readonly metrics: DaemonMetrics
  private control: ControlServer | null = null
  private evaluator: EvaluatorRole | null = null
  private readonly loopStop = new AbortController()
  private loop: Promise<void> | null = null
  private stopping: Promise<void> | null = null
  private readonly stepSamples: Array<{ t: number; steps: number }> = []
  private finished!: () => void
  readonly done: Promise<void>
  private startedAt = 0

  constructor(
    readonly config: DaemonConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly stopGraceMs = STOP_GRACE_MS
  ) {
    this.done = new Promise(resolve => {
      this.finished = resolve
    })
    this.lock = new DataDirLock(config.dataDir)
    this.metrics = new DaemonMetrics({
      traffic: () => (this.started ? this.node.exchange.traffic : null),
      masksHeld: () => this.node.masksHeld,
      peers: () =>
        this.started
          ? { connected: this.node.node.getPeers().length, known: this.node.exchange.directory.list().length }
          : { connected: 0, known: 0 },
      // An evaluator's knowledge base stays empty: its returns are those of its last cycle.
      taskReturns: () =>
        config.role === 'evaluator'
          ? Object.entries(this.evaluator?.latest?.perTask ?? {}).map(([task, reward]) => ({ task, reward }))
          : this.node.kb
              .list()
              .filter(e => e.reward !== null)
              .map(e => ({ task: e.taskKey, reward: e.reward as number })),
      ...(config.role === 'evaluator' ? { icr: () => this.evaluator?.latest?.icr ?? null } : {})
    })
    const debug = config.log.level === 'debug' || config.log.level === 'trace'
    this.node = new Agent({
      dataDir: config.dataDir,
      ...(config.peerKeyFile !== null ? { peerKeyFile: config.peerKeyFile } : {}),
      role: config.role,
      tasks: config.curriculum.tasks,
      stepsPerTask: config.stepsPerTask,
      seed: config.seed,
      backboneSeed: config.backboneSeed,
      backend: config.backend,
      maskInit: config.maskInit,
      preset: config.preset,
      driver: {
        commPerTask: config.sharing.commPerTask,
        evalEpisodes: config.evaluation.episodes,
        evalGreedy: config.evaluation.greedy,
        evalEverySteps: config.evaluation.everySteps
      },
      learnerThread: 'worker',
      network: {
        listen: config.listen,
        announce: config.announce,
        bootstrap: config.bootstrap,
        mdns: config.mdns,
        announceIntervalMs: config.announceIntervalMs
      },
      sharing: {
        enabled: config.sharing.enabled && config.role === 'learner',
        hysteresis: config.sharing.hysteresis,
        rounds: { windowMs: config.sharing.windowMs, encoding: config.encoding },
        ...(config.sharing.drop > 0
          ? { loss: { probability: config.sharing.drop, mode: config.sharing.dropMode, seed: config.seed } }
          : {})
      },
      logger,
      libp2pLogger: libp2pLogBridge(logger, debug), // libp2p's component names already start with libp2p:
      metricsRegistry: this.metrics.registry,
      observer: {
        iteration: (stats, ctx) => {
          this.metrics.steps.inc(stats.steps)
          this.metrics.episodes.inc(stats.episodes)
          this.metrics.iterations.inc()
          this.stepSamples.push({ t: this.now(), steps: ctx.totalSteps })
          if (this.stepSamples.length > 64) this.stepSamples.shift()
        },
        adopted: () => {
          this.metrics.adoptions.inc()
          this.adopted++
        },
        round: r => {
          this.metrics.queryRounds.inc({
            outcome: r.adopted !== null ? 'adopted' : r.offers > 0 ? 'rejected' : 'no-offer'
          })
        }
      },
      now
    })
  }

  private started = false
  private adopted = 0

  async start(): Promise<void> {
    const { config, logger } = this
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
    await this.lock.acquire()
    try {
      const token = await this.token()
      await this.node.start()
      this.started = true
      this.startedAt = this.now()
      this.control = new ControlServer({
        listen: config.api,
        token,
        routes: this.routes(),
        metrics: async () => ({
          contentType: this.metrics.registry.contentType,
          body: await this.metrics.registry.metrics()
        })
      })
      const api = await this.control.start()
      const status = await this.node.status()
      const discovery: DaemonDiscovery = {
        pid: process.pid,
        peerId: status.peerId,
        api,
        addrs: status.addrs,
        role: config.role,
        startedAt: new Date(this.startedAt).toISOString(),
        version: L2D2C_VERSION
      }
      await writeJsonAtomic(join(config.dataDir, DAEMON_FILE), discovery)
      logger.info(
        {
          peerId: status.peerId,
          addrs: status.addrs,
          api,
          role: config.role,
          tasks: config.curriculum.tasks.length,
          dataDir: config.dataDir
        },
        'daemon started'
      )
    } catch (err) {
      await this.node.stop().catch(() => {})
      await this.lock.release().catch(() => {})
      throw err
    }
    this.loop = this.runRole().catch(err => {
      logger.error({ err: (err as Error).stack ?? String(err) }, 'the role loop failed; stopping')
      void this.stop()
    })
  }

  private async token(): Promise<string> {
    const path = join(this.config.dataDir, TOKEN_FILE)
    const existing = await readFile(path, 'utf8').then(
      t => t.trim(),
      () => ''
    )
    if (/^[0-9a-f]{64}$/.test(existing)) {
      await chmod(path, 0o600).catch(() => {})
      return existing
    }
    const token = randomBytes(32).toString('hex')
    await writeFileAtomic(path, `${token}\n`, 0o600)
    return token
  }

  /** The role: the curriculum (learners) or evaluation cycles (evaluators), until loopStop aborts. */
  protected async runRole(): Promise<void> {
    const { config, logger } = this
    if (config.role === 'evaluator') {
      this.evaluator = new EvaluatorRole(
        this.node,
        {
          tasks: config.curriculum.tasks,
          intervalMs: config.evaluation.intervalMs,
          episodes: config.evaluation.episodes,
          greedy: config.evaluation.greedy,
          logDir: config.dataDir
        },
        logger.child({ component: 'evaluator' }),
        this.now
      )
      await this.evaluator.run(this.loopStop.signal)
      return
    }
    const result = await this.node.runCurriculum(this.loopStop.signal)
    if (!result.completed) return
    const reached = result.tasks.filter(t => t.stepsToThreshold !== null).length
    logger.info({ tasks: result.tasks.length, reached, totalSteps: result.totalSteps }, 'curriculum done')
    if (config.exitWhenDone) {
      void this.stop()
      return
    }
    logger.info('serving masks until stopped')
  }

  private routes(): Record<string, () => Promise<unknown>> {
    return {
      [CONTROL_ROUTES.status]: async () => await this.statusDocument(),
      [CONTROL_ROUTES.peers]: async (): Promise<PeersDocument> => ({
        peers: this.node.exchange.directory.list().map(p => ({
          peerId: p.peerId,
          connected: this.node.node.getPeers().some(id => id.toString() === p.peerId),
          addrs: [...p.addrs],
          role: p.role,
          masks: p.masks.length,
          totalSteps: p.totalSteps,
          lastSeen: new Date(p.lastSeen).toISOString(),
          failures: p.failures
        }))
      }),
      [CONTROL_ROUTES.masks]: async (): Promise<MasksDocument> => {
        const list = await this.node.store.list()
        return {
          peer: this.node.peerId,
          backboneId: this.node.info.backboneId,
          masks: list.map(m => ({
            taskKey: m.taskKey,
            cid: m.bitsCid,
            reward: m.meta.reward,
            steps: m.meta.stepsTrained,
            bytes: m.bitsSize,
            origin: m.meta.origin,
            encodings: [...SUPPORTED_ENCODINGS]
          }))
        }
      },
      [CONTROL_ROUTES.knowledge]: async () => ({ knowledge: this.node.kb.list() }),
      [CONTROL_ROUTES.evaluation]: async (): Promise<EvaluationDocument> => ({
        tasks: [...this.config.curriculum.tasks],
        latest: this.evaluator?.latest ?? null,
        history: this.evaluator?.history ?? []
      }),
      [CONTROL_ROUTES.stop]: async () => {
        setImmediate(() => {
          void this.stop()
        })
        return { stopping: true }
      }
    }
  }

  async statusDocument(): Promise<StatusDocument> {
    const s = await this.node.status()
    const a = this.stepSamples[0]
    const b = this.stepSamples.at(-1)
    const rate = a !== undefined && b !== undefined && b.t > a.t ? (b.steps - a.steps) / ((b.t - a.t) / 1000) : 0
    return {
      peerId: s.peerId,
      addrs: s.addrs,
      role: s.role,
      backend: s.backend,
      backboneId: s.backboneId,
      task: s.task === null ? null : { key: s.task.key, steps: s.task.steps, budget: s.task.budget },
      masksHeld: s.masksHeld,
      peersConnected: s.peersConnected,
      uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000),
      version: L2D2C_VERSION,
      curriculum: { tasks: s.curriculum.tasks, index: s.task?.index ?? s.curriculum.tasks, done: s.curriculum.done },
      totalSteps: s.totalSteps,
      stepsPerSecond: Math.round(rate),
      dataDir: this.config.dataDir,
      masksServed: this.node.exchange.server.transfersServed,
      masksAdopted: this.adopted
    }
  }

  /** Waits for the role loop to end, at most stopGraceMs (a plain timer: see STOP_GRACE_MS). */
  private async settleLoop(): Promise<void> {
    if (this.loop === null) return
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<'timeout'>(resolve => {
      timer = setTimeout(() => {
        resolve('timeout')
      }, this.stopGraceMs)
    })
    const outcome = await Promise.race([
      this.loop.then(
        () => 'done' as const,
        () => 'done' as const
      ),
      grace
    ])
    clearTimeout(timer)
    if (outcome === 'timeout')
      this.logger.warn(
        { graceMs: this.stopGraceMs },
        'the role loop did not finish its step in time; stopping without it'
      )
  }

  /** Graceful stop: finish the current step, persist, close connections, remove the files. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('stopping')
      this.loopStop.abort()
      await this.settleLoop()
      await this.node.stop()
      await this.control?.stop()
      this.metrics.stop()
      await rm(join(this.config.dataDir, DAEMON_FILE), { force: true })
      await this.lock.release()
      this.logger.info('stopped')
      this.finished()
    })()
    return this.stopping
  }
}
