import './polyfill.js'

export * from './envs/index.js'
export * from './store/mask-store.js'
export { FileMaskStore } from './store/file-mask-store.js'
export { MemoryMaskStore } from './store/memory-mask-store.js'
export { writeFileAtomic, writeJsonAtomic } from './store/atomic-file.js'
export * from './sharing/strategy.js'
export { l2d2cStrategy, type L2d2cStrategyOptions } from './sharing/l2d2c-strategy.js'
export {
  createNode,
  startNode,
  listeningAddresses,
  NodeConfigError,
  type L2d2cNode,
  type L2d2cServices,
  type CreateNodeOptions
} from './network/create-node.js'
export { loadOrCreatePeerKey, loadPeerKey, PeerKeyError } from './network/peer-key.js'
export * from './node/learner-api.js'
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
export { InProcessLearner } from './node/in-process-learner.js'
export { WorkerLearner, LearnerCallError } from './node/worker-learner.js'
export {
  LifelongDriver,
  DEFAULT_DRIVER_CONFIG,
  type DriverConfig,
  type DriverHooks,
  type DriverResult,
  type TaskReport,
  type Adoption,
  type CurriculumPosition
} from './node/driver.js'
export { AgentNode, type AgentNodeConfig, type AgentStatus } from './node/agent-node.js'
export { KnowledgeBase, type KnowledgeEntry } from './state/knowledge-base.js'
export { silentLogger, type Logger } from './logging/logger.js'
export {
  MaskExchange,
  StoreMasks,
  MaskExchangeClient,
  LossInjector,
  Traffic,
  percentile,
  newRequestId,
  RemoteRefusal
} from './network/mask-exchange/index.js'
export { PeerDirectory } from './network/peer-directory.js'
export { Daemon } from './daemon/daemon.js'
export { L2D2C_VERSION } from './version.js'
export {
  resolveDaemonConfig,
  ConfigError,
  envLayer,
  ENV_VARS,
  DEFAULTS as DAEMON_DEFAULTS,
  DAEMON_SETTINGS,
  settingDefault,
  setInLayer,
  type DaemonConfig,
  type ConfigLayer,
  type DaemonSetting
} from './daemon/config.js'
export { DataDirLockedError, lockHolder } from './daemon/lock.js'
export { ControlListenError } from './daemon/control-server.js'
export { EvaluatorRunner } from './daemon/evaluator.js'
export { withRemoteNode, RemoteAddressError, type RemoteContext } from './network/remote.js'
