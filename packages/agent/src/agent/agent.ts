import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { decodeMask, encodeMask, type Mask, type MaskEncoding, type MaskMeta, type NodeRole } from '@l2d2c/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { ComponentLogger } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import { deriveStream } from '../rng/prng.js'
import type { PpoConfig, PpoPreset } from '../learner/hyperparams.js'
import type { IterationStats } from '../learner/lifelong-learner.js'
import type { BackendChoice } from '../learner/tf-backend.js'
import type { Logger } from '../logging/logger.js'
import type { NewMaskMode } from '../masks/combine.js'
import { createLibp2pNode, listeningAddresses, startLibp2pNode, type Libp2pNode } from '../network/libp2p-node.js'
import { ServedMasks } from '../masks/store/served-masks.js'
import type { LossOptions } from '../network/mask-exchange/loss.js'
import { MaskExchange } from '../network/mask-exchange/mask-exchange.js'
import { QueryRounds, type QueryRoundsInit, type RoundResult } from '../sharing/query-round.js'
import { TaskSharing, type VerifiedMask } from '../sharing/task-sharing.js'
import { parsePeerAddress } from '../network/peer-address.js'
import { L2D2C_VERSION } from '../version.js'
import { loadOrCreatePeerKey, loadPeerKey } from '../network/peer-key.js'
import { l2d2cStrategy } from '../sharing/policy/l2d2c-strategy.js'
import { KnowledgeBase } from '../masks/knowledge-base.js'
import { AgentStateFile, type AgentState } from './agent-state.js'
import { writeJsonAtomic } from '../util/atomic-file.js'
import { FileMaskStore } from '../masks/store/file-mask-store.js'
import type { MaskStore } from '../masks/store/mask-store.js'
import { MemoryMaskStore } from '../masks/store/memory-mask-store.js'
import {
  DEFAULT_DRIVER_CONFIG,
  CurriculumDriver,
  type CurriculumPosition,
  type DriverConfig,
  type DriverResult
} from './curriculum-driver.js'
import { InProcessLearner } from '../learner/thread/in-process-learner.js'
import type { LearnerApi, LearnerInfo } from '../learner/thread/learner-api.js'
import { WorkerLearner } from '../learner/thread/worker-learner.js'

/** Everything one l2d2c node needs; the daemon builds this from its validated configuration. */
export interface AgentConfig {
  /** Where keys, masks and state live; null: nothing persisted (tests, throwaway nodes). */
  readonly dataDir: string | null
  /** Use this existing key file instead of <dataDir>/peer.key (a fixed, known peer id, e.g. a bootstrap node). */
  readonly peerKeyFile?: string
  readonly role: NodeRole
  readonly tasks: readonly string[]
  readonly stepsPerTask: number
  readonly seed: number
  readonly backboneSeed?: number
  readonly backend?: BackendChoice
  readonly maskInit?: NewMaskMode
  readonly preset?: PpoPreset
  readonly ppo?: Partial<PpoConfig>
  /** (prefetchNext is sharing.prefetchNext: one switch.) */
  readonly driver?: Partial<Omit<DriverConfig, 'tasks' | 'stepsPerTask' | 'prefetchNext'>>
  /** Run the learner in a worker thread (daemons) or on the calling thread (tests, tools). */
  readonly learnerThread?: 'worker' | 'main'
  readonly network?: {
    readonly listen?: readonly string[]
    readonly announce?: readonly string[]
    readonly bootstrap?: readonly string[]
    readonly mdns?: boolean
    readonly gossipHeartbeatMs?: number
    readonly announceIntervalMs?: number
    readonly connectionPingIntervalMs?: number
    /** At start, wait this long for a bootstrap peer before training (a warning says if none answered). */
    readonly bootstrapWaitMs?: number
  }
  readonly sharing?: {
    /** Ask peers for masks (learners) — false: train alone, still serve own masks. */
    readonly enabled?: boolean
    readonly hysteresis?: number
    readonly rounds?: Partial<QueryRoundsInit>
    readonly loss?: LossOptions & { seed?: number }
    /** Encoding masks are stored in (own masks default F32: full scores to keep training). */
    readonly storeEncoding?: MaskEncoding
    /**
     * During each task, also run a round for the curriculum's next task (with the last scheduled
     * round, or at the task's end); an adopted mask is stored and the next task starts from it.
     * That round stands in for the next task's start round. Default true.
     */
    readonly prefetchNext?: boolean
  }
  readonly logger: Logger
  /** Notified of training and sharing events (metrics, progress displays). */
  readonly observer?: AgentObserver
  readonly libp2pLogger?: ComponentLogger
  readonly metricsRegistry?: Registry
  readonly now?: () => number
}

export interface AgentObserver {
  iteration?: (stats: IterationStats, ctx: { taskIndex: number; stepsOnTask: number; totalSteps: number }) => void
  adopted?: (taskKey: string, adoption: VerifiedMask) => void
  round?: (round: RoundResult) => void
}

export interface AgentStatus {
  peerId: string
  addrs: string[]
  role: NodeRole
  backend: string
  backboneId: string
  task: { key: string; index: number; steps: number; budget: number } | null
  curriculum: { tasks: number; done: boolean }
  totalSteps: number
  masksHeld: number
  peersConnected: number
  startedAt: number
}

/** The seeded uniform source of loss injection (experiments must replay). */
function seededRandom(seed: number): () => number {
  const prng = deriveStream(seed, 'loss-injection')
  return () => prng.nextFloat()
}

function curriculumId(tasks: readonly string[], stepsPerTask: number): string {
  let h = 0x811c9dc5
  for (const ch of `${stepsPerTask}|${tasks.join(',')}`) {
    h ^= ch.charCodeAt(0)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

/**
 * One l2d2c node: identity, mask store, knowledge base, learner, libp2p node and the mask
 * exchange, started in dependency order and stopped in reverse. As a learner it runs its
 * curriculum with the lifelong driver, sharing masks; it keeps serving after the curriculum.
 */
export class Agent {
  readonly kb: KnowledgeBase
  node!: Libp2pNode
  exchange!: MaskExchange
  private learnerImpl: LearnerApi | null = null
  info!: LearnerInfo
  readonly store: MaskStore
  private masks!: ServedMasks
  private readonly stateFile: AgentStateFile | null
  private readonly now: () => number
  private position: CurriculumPosition = { taskIndex: 0, stepsOnTask: 0 }
  private totalSteps = 0
  private started = false
  private startedAt = 0
  private id = ''
  rounds!: QueryRounds
  sharing!: TaskSharing

  constructor(readonly config: AgentConfig) {
    this.now = config.now ?? Date.now
    this.kb = new KnowledgeBase()
    this.store = config.dataDir === null ? new MemoryMaskStore() : new FileMaskStore(join(config.dataDir, 'masks'))
    this.stateFile = config.dataDir === null ? null : new AgentStateFile(join(config.dataDir, 'state.json'))
  }

  get peerId(): string {
    return this.id
  }

  get learner(): LearnerApi {
    if (this.learnerImpl === null) throw new Error('the node has not started')
    return this.learnerImpl
  }
  get curriculumPosition(): CurriculumPosition {
    return this.position
  }

  async start(): Promise<void> {
    if (this.started) return
    const { config } = this
    const log = config.logger
    // 1. Identity.
    const keyFile = config.peerKeyFile ?? (config.dataDir === null ? null : join(config.dataDir, 'peer.key'))
    const key =
      keyFile === null
        ? null
        : config.peerKeyFile !== undefined
          ? await loadPeerKey(keyFile)
          : await loadOrCreatePeerKey(keyFile)
    if (key?.created === true) log.info({ file: keyFile }, 'created a new peer key')
    if (key?.permissionsTooOpen === true)
      log.warn({ file: keyFile }, 'the peer key file is readable by other users; chmod 600 it')
    const privateKey: PrivateKey = key?.privateKey ?? (await generateKeyPair('Ed25519'))
    // 2. Learner (defines the backbone id every mask is checked against).
    this.learnerImpl = (config.learnerThread ?? 'worker') === 'worker' ? new WorkerLearner() : new InProcessLearner()
    const shapeTask = config.tasks[0]
    if (shapeTask === undefined) throw new Error('the curriculum has no task')
    this.info = await this.learner.init({
      shapeTask,
      seed: config.seed,
      backboneSeed: config.backboneSeed,
      backend: config.backend,
      newMaskMode: config.maskInit,
      preset: config.preset,
      ppo: config.ppo
    })
    for (const skipped of this.info.backendSkipped)
      log.info({ backend: skipped.backend, reason: skipped.reason }, 'backend unavailable, skipped')
    log.info({ backend: this.info.backend, backboneId: this.info.backboneId }, 'learner ready')
    // 3. Stored masks and state (a restart resumes where the node stopped).
    await this.store.open()
    if (this.store instanceof FileMaskStore)
      for (const q of this.store.quarantined)
        log.warn({ file: q.file, reason: q.reason }, 'moved a damaged mask file aside')
    await this.restore()
    this.masks = new ServedMasks(this.store.index, this.info.backboneId)
    // 4. Network.
    const net = config.network ?? {}
    this.node = await createLibp2pNode({
      privateKey,
      listen: net.listen,
      announce: net.announce,
      bootstrap: net.bootstrap,
      mdns: net.mdns,
      gossipHeartbeatMs: net.gossipHeartbeatMs,
      connectionPingIntervalMs: net.connectionPingIntervalMs,
      logger: config.libp2pLogger,
      metrics: config.metricsRegistry === undefined ? undefined : { registry: config.metricsRegistry },
      userAgent: `l2d2c/${L2D2C_VERSION}`
    })
    this.id = this.node.peerId.toString()
    const sharing = config.sharing ?? {}
    const knownPeers =
      config.dataDir === null
        ? undefined
        : await readFile(join(config.dataDir, 'peers.json'), 'utf8').then(
            t => JSON.parse(t) as unknown,
            () => undefined
          )
    this.exchange = new MaskExchange(
      {
        node: this.node,
        masks: this.masks,
        logger: log,
        totalSteps: () => this.totalSteps,
        now: this.now,
        random: seededRandom(sharing.loss?.seed ?? config.seed ^ 0x5eed)
      },
      {
        role: config.role,
        strategy: l2d2cStrategy({ hysteresis: sharing.hysteresis }),
        loss: sharing.loss,
        announceIntervalMs: net.announceIntervalMs,
        bootstrap: net.bootstrap,
        knownPeers
      }
    )
    this.rounds = new QueryRounds(
      {
        peers: this.node,
        client: this.exchange.client,
        directory: this.exchange.directory,
        strategy: this.exchange.strategy,
        traffic: this.exchange.traffic,
        logger: log.child({ component: 'sharing' }),
        backboneId: this.info.backboneId,
        now: this.now
      },
      sharing.rounds
    )
    const driverCfg = config.driver ?? {}
    this.sharing = new TaskSharing(
      {
        rounds: this.rounds,
        learner: this.learner,
        layers: this.info.layers,
        roundDone: round => config.observer?.round?.(round)
      },
      {
        evalEpisodes: driverCfg.evalEpisodes ?? DEFAULT_DRIVER_CONFIG.evalEpisodes,
        evalGreedy: driverCfg.evalGreedy ?? DEFAULT_DRIVER_CONFIG.evalGreedy
      }
    )
    await this.exchange.register()
    await startLibp2pNode(this.node)
    await this.exchange.start()
    this.started = true
    this.startedAt = this.now()
    if ((net.bootstrap ?? []).length > 0) await this.waitForBootstrap(net.bootstrap ?? [], net.bootstrapWaitMs ?? 5_000)
    log.info(
      { peerId: this.peerId, addrs: listeningAddresses(this.node), role: config.role, masks: this.masks.list().length },
      'node started'
    )
  }

  /**
   * Waits (bounded) until a bootstrap peer is connected, so the first query of the first task
   * reaches someone; if none answers, says so loudly instead of training in silence (user-needs
   * §b.2: bootstrap that does not silently fail). The exchange keeps redialling afterwards.
   */
  private async waitForBootstrap(bootstrap: readonly string[], waitMs: number): Promise<void> {
    const ids = new Set(bootstrap.map(a => parsePeerAddress(a).peerId)) // validated by the config already
    const connected = (): boolean => this.node.getPeers().some(p => ids.has(p.toString()))
    const deadline = this.now() + waitMs
    while (!connected() && this.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25))
    if (connected()) this.config.logger.info({ peers: this.node.getPeers().length }, 'connected to bootstrap peers')
    else
      this.config.logger.warn(
        { bootstrap },
        `no bootstrap peer reachable after ${waitMs} ms; training alone for now and retrying in the background`
      )
  }

  /** Loads the knowledge base, the curriculum position and every stored mask into the learner. */
  private async restore(): Promise<void> {
    const log = this.config.logger
    if (this.stateFile !== null) {
      const { state, problem } = await this.stateFile.load(this.now())
      if (problem !== null)
        log.warn({ problem }, 'state file was damaged; starting the curriculum over (masks are kept)')
      if (state !== null) {
        for (const e of state.knowledge) this.kb.restore(e)
        if (state.curriculumId === curriculumId(this.config.tasks, this.config.stepsPerTask)) {
          this.position = state.position
          this.totalSteps = state.totalSteps
        } else {
          log.warn('the curriculum changed since the last run; starting it over (masks are kept)')
        }
      }
    }
    for (const info of await this.store.list()) {
      if (info.backboneId !== this.info.backboneId) {
        log.warn({ task: info.taskKey, backboneId: info.backboneId }, 'stored mask is for another backbone; ignored')
        continue
      }
      const stored = await this.store.get(info.taskKey)
      if (stored === null) continue
      await this.learner.importMask(decodeMask(stored.bytes))
    }
  }

  private async saveState(): Promise<void> {
    if (this.stateFile === null) return
    const state: AgentState = {
      version: 1,
      curriculumId: curriculumId(this.config.tasks, this.config.stepsPerTask),
      position: this.position,
      totalSteps: this.totalSteps,
      knowledge: this.kb.list(),
      savedAt: this.now()
    }
    await this.stateFile.save(state)
  }

  private async savePeers(): Promise<void> {
    if (this.config.dataDir === null) return
    await writeJsonAtomic(join(this.config.dataDir, 'peers.json'), this.exchange.directory.toJSON())
  }

  /** Stores a mask (own checkpoint or adopted) and announces it. */
  async storeMask(mask: Mask, meta: MaskMeta): Promise<string> {
    const info = await this.store.put(encodeMask(mask, this.config.sharing?.storeEncoding ?? 'f32'), meta)
    return info.bitsCid
  }

  /** Runs (or resumes) the curriculum. Resolves when done or when `signal` aborts (after the current iteration). */
  async runCurriculum(signal?: AbortSignal): Promise<DriverResult> {
    if (!this.started) throw new Error('start() the node first')
    const sharingEnabled = this.config.sharing?.enabled ?? true
    const prefetchNext = sharingEnabled && (this.config.sharing?.prefetchNext ?? true)
    const cfg = {
      ...DEFAULT_DRIVER_CONFIG,
      ...this.config.driver,
      tasks: this.config.tasks,
      stepsPerTask: this.config.stepsPerTask,
      prefetchNext
    }
    const self = this.peerId
    const driver = new CurriculumDriver(this.learner, cfg, {
      // A prefetched mask is installed by the driver like any adoption: onAdopted records its
      // provenance and onCheckpoint stores it, so the next task's setTask starts from it.
      share: sharingEnabled ? async ctx => await this.sharing.share(ctx.taskKey, ctx.ownReward, signal) : undefined,
      onIteration: (stats, ctx) => {
        this.totalSteps = ctx.totalSteps
        this.kb.recordTraining(stats.taskKey, { steps: stats.steps }, this.now())
        this.config.observer?.iteration?.(stats, ctx)
      },
      onEvaluation: (taskKey, reward) => {
        this.kb.recordTraining(taskKey, { reward }, this.now())
      },
      onAdopted: async (taskKey, a) => {
        this.kb.recordAdoption(
          taskKey,
          {
            from: a.from,
            origin: a.origin,
            cid: a.cid,
            claimedReward: a.claimedReward,
            verifiedReward: a.verifiedReward
          },
          this.now()
        )
        this.config.logger.info(
          { task: taskKey, from: a.from, verified: a.verifiedReward, latencyMs: a.latencyMs },
          'adopted mask'
        )
        this.config.observer?.adopted?.(taskKey, a)
      },
      onCheckpoint: async (taskKey, mask, info) => {
        const e = this.kb.get(taskKey)
        const cid = await this.storeMask(mask, {
          reward: info.reward ?? 0,
          stepsTrained: e?.stepsTrained ?? info.stepsTrained,
          origin: e !== null && e.origin !== '' ? e.origin : self,
          createdAtMs: this.now()
        })
        this.kb.recordTraining(taskKey, { cid }, this.now())
        await this.saveState()
      },
      onPosition: (p, total) => {
        this.position = p
        this.totalSteps = total
      },
      onTaskEnd: async () => {
        await this.saveState()
        await this.savePeers().catch(() => {})
      }
    })
    driver.restore(
      this.kb.list().map(e => ({ key: e.taskKey, stepsTrained: e.stepsTrained, reward: e.reward })),
      this.totalSteps
    )
    const result = await driver.run(this.position, signal)
    await this.saveState()
    return result
  }

  async status(): Promise<AgentStatus> {
    const task =
      this.position.taskIndex < this.config.tasks.length
        ? {
            key: this.config.tasks[this.position.taskIndex] as string,
            index: this.position.taskIndex,
            steps: this.position.stepsOnTask,
            budget: this.config.stepsPerTask
          }
        : null
    return {
      peerId: this.peerId,
      addrs: this.started ? listeningAddresses(this.node) : [],
      role: this.config.role,
      backend: this.info?.backend ?? 'none',
      backboneId: this.info?.backboneId ?? '',
      task: this.config.role === 'learner' ? task : null,
      curriculum: { tasks: this.config.tasks.length, done: task === null },
      totalSteps: this.totalSteps,
      masksHeld: this.masksHeld,
      peersConnected: this.started ? this.node.getPeers().length : 0,
      startedAt: this.startedAt
    }
  }

  /** Masks held now (the store's index, current after every store write). */
  get masksHeld(): number {
    return this.started ? this.masks.list().length : 0
  }

  /** Stops in reverse order: network, state, learner. Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) {
      await this.learnerImpl?.dispose().catch(() => {})
      return
    }
    this.started = false
    await this.exchange.stop().catch(() => {})
    await this.savePeers().catch(() => {})
    await Promise.resolve()
      .then(async () => {
        await this.node.stop()
      })
      .catch(() => {})
    await this.saveState().catch(err => {
      this.config.logger.error({ err: (err as Error).message }, 'could not save state')
    })
    if (this.learnerImpl !== null) await this.learnerImpl.dispose().catch(() => {})
    await this.store.close()
  }
}
