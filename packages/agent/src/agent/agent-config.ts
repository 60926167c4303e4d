import type { MaskEncoding, NodeRole } from '@l2d2c/protocol'
import type { ComponentLogger } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { PpoConfig, PpoPreset } from '../learner/hyperparams.js'
import type { IterationStats } from '../learner/lifelong-learner.js'
import type { BackendChoice } from '../learner/backend-choice.js'
import type { Logger } from '../logging/logger.js'
import type { NewMaskMode } from '../masks/combine.js'
import type { Libp2pNodeOptions } from '../network/libp2p-node.js'
import type { LossOptions } from '../network/mask-exchange/loss.js'
import type { SitePolicyInit } from '../sharing/policy/site-policy.js'
import type { QueryRoundsInit, RoundResult } from '../sharing/query-round.js'
import type { VerifiedMask } from '../sharing/task-sharing.js'
import type { DriverConfig } from './curriculum-driver.js'

/** Everything one agent needs; the daemon builds this from its validated configuration. */
export interface AgentConfig {
  /** Where keys, masks and state live; null: nothing persisted (tests, throwaway agents). */
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
  /**
   * Experiment pacing (step-pace.ts): training waits at a step limit set through `Agent.pace`
   * (the control API's /v1/pace), which starts at 0. Off by default: only experiment runners
   * set it.
   */
  readonly paced?: boolean
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
    /** A private swarm's key (the key file's bytes, network/swarm-key.ts). */
    readonly swarmKey?: Uint8Array
    /** Allowlist, denylist and connection caps (network/connection-gater.ts). */
    readonly admission?: Libp2pNodeOptions['admission']
    /** Dial private addresses learned from peers whatever this node's own ranges (network/dial-policy.ts). */
    readonly allowPrivateDial?: boolean
    /** Be a Circuit Relay v2 relay for NAT'd peers (network/libp2p-node.ts). */
    readonly relayServer?: boolean
    /** When to reserve a relay slot (network/nat-service.ts). */
    readonly relayReservation?: Libp2pNodeOptions['relayReservation']
    /** Ask the router for a port mapping by UPnP. */
    readonly upnp?: boolean
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
    /**
     * Transfer: when a task starts untrained and no peer has a mask for it, import up to this
     * many peers' verified masks of OTHER tasks as the LC/BLC basis of its initial mask
     * (sharing/basis-import.ts; needs maskInit 'lc' or 'blc'). 0 (the default): never.
     */
    readonly importBasis?: number
  }
  /** What the site serves and accepts, from whom, and how it adopts (default: everything, automatically). */
  readonly policy?: SitePolicyInit
  readonly logger: Logger
  /** Notified of training and sharing events (metrics, progress displays). */
  readonly observer?: AgentObserver
  readonly libp2pLogger?: ComponentLogger
  readonly metricsRegistry?: Registry
  readonly now?: () => number
}

export const DEFAULT_AGENT = {
  learnerThread: 'worker',
  /** Own masks keep their full scores, so training them can go on after a restart. */
  storeEncoding: 'f32',
  bootstrapWaitMs: 5_000,
  sharingEnabled: true,
  prefetchNext: true,
  importBasis: 0
} as const

export interface AgentObserver {
  iteration?: (stats: IterationStats, ctx: { taskIndex: number; stepsOnTask: number; totalSteps: number }) => void
  adopted?: (taskKey: string, adoption: VerifiedMask) => void
  round?: (round: RoundResult) => void
  /** Env steps of one evaluation (progress, sweep, final, or a sharing round's): not training steps. */
  evaluated?: (steps: number) => void
}
