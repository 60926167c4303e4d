import { readFile } from 'node:fs/promises'
import type { DataDirPaths } from '@l2d2c/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { LearnerApi, LearnerInfo } from '../learner/thread/learner-api.js'
import type { ServedMasks } from '../masks/store/served-masks.js'
import { DEFAULT_NEW_MASK_MODE } from '../masks/combine.js'
import type { DeltaBaseProvider } from '../masks/initial-mask.js'
import { createLibp2pNode, type Libp2pNode } from '../network/libp2p-node.js'
import { MaskExchange } from '../network/mask-exchange/mask-exchange.js'
import { connectionKinds } from '../network/nat-service.js'
import { loadOrCreatePeerKey, loadPeerKey } from '../network/peer-key.js'
import { deriveStream } from '../rng/prng.js'
import { l2d2cStrategy } from '../sharing/policy/l2d2c-strategy.js'
import { BasisImport, DEFAULT_BASIS_IMPORT } from '../sharing/basis-import.js'
import { QueryRounds } from '../sharing/query-round.js'
import { TaskSharing } from '../sharing/task-sharing.js'
import { L2D2C_VERSION } from '../version.js'
import { DEFAULT_AGENT, type AgentConfig } from './agent-config.js'
import { DEFAULT_DRIVER_CONFIG } from './curriculum-driver.js'
import type { AgentSharingState } from './sharing-state.js'

/** Mixed into the agent's seed when loss injection has no seed of its own. */
const LOSS_SEED_SALT = 0x5eed

/** A seeded uniform source (loss injection, the fetch plan's shuffle): experiments must replay. */
function seededRandom(seed: number, stream = 'loss-injection'): () => number {
  const prng = deriveStream(seed, stream)
  return () => prng.nextFloat()
}

/** The libp2p private key: the given key file, <dataDir>/peer.key (created on first start), or a fresh key. */
export async function agentPrivateKey(config: AgentConfig, paths: DataDirPaths | null): Promise<PrivateKey> {
  const log = config.logger
  const keyFile = config.peerKeyFile ?? paths?.peerKey ?? null
  const key =
    keyFile === null
      ? null
      : config.peerKeyFile !== undefined
        ? await loadPeerKey(keyFile)
        : await loadOrCreatePeerKey(keyFile)
  if (key?.created === true) log.info({ file: keyFile }, 'created a new peer key')
  if (key?.demo === true)
    log.warn(
      { file: keyFile, peerId: key.peerId.toString() },
      'DEMO KEY: this peer key is committed to the l2d2c repository for the compose demo; anyone can impersonate this node. Never use it outside the demo'
    )
  return key?.privateKey ?? (await generateKeyPair('Ed25519'))
}

/** The agent's network side, built but not started (Agent.create starts it). */
export interface AgentNetwork {
  readonly libp2p: Libp2pNode
  readonly exchange: MaskExchange
  readonly rounds: QueryRounds
  readonly sharing: TaskSharing
  /** Transfer's basis import (null unless sharing.importBasis > 0). */
  readonly basis: BasisImport | null
}

/**
 * Builds the libp2p node, the mask exchange serving `served` (with the peers saved by the last
 * run), the query rounds and the learner's task sharing, from the agent's configuration.
 */
export async function buildAgentNetwork(
  config: AgentConfig,
  p: {
    privateKey: PrivateKey
    paths: DataDirPaths | null
    learner: LearnerApi
    info: LearnerInfo
    served: ServedMasks
    /** The site's policy, the reputation book and the held candidates. */
    sharingState: AgentSharingState
    /** The DELTA bases this node can rebuild (fetches then accept DELTA). */
    deltaBase: DeltaBaseProvider
    /** The agent's env steps in total, announced to peers. */
    totalSteps: () => number
    /** The agent's own ICR, announced to peers (null: none yet, not announced). */
    ownIcr: () => number | null
    /** Told the env steps of each evaluation a sharing round runs with the learner. */
    evaluationSteps: (steps: number) => void
    now: () => number
  }
): Promise<AgentNetwork> {
  const { policy, reputation, review } = p.sharingState
  const net = config.network ?? {}
  const sharingConfig = config.sharing ?? {}
  const importBasis = sharingConfig.importBasis ?? DEFAULT_AGENT.importBasis
  // The directory keeps announced masks of the curriculum's tasks that the policy accepts (of
  // every task with a basis to import: those of other tasks are what it imports).
  const curriculum = new Set(config.tasks)
  const wanted = (t: string): boolean => (importBasis > 0 || curriculum.has(t)) && policy.accepts(t)
  const libp2p = await createLibp2pNode({
    privateKey: p.privateKey,
    listen: net.listen,
    announce: net.announce,
    bootstrap: net.bootstrap,
    mdns: net.mdns,
    gossipHeartbeatMs: net.gossipHeartbeatMs,
    connectionPingIntervalMs: net.connectionPingIntervalMs,
    logger: config.libp2pLogger,
    metrics: config.metricsRegistry === undefined ? undefined : { registry: config.metricsRegistry },
    userAgent: `l2d2c/${L2D2C_VERSION}`,
    swarmKey: net.swarmKey,
    admission: net.admission,
    allowPrivateDial: net.allowPrivateDial,
    relayServer: net.relayServer,
    relayReservation: net.relayReservation,
    upnp: net.upnp
  })
  const knownPeers =
    p.paths === null
      ? undefined
      : await readFile(p.paths.peers, 'utf8').then(
          t => JSON.parse(t) as unknown,
          () => undefined // first start, or an unreadable file: no peers to redial
        )
  const exchange = new MaskExchange(
    {
      node: libp2p,
      masks: p.served,
      logger: config.logger,
      totalSteps: p.totalSteps,
      ownIcr: p.ownIcr,
      now: p.now,
      random: seededRandom(sharingConfig.loss?.seed ?? config.seed ^ LOSS_SEED_SALT)
    },
    {
      role: config.role,
      strategy: l2d2cStrategy({ hysteresis: sharingConfig.hysteresis }),
      loss: sharingConfig.loss,
      announceIntervalMs: net.announceIntervalMs,
      bootstrap: net.bootstrap,
      knownPeers,
      policy,
      reputation,
      wanted
    }
  )
  const rounds = new QueryRounds(
    {
      peers: libp2p,
      client: exchange.client,
      directory: exchange.directory,
      strategy: exchange.strategy,
      policy,
      reputation,
      ...(review !== null ? { decided: (cid: string) => review.has(cid) } : {}),
      random: seededRandom(config.seed, 'fetch-plan'),
      traffic: exchange.traffic,
      logger: config.logger.child({ component: 'sharing' }),
      backboneId: p.info.backboneId,
      now: p.now,
      deltaBase: p.deltaBase,
      relayedOnly: id => connectionKinds(libp2p.getConnections(peerIdFromString(id))).get(id) === 'relayed'
    },
    sharingConfig.rounds
  )
  const sharing = new TaskSharing(
    {
      rounds,
      learner: {
        evaluate: async (taskKey, opts) => {
          const r = await p.learner.evaluate(taskKey, opts)
          p.evaluationSteps(r.steps)
          return r
        }
      },
      layers: p.info.layers,
      roundDone: round => config.observer?.round?.(round),
      ...(review !== null ? { review } : {}),
      now: p.now
    },
    {
      evalEpisodes: config.driver?.evalEpisodes ?? DEFAULT_DRIVER_CONFIG.evalEpisodes,
      evalGreedy: config.driver?.evalGreedy ?? DEFAULT_DRIVER_CONFIG.evalGreedy
    }
  )
  if (importBasis > 0 && (config.maskInit ?? DEFAULT_NEW_MASK_MODE) === 'random')
    config.logger.warn(
      { importBasis },
      'importBasis has no effect with random initial masks: a basis is what LC/BLC combine (--mask-init blc)'
    )
  const basis =
    importBasis > 0
      ? new BasisImport(
          {
            client: exchange.client,
            connected: () => libp2p.getPeers(),
            directory: exchange.directory,
            reputation,
            policy,
            backboneId: p.info.backboneId,
            now: p.now,
            logger: config.logger.child({ component: 'basis' }),
            deltaBase: p.deltaBase
          },
          {
            ...DEFAULT_BASIS_IMPORT,
            k: importBasis,
            encoding: sharingConfig.rounds?.encoding ?? DEFAULT_BASIS_IMPORT.encoding
          }
        )
      : null
  return { libp2p, exchange, rounds, sharing, basis }
}
