import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises'
import {
  CONTROL_ROUTES,
  dataDirPaths,
  decodeMask,
  SUPPORTED_ENCODINGS,
  type DaemonDiscovery,
  type DashboardMask,
  type DashboardSnapshot,
  type Mask,
  type DataDirPaths,
  type EvaluationDocument,
  type ExposureDocument,
  type MasksDocument,
  type OwnIcrDocument,
  type PlayDocument,
  type PaceDocument,
  type PeersDocument,
  type StatusDocument
} from '@l2d2c/protocol'
import { Agent } from '../agent/agent.js'
import type { AgentConfig, AgentObserver } from '../agent/agent-config.js'
import { libp2pLogBridge } from '../logging/libp2p-bridge.js'
import { admissionRefusals } from '../network/libp2p-node.js'
import type { NatStatus } from '../network/nat-service.js'
import type { Logger } from '../logging/logger.js'
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file.js'
import { runStopSteps, Teardown } from '../util/teardown.js'
import { L2D2C_VERSION } from '../version.js'
import { daemonAdmission, exposureOf, logExposure, type DaemonAdmission } from './admission.js'
import type { DaemonConfig } from './config/daemon-config.js'
import { ControlServer, RouteError, type RouteHandler } from './control-server.js'
import { Dashboard, PlayRefused } from './dashboard/dashboard.js'
import { LinkedDaemons } from './dashboard/linked-daemons.js'
import { dashboardSnapshot } from './dashboard/snapshot.js'
import type { LogTail } from '../logging/log-tail.js'
import { EvaluatorRole } from './evaluator-role.js'
import { defenceDocument, reviewRoutes } from './review-routes.js'
import { ReachabilityLog } from './reachability-log.js'
import { DataDirLock } from './lock.js'
import { DaemonMetrics } from './metrics.js'
import { TrainingProgress } from './training-progress.js'

/**
 * How long stop() waits for the role loop to finish its current step. A loop stuck on a
 * network call that never returns must not keep the daemon from persisting its state and
 * removing its lock and discovery file.
 */
export const STOP_GRACE_MS = 30_000

export interface DaemonOptions {
  readonly now?: () => number
  /** How long stop() waits for the role loop (tests shorten it). */
  readonly stopGraceMs?: number
  /** The last lines of the daemon's log, for the dashboard (none: its log tail stays empty). */
  readonly logTail?: LogTail
}

/** The parts Daemon.start builds before the daemon exists. */
interface DaemonParts {
  readonly config: DaemonConfig
  readonly logger: Logger
  readonly paths: DataDirPaths
  readonly token: string
  readonly agent: Agent
  readonly metrics: DaemonMetrics
  readonly progress: TrainingProgress
  readonly evaluator: EvaluatorRole | null
  readonly lock: DataDirLock
  readonly now: () => number
  readonly stopGraceMs: number
  readonly exposure: ExposureDocument
  readonly logTail: LogTail | null
}

/**
 * One l2d2c daemon: an agent, its control API and metrics, and the loop of its role.
 * `Daemon.start` locks the data dir, creates the agent, serves the control API, writes the
 * discovery file and starts the role loop; it returns a running daemon. stop(): the loop
 * finishes its step, the agent persists and closes, the files go, in that order, each failure
 * logged. stop() is idempotent; `done` resolves when the daemon has stopped for any reason.
 */
export class Daemon {
  readonly config: DaemonConfig
  readonly agent: Agent
  readonly done: Promise<void>
  private readonly logger: Logger
  private readonly paths: DataDirPaths
  private readonly metrics: DaemonMetrics
  private readonly progress: TrainingProgress
  private readonly evaluator: EvaluatorRole | null
  private readonly control: ControlServer
  private readonly reachabilityLog: ReachabilityLog
  private readonly lock: DataDirLock
  private readonly now: () => number
  private readonly stopGraceMs: number
  private readonly exposure: ExposureDocument
  private readonly logTail: LogTail | null
  private readonly linked: LinkedDaemons
  private readonly loopStop = new AbortController()
  private loop: Promise<void> | null = null
  private stopping: Promise<void> | null = null
  private startedAt = 0
  private finished: () => void = () => {}

  protected constructor(p: DaemonParts) {
    this.config = p.config
    this.logger = p.logger
    this.paths = p.paths
    this.agent = p.agent
    this.metrics = p.metrics
    this.progress = p.progress
    this.evaluator = p.evaluator
    this.lock = p.lock
    this.now = p.now
    this.stopGraceMs = p.stopGraceMs
    this.exposure = p.exposure
    this.logTail = p.logTail
    this.done = new Promise(resolve => {
      this.finished = resolve
    })
    this.reachabilityLog = new ReachabilityLog({ status: () => this.agent.reachability(), logger: p.logger })
    this.linked = new LinkedDaemons(p.config.dashboard.links, p.now)
    this.control = new ControlServer({
      listen: p.config.api,
      token: p.token,
      routes: this.routes(),
      metrics: async () => ({
        contentType: this.metrics.registry.contentType,
        body: await this.metrics.registry.metrics()
      }),
      dashboard: new Dashboard(
        {
          snapshot: async () => await this.dashboardSnapshot(),
          play: async taskKey => await this.play(taskKey),
          ...(p.config.dashboard.links.length > 0
            ? { linkedLogin: async (peerId: string) => await this.linked.login(peerId) }
            : {})
        },
        { now: p.now, logger: p.logger.child({ component: 'dashboard' }) }
      )
    })
  }

  /**
   * Starts a daemon: lock the data dir → Agent.create → control API → discovery file → role
   * loop. If a step fails, what was started is stopped again in reverse order (each failure
   * logged) and the error is thrown. (A factory, not constructor + start(): no field is valid
   * only after start. A signal that arrives during start is handled by the caller as soon as
   * this returns: the CLI then stops the daemon at once.)
   */
  static async start(config: DaemonConfig, logger: Logger, options: DaemonOptions = {}): Promise<Daemon> {
    const now = options.now ?? Date.now
    const paths = dataDirPaths(config.dataDir)
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
    await restrictDataDir(config.dataDir, logger)
    const lock = new DataDirLock(config.dataDir)
    await lock.acquire()
    const teardown = new Teardown(logger)
    teardown.add('release the data dir lock', () => lock.release())
    try {
      const token = await apiToken(paths.token)
      const metrics = new DaemonMetrics()
      teardown.add('stop the metrics', () => {
        metrics.stop()
      })
      const progress = new TrainingProgress(metrics, now)
      const admission = await daemonAdmission(config)
      const agent = await Agent.create(agentConfig(config, logger, metrics, progress.observer, now, admission))
      teardown.add('stop the agent', () => agent.stop())
      const evaluator =
        config.role === 'evaluator'
          ? new EvaluatorRole(
              {
                rounds: agent.rounds,
                learner: agent.learner,
                layers: agent.info.layers,
                knownPeers: () => agent.knownPeers(),
                logger: logger.child({ component: 'evaluator' }),
                now
              },
              {
                tasks: config.curriculum.tasks,
                intervalMs: config.evaluation.intervalMs,
                episodes: config.evaluation.episodes,
                greedy: config.evaluation.greedy,
                log: paths
              }
            )
          : null
      metrics.watch({
        traffic: () => agent.traffic,
        masksHeld: () => agent.masksHeld,
        peers: () => ({ connected: agent.connectedPeers().length, known: agent.knownPeers().length }),
        bans: () => {
          const book = agent.exchange.banner.book
          const now = Date.now()
          return { active: book.activeCount(now), activeIps: book.activeIps(now).length, total: book.bansTotal }
        },
        // An evaluator's knowledge base stays empty: its returns are those of its last cycle.
        taskReturns: () =>
          evaluator !== null
            ? Object.entries(evaluator.latest?.perTask ?? {}).map(([task, reward]) => ({ task, reward }))
            : agent.kb
                .list()
                .filter(e => e.reward !== null)
                .map(e => ({ task: e.taskKey, reward: e.reward as number })),
        ...(evaluator !== null
          ? { icr: () => evaluator.latest?.icr ?? null }
          : { ownIcr: () => agent.latestOwnIcr, outcome: () => agent.sharingOutcome() })
      })
      const exposure = exposureOf({
        listen: config.listen,
        swarmKeyFingerprint: admission.swarmKey?.fingerprint ?? null,
        allowlist: config.security.allowPeers.length > 0,
        peerId: agent.peerId
      })
      logExposure(logger, exposure)
      const daemon = new this({
        exposure,
        config,
        logger,
        paths,
        token,
        agent,
        metrics,
        progress,
        evaluator,
        lock,
        now,
        stopGraceMs: options.stopGraceMs ?? STOP_GRACE_MS,
        logTail: options.logTail ?? null
      })
      teardown.add('stop the control API', () => daemon.control.stop())
      teardown.add('remove the discovery file', () => rm(paths.discovery, { force: true }))
      await daemon.serve()
      return daemon
    } catch (err) {
      await teardown.run()
      throw err
    }
  }

  /** Control API, discovery file, then the role loop. */
  private async serve(): Promise<void> {
    const { config, logger } = this
    this.startedAt = this.now()
    const api = await this.control.start()
    const status = await this.agent.status()
    const discovery: DaemonDiscovery = {
      pid: process.pid,
      peerId: status.peerId,
      api,
      addrs: status.addrs,
      role: config.role,
      startedAt: new Date(this.startedAt).toISOString(),
      version: L2D2C_VERSION
    }
    await writeJsonAtomic(this.paths.discovery, discovery)
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
    this.reachabilityLog.start()
    this.loop = this.runRole().catch(err => {
      logger.error({ err: (err as Error).stack ?? String(err) }, 'the role loop failed; stopping')
      void this.stop()
    })
  }

  /** The role: the curriculum (learners) or evaluation cycles (evaluators), until loopStop aborts. */
  protected async runRole(): Promise<void> {
    const { config, logger } = this
    if (this.evaluator !== null) {
      await this.evaluator.run(this.loopStop.signal)
      return
    }
    const result = await this.agent.runCurriculum(this.loopStop.signal)
    if (!result.completed) return
    const reached = result.tasks.filter(t => t.stepsToThreshold !== null).length
    logger.info(
      {
        tasks: result.tasks.length,
        reached,
        totalSteps: result.totalSteps,
        evalSteps: result.evalSteps,
        ownIcr: result.ownIcr?.ownIcr ?? null,
        ...this.agent.sharingOutcome()
      },
      'curriculum done'
    )
    if (config.exitWhenDone) {
      void this.stop()
      return
    }
    logger.info('serving masks until stopped')
  }

  private routes(): Record<string, RouteHandler> {
    return {
      ...reviewRoutes(this.agent),
      [CONTROL_ROUTES.status]: async () => await this.statusDocument(),
      [CONTROL_ROUTES.peers]: async (): Promise<PeersDocument> => {
        const connected = new Set(this.agent.connectedPeers())
        const kinds = this.agent.connectionKinds()
        return {
          peers: this.agent.knownPeers().map(p => ({
            peerId: p.peerId,
            connected: connected.has(p.peerId),
            connection: kinds.get(p.peerId) ?? null,
            addrs: [...p.addrs],
            role: p.role,
            masks: p.masks.length,
            totalSteps: p.totalSteps,
            lastSeen: new Date(p.lastSeen).toISOString(),
            failures: p.failures,
            standing: this.agent.reputation.standing(p.peerId, this.now())
          }))
        }
      },
      [CONTROL_ROUTES.masks]: async () => await this.masksDocument(),
      [CONTROL_ROUTES.knowledge]: async () => ({ knowledge: this.agent.kb.list() }),
      [CONTROL_ROUTES.ownIcr]: async (): Promise<OwnIcrDocument> => this.agent.ownIcrDocument(),
      [CONTROL_ROUTES.evaluation]: async () => this.evaluationDocument(),
      [CONTROL_ROUTES.pace]: async (q): Promise<PaceDocument> => {
        const pace = this.agent.pace
        if (pace === null)
          throw new RouteError(409, 'this node is not paced; experiment runners start learners with --paced')
        const raw = q.get('until')
        if (raw === null || !/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(Number(raw)))
          throw new RouteError(400, 'give the training-step limit as ?until=N (an integer from 0 to 2^53 - 1)')
        pace.setUntil(Number(raw))
        const { totalSteps } = await this.agent.status()
        return { untilSteps: pace.untilSteps, totalSteps, waiting: pace.waiting, waitedMs: pace.waitedMs }
      },
      [CONTROL_ROUTES.stop]: async () => {
        setImmediate(() => {
          void this.stop()
        })
        return { stopping: true }
      }
    }
  }

  private async masksDocument(): Promise<MasksDocument> {
    const list = await this.agent.store.list()
    return {
      peer: this.agent.peerId,
      backboneId: this.agent.info.backboneId,
      masks: list.map(m => {
        const sizes = this.agent.servedSizes(m.taskKey)
        return {
          taskKey: m.taskKey,
          cid: m.bitsCid,
          reward: m.meta.reward,
          steps: m.meta.stepsTrained,
          bytes: m.bitsSize,
          origin: m.meta.origin,
          encodings: sizes === null ? [...SUPPORTED_ENCODINGS] : Object.keys(sizes),
          ...(sizes !== null ? { sizes } : {})
        }
      })
    }
  }

  private evaluationDocument(): EvaluationDocument {
    return {
      tasks: [...this.config.curriculum.tasks],
      latest: this.evaluator?.latest ?? null,
      history: this.evaluator?.history ?? []
    }
  }

  /** The masks the page lists: a learner's stored ones; an evaluator's held in memory. */
  private async dashboardMasks(): Promise<DashboardMask[]> {
    if (this.evaluator !== null) {
      const latest = this.evaluator.latest?.perTask ?? {}
      return this.evaluator
        .heldMasks()
        .map(m => ({ taskKey: m.taskKey, cid: m.cid, reward: latest[m.taskKey] ?? null, steps: null, origin: m.from }))
    }
    return (await this.masksDocument()).masks.map(m => ({
      taskKey: m.taskKey,
      cid: m.cid,
      reward: m.reward,
      steps: m.steps,
      origin: m.origin
    }))
  }

  /** What the dashboard's event stream sends (at most once a second, for all its clients). */
  private async dashboardSnapshot(): Promise<DashboardSnapshot> {
    return dashboardSnapshot({
      now: this.now(),
      status: await this.statusDocument(),
      peers: this.agent.knownPeers(),
      connected: new Set(this.agent.connectedPeers()),
      connectionKinds: this.agent.connectionKinds(),
      masks: await this.dashboardMasks(),
      knowledge: this.agent.kb.list(),
      training: this.progress.training(),
      ownIcr: this.agent.ownIcrDocument(),
      evaluation: this.evaluationDocument(),
      logs: this.logTail?.lines() ?? [],
      linked: await this.linked.list()
    })
  }

  /**
   * One episode of a task with the mask this node holds for it (a learner: the one it announces;
   * an evaluator: the one it measures), on its
   * learner, for the dashboard's "watch a mask play". The learner serves calls in order, so the
   * episode waits for the current iteration (a fraction of a second).
   */
  private async play(taskKey: string): Promise<PlayDocument> {
    let held: { mask: Mask; cid: string; origin: string } | null = null
    if (this.evaluator !== null) {
      const h = this.evaluator.heldMask(taskKey)
      if (h !== null) held = { mask: h.mask, cid: h.cid, origin: h.from }
    } else {
      const stored = await this.agent.store.get(taskKey)
      if (stored !== null) held = { mask: decodeMask(stored.bytes), cid: stored.bitsCid, origin: stored.meta.origin }
    }
    if (held === null) throw new PlayRefused(`this node holds no mask for ${taskKey}`)
    const episode = await this.agent.learner.play(taskKey, { mask: held.mask, greedy: this.config.evaluation.greedy })
    return {
      taskKey,
      cid: held.cid,
      origin: held.origin,
      side: episode.frames[0]?.side ?? null,
      totalReward: episode.totalReward,
      frames: episode.frames.map(f => ({
        action: f.action,
        reward: f.reward,
        done: f.done,
        image: f.image,
        grid: f.grid,
        caption: f.caption
      }))
    }
  }

  async statusDocument(): Promise<StatusDocument> {
    const s = await this.agent.status()
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
      stepsPerSecond: Math.round(this.progress.stepsPerSecond()),
      dataDir: this.config.dataDir,
      masksServed: this.agent.masksServed,
      masksAdopted: this.progress.adopted,
      exposure: this.exposure,
      admission: { refused: { ...admissionRefusals(this.agent.libp2p) } },
      budget: s.budget,
      ownIcr: s.ownIcr,
      tasksLearned: s.outcome.tasksLearned,
      tasksAdopted: s.outcome.tasksAdopted,
      stepsSaved: s.outcome.stepsSaved,
      evalSteps: s.evalSteps,
      bytesSent: s.bytesSent,
      bytesReceived: s.bytesReceived,
      relayedBytes: s.relayedBytes,
      policy: this.agent.policy.describe(),
      defence: defenceDocument(this.agent, this.now()),
      ...reachabilityFields(this.agent.reachability())
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

  /**
   * Graceful stop: the role loop finishes its step; the agent stops first (it persists its
   * state while the control API still answers), then the control API and the metrics; the
   * discovery file goes once the state is saved, and the lock last. Each failure is logged and
   * the rest still runs.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('stopping')
      this.loopStop.abort()
      this.reachabilityLog.stop()
      await this.settleLoop()
      await runStopSteps(this.logger, [
        { what: 'stop the agent', run: () => this.agent.stop() },
        { what: 'stop the control API', run: () => this.control.stop() },
        { what: 'stop the metrics', run: () => this.metrics.stop() },
        { what: 'remove the discovery file', run: () => rm(this.paths.discovery, { force: true }) },
        { what: 'release the data dir lock', run: () => this.lock.release() }
      ])
      this.logger.info('stopped')
      this.finished()
    })()
    return this.stopping
  }
}

/** The status document's reachability fields. */
function reachabilityFields(
  s: NatStatus
): Pick<StatusDocument, 'reachability' | 'reachabilityReason' | 'relayAddrs' | 'relayServer'> {
  return {
    reachability: s.reachability,
    reachabilityReason: s.reason,
    relayAddrs: s.relayAddrs,
    relayServer: s.relayServer
  }
}

/** The agent's configuration, from the daemon's. */
function agentConfig(
  config: DaemonConfig,
  logger: Logger,
  metrics: DaemonMetrics,
  observer: AgentObserver,
  now: () => number,
  admission: DaemonAdmission
): AgentConfig {
  const debug = config.log.level === 'debug' || config.log.level === 'trace'
  return {
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
    ...(config.closeToInit !== null ? { ppo: { closeToInit: config.closeToInit } } : {}),
    driver: {
      budget: config.fixedBudget ? 'fixed' : 'mastery',
      commPerTask: config.sharing.commPerTask,
      evalEpisodes: config.evaluation.episodes,
      evalGreedy: config.evaluation.greedy,
      evalEverySteps: config.evaluation.everySteps
    },
    learnerThread: 'worker',
    paced: config.paced && config.role === 'learner',
    network: {
      listen: config.listen,
      announce: config.announce,
      bootstrap: config.bootstrap,
      mdns: config.mdns,
      relayServer: config.relayServer,
      relayReservation: config.relayReservation,
      upnp: config.upnp,
      announceIntervalMs: config.announceIntervalMs,
      ...admission.network
    },
    sharing: {
      enabled: config.sharing.enabled && config.role === 'learner',
      hysteresis: config.sharing.hysteresis,
      // An evaluator measures the collective's best mask: its round waits for every peer it
      // asked (up to the window), not a short grace after the first better offer, which would
      // cut off a slower holder of a better mask (docs/reference-fidelity.md §9, D30).
      rounds: {
        windowMs: config.sharing.windowMs,
        encoding: config.encoding,
        ...(config.role === 'evaluator' ? { graceMs: config.sharing.windowMs } : {})
      },
      importBasis: config.sharing.importBasis,
      ...(config.sharing.drop > 0
        ? { loss: { probability: config.sharing.drop, mode: config.sharing.dropMode, seed: config.seed } }
        : {})
    },
    policy: config.policy,
    logger,
    libp2pLogger: libp2pLogBridge(logger, debug), // libp2p's component names already start with libp2p:
    metricsRegistry: metrics.registry,
    observer,
    now
  }
}

/**
 * The data dir holds the peer key, the API token and the masks: owner only, even when it
 * existed before (mkdir's mode applies only to a directory it creates). A directory this user
 * cannot chmod (another owner, a read-only mount) is used as it is, with a warning.
 */
async function restrictDataDir(dir: string, logger: Logger): Promise<void> {
  try {
    const mode = (await stat(dir)).mode & 0o777
    if (mode !== 0o700) {
      await chmod(dir, 0o700)
      logger.info({ dataDir: dir, was: mode.toString(8) }, 'data dir restricted to its owner (0700)')
    }
  } catch (err) {
    logger.warn(
      { dataDir: dir, err: (err as Error).message },
      'cannot restrict the data dir to its owner (chmod 700); other users may read its keys and masks'
    )
  }
}

/** The control API's bearer token: the one in the data dir if it is valid, else a new one (0600). */
async function apiToken(path: string): Promise<string> {
  const existing = await readFile(path, 'utf8').then(
    t => t.trim(),
    () => '' // none yet, or unreadable: a new one replaces it
  )
  if (/^[0-9a-f]{64}$/.test(existing)) {
    await chmod(path, 0o600).catch(() => {}) // best effort: the token still works if chmod is refused
    return existing
  }
  const token = randomBytes(32).toString('hex')
  await writeFileAtomic(path, `${token}\n`, 0o600)
  return token
}
