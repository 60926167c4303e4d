import { CODEC_ENCODINGS, type MaskEncoding } from '@l2d2c/protocol'
import { DEFAULT_AGENT } from '../../agent/agent-config.js'
import { DEFAULT_DRIVER_CONFIG } from '../../agent/curriculum-driver.js'
import { DEFAULT_BACKBONE_SEED } from '../../learner/backbone.js'
import { BACKEND_CHOICES, DEFAULT_BACKEND, type BackendChoice } from '../../learner/backend-choice.js'
import { DEFAULT_PPO_PRESET, PPO_PRESET_NAMES, type PpoPreset } from '../../learner/hyperparams.js'
import { DEFAULT_NEW_MASK_MODE, NEW_MASK_MODES, type NewMaskMode } from '../../masks/combine.js'
import { DEFAULT_ADMISSION } from '../../network/connection-gater.js'
import { DEFAULT_LISTEN } from '../../network/libp2p-node.js'
import { DEFAULT_NAT_SERVICE, RELAY_RESERVATION_MODES, type RelayReservationMode } from '../../network/nat-service.js'
import { DEFAULT_ANNOUNCER } from '../../network/mask-exchange/announcer.js'
import { DEFAULT_LOSS_MODE, LOSS_MODES, type LossMode } from '../../network/mask-exchange/loss.js'
import { DEFAULT_L2D2C_STRATEGY } from '../../sharing/policy/l2d2c-strategy.js'
import { ADOPT_MODES, DEFAULT_SITE_POLICY, type AdoptMode } from '../../sharing/policy/site-policy.js'
import { DEFAULT_QUERY_ROUNDS } from '../../sharing/query-round.js'
import { DEFAULT_EVALUATOR_ROLE } from '../evaluator-role.js'

/**
 * The daemon's configuration, resolved once from four layers — defaults < config file (JSON)
 * < environment < flags — and validated with the path of the offending value and the layer it
 * came from (resolve.ts), so `l2d2c daemon` can refuse a bad setup with a precise message
 * (exit 2) before touching anything. The CLI owns the flag names and L2D2C_* variables
 * (packages/cli/src/options/daemon-options.ts); this package owns the settings, their types
 * and their defaults.
 */
export interface DaemonConfig {
  dataDir: string
  /** An existing peer key file to use instead of <dataDir>/peer.key (fixed peer id). */
  peerKeyFile: string | null
  listen: string[]
  announce: string[]
  bootstrap: string[]
  mdns: boolean
  /** Relay for NAT'd peers (Circuit Relay v2): only on a public address. */
  relayServer: boolean
  /** When to reserve a slot on a relay: behind a NAT (auto), always, never (network/nat-service.ts). */
  relayReservation: RelayReservationMode
  /** Ask the router for a port mapping by UPnP (changes the router: only when asked). */
  upnp: boolean
  /** Control API: "HOST:PORT" (loopback only) or "unix:/path/to.sock". */
  api: string
  role: 'learner' | 'evaluator'
  curriculum: { tasks: string[]; source: string }
  stepsPerTask: number
  /**
   * Train every task for its whole stepsPerTask (the reference's schedule) instead of moving on
   * once it is mastered, with stepsPerTask as a cap (curriculum-driver.ts).
   */
  fixedBudget: boolean
  seed: number
  backboneSeed: number
  backend: BackendChoice
  maskInit: NewMaskMode
  preset: PpoPreset
  /** Close-to-init penalty weight (PpoConfig.closeToInit); null: the preset's. */
  closeToInit: number | null
  /**
   * Encoding requested when fetching masks: 'delta' (the default) takes DELTA or BITS, whichever
   * the holder can produce smaller (sharing/candidate-fetch.ts fetchEncodings); any other, that one.
   */
  encoding: MaskEncoding
  sharing: {
    enabled: boolean
    commPerTask: number
    hysteresis: number
    windowMs: number
    drop: number
    dropMode: LossMode
    /** Transfer: peers' masks of other tasks imported as a new task's BLC basis, at most (0: off; AgentConfig sharing.importBasis). */
    importBasis: number
  }
  evaluation: { episodes: number; greedy: boolean; everySteps: number; intervalMs: number }
  announceIntervalMs: number
  exitWhenDone: boolean
  /** Experiment pacing: training waits at the step limit POST /v1/pace sets, from 0 (agent/step-pace.ts). */
  paced: boolean
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'; format: 'auto' | 'json' | 'pretty' }
  /** What the site serves and accepts (task-key patterns), from which peers, and how it adopts. */
  policy: { serve: string[]; accept: string[]; acceptFrom: string[]; adopt: AdoptMode }
  /** Who may connect and what may be dialled (README, "Daemon: Security"). */
  security: {
    /** A private swarm's PSK file (`l2d2c keygen swarm-key`); null: an open swarm. */
    swarmKeyFile: string | null
    /** Peer ids admitted (with the bootstrap peers); empty: no allowlist. Includes allowPeersFile's ids. */
    allowPeers: string[]
    /** A file of peer ids, one per line (# comments), added to allowPeers. */
    allowPeersFile: string | null
    /** Peer ids never admitted. */
    denyPeers: string[]
    maxConnectionsPerIp: number
    maxConnectionsPerPeer: number
    /** Dial loopback/private/link-local addresses learned from peers whatever this node's own addresses. */
    allowPrivateDial: boolean
  }
  /** The live page (README, "Dashboard"). */
  dashboard: {
    /**
     * Data dirs of other daemons on this machine whose pages this one links to (their discovery
     * file and token are read from there when a page asks: daemon/dashboard/linked-daemons.ts).
     */
    links: string[]
  }
}

/** Each setting's default, read from the module that owns it (the daemon's own are marked). */
export const DAEMON_DEFAULTS = {
  listen: [...DEFAULT_LISTEN],
  announce: [] as string[],
  bootstrap: [] as string[],
  // A daemon multicasts only when asked: mDNS belongs on private networks.
  mdns: false,
  // A relay costs bandwidth and connections: only when the operator offers it.
  relayServer: false,
  relayReservation: DEFAULT_NAT_SERVICE.reserve,
  // UPnP changes the router's configuration: only when asked.
  upnp: false,
  // The daemon's own: loopback, any free port.
  api: '127.0.0.1:0',
  role: 'learner',
  // The daemon's own: 20 reference iterations per task.
  stepsPerTask: 25_600,
  fixedBudget: DEFAULT_DRIVER_CONFIG.budget === 'fixed',
  seed: 1,
  backboneSeed: DEFAULT_BACKBONE_SEED,
  backend: DEFAULT_BACKEND,
  maskInit: DEFAULT_NEW_MASK_MODE,
  preset: DEFAULT_PPO_PRESET,
  closeToInit: null,
  encoding: DEFAULT_QUERY_ROUNDS.encoding,
  sharing: {
    enabled: DEFAULT_AGENT.sharingEnabled,
    commPerTask: DEFAULT_DRIVER_CONFIG.commPerTask,
    hysteresis: DEFAULT_L2D2C_STRATEGY.hysteresis,
    windowMs: DEFAULT_QUERY_ROUNDS.windowMs,
    drop: 0,
    dropMode: DEFAULT_LOSS_MODE,
    importBasis: DEFAULT_AGENT.importBasis
  },
  evaluation: {
    episodes: DEFAULT_DRIVER_CONFIG.evalEpisodes,
    greedy: DEFAULT_DRIVER_CONFIG.evalGreedy,
    everySteps: DEFAULT_DRIVER_CONFIG.evalEverySteps,
    intervalMs: DEFAULT_EVALUATOR_ROLE.intervalMs
  },
  announceIntervalMs: DEFAULT_ANNOUNCER.intervalMs,
  exitWhenDone: false,
  // The daemon's own: a paced learner waits for a runner, so never unless asked.
  paced: false,
  log: { level: 'info', format: 'auto' },
  policy: {
    serve: [...DEFAULT_SITE_POLICY.serve],
    accept: [...DEFAULT_SITE_POLICY.accept],
    acceptFrom: [...DEFAULT_SITE_POLICY.acceptFrom],
    adopt: DEFAULT_SITE_POLICY.adopt
  },
  security: {
    allowPeers: [] as string[],
    denyPeers: [] as string[],
    maxConnectionsPerIp: DEFAULT_ADMISSION.maxConnectionsPerIp,
    maxConnectionsPerPeer: DEFAULT_ADMISSION.maxConnectionsPerPeer,
    // The daemon's own: only the ranges its own addresses are in (dial-policy.ts).
    allowPrivateDial: false
  },
  // The daemon's own: a page links to no other daemon unless told which.
  dashboard: { links: [] as string[] }
} as const

/** What kind of value a setting takes; a command line or an environment gives it as text. */
export type SettingKind = 'text' | 'number' | 'boolean' | 'list' | 'choice'

export interface DaemonSettingSpec {
  /** Path in the configuration and the config file: "stepsPerTask", "sharing.windowMs". */
  readonly path: string
  readonly kind: SettingKind
  /** The values a 'choice' setting accepts. */
  readonly choices?: readonly string[]
}

/**
 * Every setting a layer may give, once. `tasks`, `curriculum` and `agentIndex` are inputs of
 * the curriculum (DaemonConfig.curriculum, stepsPerTask and seed come from them).
 */
export const DAEMON_SETTINGS: readonly DaemonSettingSpec[] = [
  { path: 'dataDir', kind: 'text' },
  { path: 'peerKeyFile', kind: 'text' },
  { path: 'listen', kind: 'list' },
  { path: 'announce', kind: 'list' },
  { path: 'bootstrap', kind: 'list' },
  { path: 'mdns', kind: 'boolean' },
  { path: 'relayServer', kind: 'boolean' },
  { path: 'relayReservation', kind: 'choice', choices: RELAY_RESERVATION_MODES },
  { path: 'upnp', kind: 'boolean' },
  { path: 'api', kind: 'text' },
  { path: 'role', kind: 'choice', choices: ['learner', 'evaluator'] },
  { path: 'tasks', kind: 'list' },
  { path: 'curriculum', kind: 'text' },
  { path: 'agentIndex', kind: 'number' },
  { path: 'stepsPerTask', kind: 'number' },
  { path: 'fixedBudget', kind: 'boolean' },
  { path: 'seed', kind: 'number' },
  { path: 'backboneSeed', kind: 'number' },
  { path: 'backend', kind: 'choice', choices: BACKEND_CHOICES },
  { path: 'maskInit', kind: 'choice', choices: NEW_MASK_MODES },
  { path: 'preset', kind: 'choice', choices: PPO_PRESET_NAMES },
  { path: 'closeToInit', kind: 'number' },
  { path: 'encoding', kind: 'choice', choices: CODEC_ENCODINGS },
  { path: 'sharing.drop', kind: 'number' },
  { path: 'sharing.dropMode', kind: 'choice', choices: LOSS_MODES },
  { path: 'sharing.commPerTask', kind: 'number' },
  { path: 'sharing.importBasis', kind: 'number' },
  { path: 'sharing.hysteresis', kind: 'number' },
  { path: 'sharing.windowMs', kind: 'number' },
  { path: 'sharing.enabled', kind: 'boolean' },
  { path: 'evaluation.episodes', kind: 'number' },
  { path: 'evaluation.everySteps', kind: 'number' },
  { path: 'evaluation.intervalMs', kind: 'number' },
  { path: 'evaluation.greedy', kind: 'boolean' },
  { path: 'announceIntervalMs', kind: 'number' },
  { path: 'exitWhenDone', kind: 'boolean' },
  { path: 'paced', kind: 'boolean' },
  { path: 'log.level', kind: 'choice', choices: ['trace', 'debug', 'info', 'warn', 'error', 'silent'] },
  { path: 'log.format', kind: 'choice', choices: ['auto', 'json', 'pretty'] },
  { path: 'policy.serve', kind: 'list' },
  { path: 'policy.accept', kind: 'list' },
  { path: 'policy.acceptFrom', kind: 'list' },
  { path: 'policy.adopt', kind: 'choice', choices: ADOPT_MODES },
  { path: 'security.swarmKeyFile', kind: 'text' },
  { path: 'security.allowPeers', kind: 'list' },
  { path: 'security.allowPeersFile', kind: 'text' },
  { path: 'security.denyPeers', kind: 'list' },
  { path: 'security.maxConnectionsPerIp', kind: 'number' },
  { path: 'security.maxConnectionsPerPeer', kind: 'number' },
  { path: 'security.allowPrivateDial', kind: 'boolean' },
  { path: 'dashboard.links', kind: 'list' }
]

/** The spec of a setting; throws on a path that is no setting (a programming error). */
export function daemonSetting(path: string): DaemonSettingSpec {
  const spec = DAEMON_SETTINGS.find(s => s.path === path)
  if (spec === undefined) throw new Error(`no daemon setting ${path}`)
  return spec
}

/** A setting's default ("sharing.windowMs" → 500), or undefined when it has none. */
export function defaultOf(path: string): unknown {
  const [a, b] = path.split('.') as [string, string | undefined]
  const top = (DAEMON_DEFAULTS as Record<string, unknown>)[a]
  return b === undefined ? top : (top as Record<string, unknown> | undefined)?.[b]
}

/**
 * A partial configuration as one layer provides it, in DaemonConfig's shape (nested objects
 * for sharing, evaluation and log): values are unchecked (text from a command line or the
 * environment, any JSON from the file) until resolveDaemonConfig.
 */
export type ConfigLayer = Record<string, unknown>

/** Sets a setting's path ("sharing.windowMs") in a layer, keeping its siblings. */
export function setInLayer(layer: ConfigLayer, path: string, value: unknown): void {
  const [a, b] = path.split('.') as [string, string | undefined]
  if (b === undefined) layer[a] = value
  else layer[a] = { ...(layer[a] as object | undefined), [b]: value }
}

export type ConfigSource = 'default' | 'file' | 'env' | 'flag'

export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly source: ConfigSource,
    reason: string
  ) {
    super(
      `${path}: ${reason}${source === 'default' ? '' : ` (from ${source === 'file' ? 'the config file' : source === 'env' ? 'the environment' : 'a flag'})`}`
    )
    this.name = 'ConfigError'
  }
}
