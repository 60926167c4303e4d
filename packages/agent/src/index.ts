import './polyfill.js'

export * from './envs/index.js'
export * from './masks/store/mask-store.js'
export { FileMaskStore } from './masks/store/file-mask-store.js'
export { MemoryMaskStore } from './masks/store/memory-mask-store.js'
export { writeFileAtomic, writeJsonAtomic } from './util/atomic-file.js'
export * from './sharing/policy/strategy.js'
export { l2d2cStrategy, type L2d2cStrategyOptions } from './sharing/policy/l2d2c-strategy.js'
export {
  createLibp2pNode,
  startLibp2pNode,
  listeningAddresses,
  NodeConfigError,
  type Libp2pNode,
  type Libp2pServices,
  type Libp2pNodeOptions
} from './network/libp2p-node.js'
export { loadOrCreatePeerKey, loadPeerKey, PeerKeyError, DEMO_PEER_IDS } from './network/peer-key.js'
export { loadSwarmKey, writeNewSwarmKey, SwarmKeyError, type SwarmKey } from './network/swarm-key.js'
export * from './learner/thread/learner-api.js'
export { TfBackendError, BACKEND_CHOICES, type BackendChoice } from './learner/tf-backend.js'
export { PPO_PRESET_NAMES, type PpoPreset } from './learner/hyperparams.js'
export { NEW_MASK_MODES, type NewMaskMode } from './masks/combine.js'
export {
  initialMaskBase,
  initialMaskBits,
  backboneOfMask,
  deltaBaseOfMask,
  MaskBackboneError
} from './masks/initial-mask.js'
export { InProcessLearner } from './learner/thread/in-process-learner.js'
export { WorkerLearner, LearnerCallError } from './learner/thread/worker-learner.js'
export {
  CurriculumDriver,
  DEFAULT_DRIVER_CONFIG,
  type DriverConfig,
  type DriverHooks,
  type DriverResult,
  type TaskReport,
  type CurriculumPosition
} from './agent/curriculum-driver.js'
export { Agent, type AgentStatus } from './agent/agent.js'
export { DEFAULT_AGENT, type AgentConfig, type AgentObserver } from './agent/agent-config.js'
export { TaskSharing, type VerifiedMask, type RoundSummary } from './sharing/task-sharing.js'
export {
  QueryRounds,
  DEFAULT_QUERY_ROUNDS,
  type QueryRoundsInit,
  type RoundOptions,
  type RoundResult,
  type CandidateResult
} from './sharing/query-round.js'
export { KnowledgeBase, type KnowledgeEntry } from './masks/knowledge-base.js'
export { silentLogger, type Logger } from './logging/logger.js'
export { MaskExchange, type MaskExchangeInit } from './network/mask-exchange/mask-exchange.js'
export { ServedMasks } from './masks/store/served-masks.js'
export { MaskExchangeClient, newRequestId, RemoteRefusal, fetchBound } from './network/mask-exchange/client.js'
export { LossInjector } from './network/mask-exchange/loss.js'
export { Traffic, percentile } from './network/mask-exchange/traffic.js'
export { PeerDirectory } from './network/peer-directory.js'
export { Daemon } from './daemon/daemon.js'
export { L2D2C_VERSION } from './version.js'
export {
  DAEMON_DEFAULTS,
  DAEMON_SETTINGS,
  ConfigError,
  setInLayer,
  type DaemonConfig,
  type DaemonSettingSpec,
  type SettingKind,
  type ConfigLayer,
  type ConfigSource
} from './daemon/config/daemon-config.js'
export { resolveDaemonConfig, type ResolveInput } from './daemon/config/resolve.js'
export { DataDirLockedError, lockHolder } from './daemon/lock.js'
export { ControlListenError } from './daemon/control-server.js'
export { EvaluatorRole } from './daemon/evaluator-role.js'
export { withRemoteNode, RemoteAddressError, type RemoteContext, type RemoteOptions } from './network/remote.js'
