import {
  dataDirPaths,
  decodeMask,
  encodeMask,
  type DataDirPaths,
  type Mask,
  type MaskEncoding,
  type MaskMeta,
  type NodeRole,
  type OwnIcrDocument
} from '@l2d2c/protocol'
import { describeError } from '../errors.js'
import { InProcessLearner } from '../learner/thread/in-process-learner.js'
import type { LearnerApi, LearnerInfo } from '../learner/thread/learner-api.js'
import { WorkerLearner } from '../learner/thread/worker-learner.js'
import { KnowledgeBase } from '../masks/knowledge-base.js'
import { deltaBaseProvider } from '../masks/initial-mask.js'
import { DEFAULT_BACKBONE_SEED } from '../learner/backbone.js'
import { FileMaskStore } from '../masks/store/file-mask-store.js'
import type { MaskStore } from '../masks/store/mask-store.js'
import { MemoryMaskStore } from '../masks/store/memory-mask-store.js'
import { ServedMasks } from '../masks/store/served-masks.js'
import { listeningAddresses, startLibp2pNode, type Libp2pNode } from '../network/libp2p-node.js'
import type { MaskExchange } from '../network/mask-exchange/mask-exchange.js'
import { connectionKinds, type NatStatus } from '../network/nat-service.js'
import type { Traffic } from '../network/mask-exchange/traffic.js'
import { parsePeerAddress } from '../network/peer-address.js'
import type { PeerRecord } from '../network/peer-directory.js'
import type { ReputationBook } from '../sharing/policy/reputation.js'
import type { SitePolicy } from '../sharing/policy/site-policy.js'
import type { QueryRounds } from '../sharing/query-round.js'
import type { TaskSharing } from '../sharing/task-sharing.js'
import type { BasisImport } from '../sharing/basis-import.js'
import { writeJsonAtomic } from '../util/atomic-file.js'
import { Teardown } from '../util/teardown.js'
import { DEFAULT_AGENT, type AgentConfig } from './agent-config.js'
import { agentPrivateKey, buildAgentNetwork } from './agent-network.js'
import { AgentStateFile, curriculumId, type AgentState } from './agent-state.js'
import { ReviewDesk } from './review-desk.js'
import { StepPace } from './step-pace.js'
import { loadSharingState, type AgentSharingState } from './sharing-state.js'
import {
  CurriculumDriver,
  DEFAULT_DRIVER_CONFIG,
  type BudgetMode,
  type CurriculumPosition,
  type DriverResult
} from './curriculum-driver.js'
import { OwnIcrHistory, sharingOutcome, type SharingOutcome } from './own-capability.js'

/** How often the bootstrap wait looks for a connected bootstrap peer. */
const BOOTSTRAP_POLL_MS = 25

export interface AgentStatus {
  peerId: string
  addrs: string[]
  role: NodeRole
  backend: string
  backboneId: string
  task: { key: string; index: number; steps: number; budget: number } | null
  curriculum: { tasks: number; done: boolean }
  totalSteps: number
  /** Env steps spent in evaluations (not training steps). */
  evalSteps: number
  masksHeld: number
  peersConnected: number
  startedAt: number
  budget: BudgetMode
  /** The latest own ICR (null before the first sample, and for evaluators). */
  ownIcr: number | null
  /** Tasks learned, adopted, and steps saved (see own-capability.ts). */
  outcome: SharingOutcome
  bytesSent: number
  bytesReceived: number
  /** Of those, the query and mask bytes over relayed connections. */
  relayedBytes: { sent: number; received: number }
}

/** The parts Agent.create builds, in the order it builds them. */
interface AgentParts {
  readonly config: AgentConfig
  readonly paths: DataDirPaths | null
  readonly now: () => number
  readonly learner: LearnerApi
  readonly info: LearnerInfo
  readonly store: MaskStore
  readonly kb: KnowledgeBase
  readonly stateFile: AgentStateFile | null
  readonly progress: CurriculumProgress
  readonly ownIcr: OwnIcrHistory
  readonly served: ServedMasks
  readonly sharingState: AgentSharingState
  readonly libp2p: Libp2pNode
  readonly exchange: MaskExchange
  readonly rounds: QueryRounds
  readonly sharing: TaskSharing
  readonly basis: BasisImport | null
  readonly teardown: Teardown
  readonly startedAt: number
}

/** Where the agent is in its curriculum: updated as it trains, saved in state.json. */
interface CurriculumProgress {
  position: CurriculumPosition
  totalSteps: number
  /** Env steps of every evaluation it ran (its driver's and its sharing rounds'). */
  evalSteps: number
}

/**
 * One l2d2c agent: identity, learner, mask store and knowledge base, libp2p node, mask
 * exchange and sharing. `Agent.create` builds and starts them in dependency order and returns
 * a running agent; stop() stops them in reverse order. As a learner it runs its curriculum with
 * the curriculum driver, sharing masks; it keeps serving after the curriculum.
 */
export class Agent {
  readonly config: AgentConfig
  readonly peerId: string
  readonly learner: LearnerApi
  /** The learner's backend, backbone id and layer table. */
  readonly info: LearnerInfo
  readonly store: MaskStore
  readonly kb: KnowledgeBase
  /** The libp2p node (tools and benchmarks dial through it; the daemon uses the methods below). */
  readonly libp2p: Libp2pNode
  readonly exchange: MaskExchange
  readonly rounds: QueryRounds
  readonly sharing: TaskSharing
  /** Transfer's import of peers' masks of other tasks (null unless sharing.importBasis > 0). */
  readonly basis: BasisImport | null
  /** What the site serves and accepts, and how it adopts; what peers did; the operator's review (review mode). */
  readonly policy: SitePolicy
  readonly reputation: ReputationBook
  readonly desk: ReviewDesk | null
  /** Experiment pacing (null unless config.paced): the training-step limit a runner sets. */
  readonly pace: StepPace | null
  readonly startedAt: number
  private readonly paths: DataDirPaths | null
  private readonly now: () => number
  private readonly stateFile: AgentStateFile | null
  private readonly served: ServedMasks
  private readonly teardown: Teardown
  private readonly progress: CurriculumProgress
  /** Its own-ICR samples (learners: measured by its curriculum driver). */
  private readonly ownIcr: OwnIcrHistory

  private constructor(p: AgentParts) {
    this.config = p.config
    this.paths = p.paths
    this.now = p.now
    this.learner = p.learner
    this.info = p.info
    this.store = p.store
    this.kb = p.kb
    this.stateFile = p.stateFile
    this.progress = p.progress
    this.ownIcr = p.ownIcr
    this.served = p.served
    this.libp2p = p.libp2p
    this.exchange = p.exchange
    this.rounds = p.rounds
    this.sharing = p.sharing
    this.basis = p.basis
    this.teardown = p.teardown
    this.startedAt = p.startedAt
    this.peerId = p.libp2p.peerId.toString()
    this.policy = p.sharingState.policy
    this.reputation = p.sharingState.reputation
    this.pace = p.config.paced === true ? new StepPace() : null
    const review = p.sharingState.review
    this.desk =
      review === null
        ? null
        : new ReviewDesk({
            review,
            reputation: this.reputation,
            learner: this.learner,
            kb: this.kb,
            expect: { backboneId: this.info.backboneId, layers: this.info.layers },
            storeMask: async (mask, meta) => await this.storeMask(mask, meta),
            saveState: async () => {
              await this.saveState()
            },
            adopted: (task, a) => this.config.observer?.adopted?.(task, a),
            logger: this.config.logger,
            now: this.now
          })
  }

  /**
   * Builds and starts an agent: peer key → learner (it defines the backbone) → mask store and
   * state (a restart resumes where the agent stopped) → libp2p node with the exchange's
   * handlers registered → node started → exchange started → a bounded wait for a bootstrap
   * peer. If a step fails, the parts already started are stopped again before the error is
   * thrown.
   */
  static async create(config: AgentConfig): Promise<Agent> {
    const log = config.logger
    const now = config.now ?? Date.now
    const paths = config.dataDir === null ? null : dataDirPaths(config.dataDir)
    const teardown = new Teardown(log)
    try {
      const privateKey = await agentPrivateKey(config, paths)
      // The learner: it defines the backbone id every mask is checked against.
      const learner: LearnerApi =
        (config.learnerThread ?? DEFAULT_AGENT.learnerThread) === 'worker'
          ? new WorkerLearner()
          : new InProcessLearner()
      teardown.add('dispose of the learner', () => learner.dispose())
      const shapeTask = config.tasks[0]
      if (shapeTask === undefined) throw new Error('the curriculum has no task')
      const info = await learner.init({
        shapeTask,
        seed: config.seed,
        backboneSeed: config.backboneSeed,
        backend: config.backend,
        newMaskMode: config.maskInit,
        preset: config.preset,
        ppo: config.ppo
      })
      for (const skipped of info.backendSkipped)
        log.info({ backend: skipped.backend, reason: skipped.reason }, 'backend unavailable, skipped')
      log.info({ backend: info.backend, backboneId: info.backboneId }, 'learner ready')

      // Stored masks and state.
      // The DELTA bases of this node's backbone: DELTA masks are decoded (stores, fetches) and
      // served against them.
      const deltaBase = deltaBaseProvider(config.backboneSeed ?? DEFAULT_BACKBONE_SEED)
      const store: MaskStore =
        paths === null ? new MemoryMaskStore(null, deltaBase) : new FileMaskStore(paths.masks, null, deltaBase)
      await store.open()
      teardown.add('close the mask store', () => store.close())
      if (store instanceof FileMaskStore)
        for (const q of store.quarantined)
          log.warn({ file: q.file, reason: q.reason }, 'moved a damaged mask file aside')
      const kb = new KnowledgeBase()
      const stateFile = paths === null ? null : new AgentStateFile(paths.state)
      const progress = await Agent.restore(config, { stateFile, kb, store, learner, info, now })
      const served = new ServedMasks(store.index, info.backboneId, Date.now, deltaBase)
      // The site's policy, the reputation book and held candidates, saved when they change.
      const sharingState = await loadSharingState({ policy: config.policy, paths, info, logger: log })
      for (const save of sharingState.saves) {
        save.start()
        teardown.add('save the reputation book and held candidates', () => save.stop())
      }
      const ownIcr = new OwnIcrHistory()

      // The network: node, exchange, rounds and sharing, built but not started.
      const { libp2p, exchange, rounds, sharing, basis } = await buildAgentNetwork(config, {
        privateKey,
        paths,
        learner,
        info,
        served,
        sharingState,
        deltaBase,
        totalSteps: () => progress.totalSteps,
        ownIcr: () => (config.role === 'learner' ? ownIcr.latest : null),
        // The sharing rounds' evaluations (candidates and the current mask) count as evaluation steps too.
        evaluationSteps: steps => {
          progress.evalSteps += steps
          config.observer?.evaluated?.(steps)
        },
        now
      })
      // Handlers first: identify advertises them from the first exchange with a peer.
      await exchange.register()
      const agent = new Agent({
        config,
        paths,
        now,
        learner,
        info,
        store,
        kb,
        stateFile,
        progress,
        ownIcr,
        served,
        sharingState,
        libp2p,
        exchange,
        rounds,
        sharing,
        basis,
        teardown,
        startedAt: now()
      })
      // Undone in reverse: the exchange stops, the peers it knows are saved, the node stops,
      // then the state is saved.
      teardown.add('save state', () => agent.saveState())
      await startLibp2pNode(libp2p)
      teardown.add('stop the libp2p node', () => libp2p.stop())
      teardown.add('save peers', () => agent.savePeers())
      await exchange.start()
      teardown.add('stop the mask exchange', () => exchange.stop())
      const bootstrap = config.network?.bootstrap ?? []
      if (bootstrap.length > 0)
        await agent.waitForBootstrap(bootstrap, config.network?.bootstrapWaitMs ?? DEFAULT_AGENT.bootstrapWaitMs)
      log.info(
        { peerId: agent.peerId, addrs: agent.addresses(), role: config.role, masks: agent.masksHeld },
        'node started'
      )
      return agent
    } catch (err) {
      await teardown.run()
      throw err
    }
  }

  /** Loads the knowledge base, the curriculum position and every stored mask into the learner. */
  private static async restore(
    config: AgentConfig,
    p: {
      stateFile: AgentStateFile | null
      kb: KnowledgeBase
      store: MaskStore
      learner: LearnerApi
      info: LearnerInfo
      now: () => number
    }
  ): Promise<CurriculumProgress> {
    const log = config.logger
    let position: CurriculumPosition = { taskIndex: 0, stepsOnTask: 0 }
    let totalSteps = 0
    let evalSteps = 0
    if (p.stateFile !== null) {
      const { state, problem } = await p.stateFile.load(p.now())
      if (problem !== null)
        log.warn({ problem }, 'state file was damaged; starting the curriculum over (masks are kept)')
      if (state !== null) {
        for (const e of state.knowledge) p.kb.restore(e)
        if (state.curriculumId === curriculumId(config.tasks, config.stepsPerTask)) {
          position = state.position
          totalSteps = state.totalSteps
          evalSteps = state.evalSteps ?? 0
        } else {
          log.warn('the curriculum changed since the last run; starting it over (masks are kept)')
        }
      }
    }
    for (const info of await p.store.list()) {
      if (info.backboneId !== p.info.backboneId) {
        log.warn({ task: info.taskKey, backboneId: info.backboneId }, 'stored mask is for another backbone; ignored')
        continue
      }
      const stored = await p.store.get(info.taskKey)
      if (stored === null) continue
      await p.learner.importMask(decodeMask(stored.bytes))
    }
    return { position, totalSteps, evalSteps }
  }

  /**
   * Waits (bounded) until a bootstrap peer is connected, so the first query of the first task
   * reaches someone; if none answers, says so loudly instead of training in silence (docs/reference-fidelity.md
   * §9 D20: a bootstrap must not fail silently). The redialer keeps trying afterwards.
   */
  private async waitForBootstrap(bootstrap: readonly string[], waitMs: number): Promise<void> {
    const ids = new Set(bootstrap.map(a => parsePeerAddress(a).peerId)) // validated by the config already
    const connected = (): boolean => this.connectedPeers().some(p => ids.has(p))
    const deadline = this.now() + waitMs
    while (!connected() && this.now() < deadline) await new Promise(resolve => setTimeout(resolve, BOOTSTRAP_POLL_MS))
    if (connected()) this.config.logger.info({ peers: this.connectedPeers().length }, 'connected to bootstrap peers')
    else
      this.config.logger.warn(
        { bootstrap },
        `no bootstrap peer reachable after ${waitMs} ms; training alone for now and retrying in the background`
      )
  }

  get curriculumPosition(): CurriculumPosition {
    return this.progress.position
  }

  /** The addresses peers can dial (each with /p2p/<peer id>). */
  addresses(): string[] {
    return listeningAddresses(this.libp2p)
  }

  /** Peer ids of the peers connected now. */
  connectedPeers(): string[] {
    return this.libp2p.getPeers().map(p => p.toString())
  }

  /**
   * How each connected peer is connected: 'direct' when any of its connections is, 'relayed'
   * when all go through a Circuit Relay v2 relay (limited: only queries and DELTA/BITS transfers that fit its limits run on them).
   */
  connectionKinds(): Map<string, 'direct' | 'relayed'> {
    return connectionKinds(this.libp2p.getConnections())
  }

  /** Whether other hosts can dial this node, why, and its relay addresses (network/nat-service.ts). */
  reachability(): NatStatus {
    return this.libp2p.services.nat.status()
  }

  /** Peers this agent knows of (met, announced, or remembered from the last run), most recently seen first. */
  knownPeers(): PeerRecord[] {
    return this.exchange.directory.list()
  }

  /** The bytes of a held task mask in each encoding this node serves it in (null: none held). */
  servedSizes(taskKey: string): Partial<Record<MaskEncoding, number>> | null {
    return this.served.sizes(taskKey)
  }

  /** Masks held now (the store's index, current after every store write). */
  get masksHeld(): number {
    return this.served.list().length
  }

  /** Masks sent to peers (complete transfers) since start. */
  get masksServed(): number {
    return this.exchange.server.transfersServed
  }

  /** What crossed the wire, per protocol, and latencies. */
  get traffic(): Traffic {
    return this.exchange.traffic
  }

  private async saveState(): Promise<void> {
    if (this.stateFile === null) return
    const state: AgentState = {
      version: 1,
      curriculumId: curriculumId(this.config.tasks, this.config.stepsPerTask),
      position: this.progress.position,
      totalSteps: this.progress.totalSteps,
      evalSteps: this.progress.evalSteps,
      knowledge: this.kb.list(),
      savedAt: this.now()
    }
    await this.stateFile.save(state)
  }

  private async savePeers(): Promise<void> {
    if (this.paths === null) return
    await writeJsonAtomic(this.paths.peers, this.exchange.directory.toJSON())
  }

  /** Stores a mask (own checkpoint or adopted); the exchange announces it. */
  async storeMask(mask: Mask, meta: MaskMeta): Promise<string> {
    const encoding = this.config.sharing?.storeEncoding ?? DEFAULT_AGENT.storeEncoding
    const info = await this.store.put(encodeMask(mask, encoding), meta)
    return info.bitsCid
  }

  /**
   * Transfer: peers' verified masks of other tasks for the BLC basis of `taskKey` (none if a
   * peer holds the task itself). Logged; never stored, announced or recorded as knowledge.
   */
  private async importBasis(taskKey: string, signal?: AbortSignal): Promise<Mask[]> {
    if (this.basis === null) return []
    const held = new Set(this.kb.list().flatMap(e => (e.cid !== null && e.taskKey !== taskKey ? [e.taskKey] : [])))
    const got = await this.basis.importFor(taskKey, held, this.info.layers, signal)
    this.config.logger.info(
      { task: taskKey, imported: got.from.length, from: got.from },
      got.from.length > 0 ? "imported a basis of peers' masks of other tasks" : 'no basis to import'
    )
    return got.masks
  }

  /** Runs (or resumes) the curriculum. Resolves when done or when `signal` aborts (after the current iteration). */
  async runCurriculum(signal?: AbortSignal): Promise<DriverResult> {
    const sharingEnabled = this.config.sharing?.enabled ?? DEFAULT_AGENT.sharingEnabled
    const prefetchNext = sharingEnabled && (this.config.sharing?.prefetchNext ?? DEFAULT_AGENT.prefetchNext)
    const cfg = {
      ...DEFAULT_DRIVER_CONFIG,
      ...this.config.driver,
      tasks: this.config.tasks,
      stepsPerTask: this.config.stepsPerTask,
      prefetchNext
    }
    const self = this.peerId
    const pace = this.pace
    const driver = new CurriculumDriver(this.learner, cfg, {
      // A prefetched mask is installed by the driver like any adoption: onAdopted records its
      // provenance and onCheckpoint stores it, so the next task's setTask starts from it.
      share: sharingEnabled
        ? async ctx => {
            if (ctx.reason === 'news')
              this.config.logger.info({ task: ctx.taskKey }, 'a holder new for the task was announced: asking')
            return await this.sharing.share(ctx.taskKey, ctx.ownReward, signal)
          }
        : undefined,
      basis:
        sharingEnabled && this.basis !== null ? async taskKey => await this.importBasis(taskKey, signal) : undefined,
      pace: pace === null ? undefined : async steps => await pace.before(steps, signal),
      // Review mode: a candidate the operator adopted for the task in training goes in between two iterations.
      approved: taskKey => this.desk?.take(taskKey) ?? null,
      onTaskStart: taskKey => {
        this.desk?.taskStarted(taskKey)
      },
      onIteration: (stats, ctx) => {
        this.progress.totalSteps = ctx.totalSteps
        this.kb.recordTraining(stats.taskKey, { steps: stats.steps }, this.now())
        this.config.observer?.iteration?.(stats, ctx)
      },
      onEvaluation: (taskKey, reward) => {
        this.kb.recordTraining(taskKey, { reward }, this.now())
      },
      onEvaluationSteps: steps => {
        this.progress.evalSteps += steps
        this.config.observer?.evaluated?.(steps)
      },
      onMastered: (taskKey, mastery) => {
        this.kb.recordMastery(taskKey, mastery, this.now())
        this.config.logger.info({ task: taskKey, by: mastery.by, steps: mastery.steps }, 'task mastered')
      },
      onOwnIcr: sample => {
        this.ownIcr.add(sample, this.now())
      },
      onAdopted: async (taskKey, a) => {
        this.desk?.installed(taskKey, a.cid)
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
        this.progress.position = p
        this.progress.totalSteps = total
      },
      onTaskEnd: async report => {
        await this.desk?.taskEnded(report.key)
        await this.saveState()
        // Peers are saved again at stop; a failure here costs nothing but a warning.
        await this.savePeers().catch((err: unknown) => {
          this.config.logger.warn({ err: describeError(err) }, 'could not save peers')
        })
      }
    })
    driver.restore(
      this.kb
        .list()
        .map(e => ({ key: e.taskKey, stepsTrained: e.stepsTrained, reward: e.reward, mastery: e.mastery ?? null })),
      this.progress.totalSteps
    )
    if (sharingEnabled) this.listenForHolders(driver, signal)
    const result = await driver.run(this.progress.position, signal)
    await this.saveState()
    return result
  }

  /**
   * News rounds (docs/reference-fidelity.md §9 D31): a holder new for a task, announced by a
   * peer this site accepts masks from and does not ignore, on this backbone, is told to the
   * driver, which decides whether the task still needs it and when to ask. Also after the
   * curriculum ends (a node whose rounds all ran before the holder announced still gets the
   * mask), until the curriculum's stop or the agent's.
   */
  private listenForHolders(driver: CurriculumDriver, signal: AbortSignal | undefined): void {
    const stopListening = this.exchange.directory.onHolderAdded(h => {
      if (h.backboneId !== this.info.backboneId) return
      if (!this.policy.accepts(h.summary.taskKey) || !this.policy.acceptsFrom(h.peerId)) return
      if (this.reputation.standing(h.peerId, this.now()) === 'ignored') return
      this.config.logger.debug(
        { task: h.summary.taskKey, peer: h.peerId, claimed: h.summary.reward },
        'a holder new for a task was announced'
      )
      driver.holderAnnounced(h.summary.taskKey, h.summary.reward)
    })
    const stop = (): void => {
      stopListening()
      driver.stopNews()
    }
    signal?.addEventListener('abort', stop, { once: true })
    this.teardown.add('stop the news rounds', stop)
  }

  /** How this agent moves on from a task: at mastery (default) or after each task's fixed budget. */
  get budget(): BudgetMode {
    return this.config.driver?.budget ?? DEFAULT_DRIVER_CONFIG.budget
  }

  /** Tasks of its curriculum it learned, adopted, and the steps adoption saved (own-capability.ts). */
  sharingOutcome(): SharingOutcome {
    return sharingOutcome(this.config.tasks, key => this.kb.get(key), this.budget === 'fixed')
  }

  /** Its latest own ICR (null before its first sample, and for evaluators). */
  get latestOwnIcr(): number | null {
    return this.config.role === 'learner' ? this.ownIcr.latest : null
  }

  /** Its own-ICR samples (`GET /v1/own-icr`); an evaluator has none. */
  ownIcrDocument(): OwnIcrDocument {
    return { tasks: [...new Set(this.config.tasks)], history: this.ownIcr.list() }
  }

  async status(): Promise<AgentStatus> {
    const task =
      this.progress.position.taskIndex < this.config.tasks.length
        ? {
            key: this.config.tasks[this.progress.position.taskIndex] as string,
            index: this.progress.position.taskIndex,
            steps: this.progress.position.stepsOnTask,
            budget: this.config.stepsPerTask
          }
        : null
    return {
      peerId: this.peerId,
      addrs: this.addresses(),
      role: this.config.role,
      backend: this.info.backend,
      backboneId: this.info.backboneId,
      task: this.config.role === 'learner' ? task : null,
      curriculum: { tasks: this.config.tasks.length, done: task === null },
      totalSteps: this.progress.totalSteps,
      evalSteps: this.progress.evalSteps,
      masksHeld: this.masksHeld,
      peersConnected: this.connectedPeers().length,
      startedAt: this.startedAt,
      budget: this.budget,
      ownIcr: this.latestOwnIcr,
      outcome: this.sharingOutcome(),
      ...this.bytes()
    }
  }

  /** Application bytes sent and received on every l2d2c protocol and the announcements since start (and over relays). */
  private bytes(): { bytesSent: number; bytesReceived: number; relayedBytes: { sent: number; received: number } } {
    let bytesSent = 0
    let bytesReceived = 0
    const t = this.traffic.snapshot()
    for (const v of Object.values(t.bytes)) {
      bytesSent += v.sent
      bytesReceived += v.received
    }
    return { bytesSent, bytesReceived, relayedBytes: t.relayed }
  }

  /**
   * Stops in reverse order of start: the exchange, peers saved, the libp2p node, state saved,
   * the mask store, the learner. A step that fails is logged and the others still run. Idempotent.
   */
  async stop(): Promise<void> {
    await this.teardown.run()
  }
}
