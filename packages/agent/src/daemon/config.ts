import { multiaddr } from '@multiformats/multiaddr'
import { SUPPORTED_ENCODINGS, type MaskEncoding } from '@l2d2c/protocol'
import { parseCurriculumJson, CurriculumError } from '../envs/curriculum.js'
import { expandTaskList, taskShape, TaskListError } from '../envs/registry.js'
import { PPO_PRESET_NAMES, type PpoPreset } from '../learner/hyperparams.js'
import { BACKEND_CHOICES, type BackendChoice } from '../learner/backend-choice.js'
import { NEW_MASK_MODES, type NewMaskMode } from '../masks/combine.js'
import { parsePeerAddress, PeerAddressError } from '../network/peer-address.js'

/**
 * The daemon's configuration, resolved once from four layers — defaults < config file (JSON)
 * < environment (L2D2C_*) < flags — and validated with the path of the offending value and the
 * layer it came from, so `l2d2c daemon` can refuse a bad setup with a precise message (exit 2)
 * before touching anything.
 */
export interface DaemonConfig {
  dataDir: string
  /** An existing peer key file to use instead of <dataDir>/peer.key (fixed peer id). */
  peerKeyFile: string | null
  listen: string[]
  announce: string[]
  bootstrap: string[]
  mdns: boolean
  /** Control API: "HOST:PORT" (loopback only) or "unix:/path/to.sock". */
  api: string
  role: 'learner' | 'evaluator'
  curriculum: { tasks: string[]; source: string }
  stepsPerTask: number
  seed: number
  backboneSeed: number
  backend: BackendChoice
  maskInit: NewMaskMode
  preset: PpoPreset
  /** Encoding requested when fetching masks. */
  encoding: MaskEncoding
  sharing: {
    enabled: boolean
    commPerTask: number
    hysteresis: number
    windowMs: number
    drop: number
    dropMode: 'all' | 'queries'
  }
  evaluation: { episodes: number; greedy: boolean; everySteps: number; intervalMs: number }
  announceIntervalMs: number
  exitWhenDone: boolean
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'; format: 'auto' | 'json' | 'pretty' }
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

export const DEFAULTS = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  announce: [] as string[],
  bootstrap: [] as string[],
  mdns: false,
  api: '127.0.0.1:0',
  role: 'learner',
  stepsPerTask: 25_600,
  seed: 1,
  backboneSeed: 9157,
  backend: 'auto',
  maskInit: 'random',
  preset: 'default',
  encoding: 'bits',
  sharing: { enabled: true, commPerTask: 5, hysteresis: 0.9, windowMs: 500, drop: 0, dropMode: 'all' },
  evaluation: { episodes: 25, greedy: false, everySteps: 1280, intervalMs: 5_000 },
  announceIntervalMs: 10_000,
  exitWhenDone: false,
  log: { level: 'info', format: 'auto' }
} as const

/**
 * A partial configuration as one layer provides it, in DaemonConfig's shape (nested objects
 * for sharing, evaluation and log): values are unchecked until resolveDaemonConfig.
 */
export type ConfigLayer = Record<string, unknown>

/**
 * One daemon setting, declared once: where it lives in the configuration (and the config
 * file), its environment variable and its flag. The CLI registers its options from this
 * table and the environment layer is read through it, so a new setting is one row here plus
 * its check in resolveDaemonConfig.
 */
export interface DaemonSetting {
  /** Path in the configuration: "stepsPerTask", "sharing.windowMs". */
  path: string
  env: string
  /** The commander flag: "--query-window-ms <ms>" (no value: a boolean; "--no-x": sets false). */
  flag: string
  help: string
  /**
   * How a list flag is given: 'repeat', one value per flag (--listen A --listen B); 'comma',
   * comma-separated values, and a repeated flag adds its values (--tasks A,B --tasks C). In
   * the environment every list is comma-separated.
   */
  list?: 'repeat' | 'comma'
  /**
   * A boolean flag that also has the opposite form (--x and --no-x), so the command line can
   * override the file or environment either way.
   */
  negatable?: true
  /** The default as the help should state it, when DEFAULTS cannot say it alone. */
  defaultHelp?: string
}

export const DAEMON_SETTINGS: readonly DaemonSetting[] = [
  {
    path: 'dataDir',
    env: 'L2D2C_DATA_DIR',
    flag: '--data-dir <dir>',
    help: 'where the peer key, masks and state live'
  },
  {
    path: 'peerKeyFile',
    env: 'L2D2C_PEER_KEY_FILE',
    flag: '--peer-key-file <file>',
    help: 'use this existing peer key (fixed peer id) instead of <data-dir>/peer.key'
  },
  {
    path: 'listen',
    env: 'L2D2C_LISTEN',
    flag: '--listen <multiaddr>',
    help: 'listen address, repeatable',
    list: 'repeat'
  },
  {
    path: 'announce',
    env: 'L2D2C_ANNOUNCE',
    flag: '--announce <multiaddr>',
    help: 'address to advertise instead, repeatable',
    list: 'repeat'
  },
  {
    path: 'bootstrap',
    env: 'L2D2C_BOOTSTRAP',
    flag: '--bootstrap <multiaddr>',
    help: 'peer to connect to (with /p2p/ID), repeatable',
    list: 'repeat'
  },
  {
    path: 'mdns',
    env: 'L2D2C_MDNS',
    flag: '--mdns',
    help: 'discover peers by mDNS (only on private networks)',
    negatable: true
  },
  { path: 'api', env: 'L2D2C_API', flag: '--api <host:port>', help: 'control API address (loopback) or unix:/path' },
  { path: 'role', env: 'L2D2C_ROLE', flag: '--role <role>', help: 'learner | evaluator' },
  {
    path: 'tasks',
    env: 'L2D2C_TASKS',
    flag: '--tasks <keys>',
    help: 'curriculum shorthand: comma-separated task keys or catalogue groups (meta-ctgraph, minigrid-crossing, ...; see l2d2c env list)',
    list: 'comma'
  },
  { path: 'curriculum', env: 'L2D2C_CURRICULUM', flag: '--curriculum <file>', help: 'curriculum JSON document' },
  {
    path: 'agentIndex',
    env: 'L2D2C_AGENT_INDEX',
    flag: '--agent-index <i>',
    help: 'which agent of --curriculum this node is',
    defaultHelp: '0'
  },
  {
    path: 'stepsPerTask',
    env: 'L2D2C_STEPS_PER_TASK',
    flag: '--steps-per-task <n>',
    help: 'env steps per task',
    defaultHelp: `${DEFAULTS.stepsPerTask} or the curriculum's`
  },
  {
    path: 'seed',
    env: 'L2D2C_SEED',
    flag: '--seed <n>',
    help: 'learner seed',
    defaultHelp: `${DEFAULTS.seed} or the curriculum's`
  },
  { path: 'backboneSeed', env: 'L2D2C_BACKBONE_SEED', flag: '--backbone-seed <n>', help: 'shared backbone seed' },
  { path: 'backend', env: 'L2D2C_BACKEND', flag: '--backend <b>', help: BACKEND_CHOICES.join(' | ') },
  { path: 'maskInit', env: 'L2D2C_MASK_INIT', flag: '--mask-init <m>', help: NEW_MASK_MODES.join(' | ') },
  { path: 'preset', env: 'L2D2C_PRESET', flag: '--preset <p>', help: `PPO preset: ${PPO_PRESET_NAMES.join(' | ')}` },
  {
    path: 'encoding',
    env: 'L2D2C_ENCODING',
    flag: '--encoding <e>',
    help: `mask encoding to fetch: ${SUPPORTED_ENCODINGS.join(' | ')}`
  },
  {
    path: 'sharing.drop',
    env: 'L2D2C_DROP',
    flag: '--drop <p>',
    help: 'drop each outbound message with probability p, for experiments'
  },
  {
    path: 'sharing.dropMode',
    env: 'L2D2C_DROP_MODE',
    flag: '--drop-mode <m>',
    help: 'all | queries (the reference dropped queries only)'
  },
  {
    path: 'sharing.commPerTask',
    env: 'L2D2C_COMM_PER_TASK',
    flag: '--comm-per-task <n>',
    help: 'sharing rounds per task besides the first'
  },
  {
    path: 'sharing.hysteresis',
    env: 'L2D2C_HYSTERESIS',
    flag: '--hysteresis <h>',
    help: 'share only masks better by this factor'
  },
  {
    path: 'sharing.windowMs',
    env: 'L2D2C_QUERY_WINDOW_MS',
    flag: '--query-window-ms <ms>',
    help: 'how long a round collects offers'
  },
  {
    path: 'sharing.enabled',
    env: 'L2D2C_SHARING',
    flag: '--no-sharing',
    help: 'never ask peers for masks (still serve own masks)',
    negatable: true
  },
  {
    path: 'evaluation.episodes',
    env: 'L2D2C_EVAL_EPISODES',
    flag: '--eval-episodes <n>',
    help: 'episodes per evaluation'
  },
  {
    path: 'evaluation.everySteps',
    env: 'L2D2C_EVAL_EVERY_STEPS',
    flag: '--eval-every-steps <n>',
    help: 'env steps between evaluations'
  },
  {
    path: 'evaluation.intervalMs',
    env: 'L2D2C_EVAL_INTERVAL_MS',
    flag: '--eval-interval-ms <ms>',
    help: 'evaluator: time between evaluation cycles'
  },
  {
    path: 'evaluation.greedy',
    env: 'L2D2C_EVAL_GREEDY',
    flag: '--eval-greedy',
    help: 'evaluate with greedy actions, not sampled ones as the reference does',
    negatable: true
  },
  {
    path: 'announceIntervalMs',
    env: 'L2D2C_ANNOUNCE_INTERVAL_MS',
    flag: '--announce-interval-ms <ms>',
    help: 'inventory re-announcement period'
  },
  {
    path: 'exitWhenDone',
    env: 'L2D2C_EXIT_WHEN_DONE',
    flag: '--exit-when-done',
    help: 'exit after the curriculum instead of serving masks',
    negatable: true
  },
  {
    path: 'log.level',
    env: 'L2D2C_LOG_LEVEL',
    flag: '--log-level <level>',
    help: 'trace | debug | info | warn | error | silent'
  },
  { path: 'log.format', env: 'L2D2C_LOG_FORMAT', flag: '--log-format <f>', help: 'auto | json | pretty' }
]

/** The default of a setting as a word for help texts ('' when there is nothing to say). */
export function settingDefault(s: DaemonSetting): string {
  if (s.defaultHelp !== undefined) return s.defaultHelp
  const [a, b] = s.path.split('.') as [string, string | undefined]
  const top = (DEFAULTS as Record<string, unknown>)[a]
  const v = b === undefined ? top : (top as Record<string, unknown> | undefined)?.[b]
  if (Array.isArray(v)) return v.join(', ')
  // A --no-x flag's own default would read backwards ("--no-sharing ... default true").
  if (typeof v === 'boolean') return s.flag.startsWith('--no-') ? '' : String(v)
  return typeof v === 'string' || typeof v === 'number' ? String(v) : ''
}

const TOP = [...new Set(DAEMON_SETTINGS.map(s => s.path.split('.')[0] as string))]
const NESTED: Record<string, string[]> = {}
for (const s of DAEMON_SETTINGS) {
  const [a, b] = s.path.split('.') as [string, string | undefined]
  if (b !== undefined) {
    NESTED[a] ??= []
    NESTED[a].push(b)
  }
}

/** Environment variables and the config path they set. Lists are comma-separated. */
export const ENV_VARS: Record<string, string> = Object.fromEntries(DAEMON_SETTINGS.map(s => [s.env, s.path]))

const LIST_PATHS = new Set(DAEMON_SETTINGS.filter(s => s.list !== undefined).map(s => s.path))

/** Sets a setting's path ("sharing.windowMs") in a layer, keeping its siblings. */
export function setInLayer(layer: ConfigLayer, path: string, value: unknown): void {
  const [a, b] = path.split('.') as [string, string | undefined]
  if (b === undefined) layer[a] = value
  else layer[a] = { ...(layer[a] as object | undefined), [b]: value }
}

/** L2D2C_* variables that are not daemon settings: the CLI client's token. */
const OTHER_VARS = new Set(['L2D2C_API_TOKEN'])

/**
 * Turns L2D2C_* variables into a layer (values stay strings; validation converts). An unknown
 * L2D2C_* name is an error, as an unknown key in the file is: a misspelt variable would
 * otherwise be ignored without a word.
 */
export function envLayer(env: Record<string, string | undefined>): ConfigLayer {
  for (const name of Object.keys(env)) {
    if (name.startsWith('L2D2C_') && !(name in ENV_VARS) && !OTHER_VARS.has(name)) {
      throw new ConfigError(name, 'env', `unknown variable (known: ${Object.keys(ENV_VARS).join(', ')})`)
    }
  }
  const layer: ConfigLayer = {}
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const v = env[name]
    if (v === undefined || v === '') continue
    setInLayer(
      layer,
      path,
      LIST_PATHS.has(path)
        ? v
            .split(',')
            .map(s => s.trim())
            .filter(s => s !== '')
        : v
    )
  }
  return layer
}

interface Picked {
  value: unknown
  source: ConfigSource
}

export interface ResolveInput {
  file?: unknown
  env?: Record<string, string | undefined>
  flags?: ConfigLayer
  /** Reads a curriculum file (the daemon passes fs; tests pass a map). */
  readFile?: (path: string) => string
}

function checkUnknown(layer: unknown, source: ConfigSource): void {
  if (layer === undefined) return
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer))
    throw new ConfigError('(root)', source, 'must be a JSON object')
  for (const [k, v] of Object.entries(layer)) {
    if (!TOP.includes(k)) throw new ConfigError(k, source, `unknown setting (known: ${TOP.join(', ')})`)
    const nested = NESTED[k]
    if (nested !== undefined && v !== undefined) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(k, source, 'must be an object')
      for (const nk of Object.keys(v))
        if (!nested.includes(nk))
          throw new ConfigError(`${k}.${nk}`, source, `unknown setting (known: ${nested.join(', ')})`)
    }
  }
}

export function resolveDaemonConfig(input: ResolveInput): DaemonConfig {
  const layers: Array<[ConfigSource, Record<string, unknown> | undefined]> = [
    ['file', input.file as Record<string, unknown> | undefined],
    ['env', envLayer(input.env ?? {})],
    ['flag', input.flags]
  ]
  for (const [source, layer] of layers) checkUnknown(layer, source)
  const pick = (path: string): Picked => {
    const [a, b] = path.split('.') as [string, string | undefined]
    for (let i = layers.length - 1; i >= 0; i--) {
      const [source, layer] = layers[i] as [ConfigSource, Record<string, unknown> | undefined]
      const top = layer?.[a]
      const v = b === undefined ? top : (top as Record<string, unknown> | undefined)?.[b]
      if (v !== undefined) return { value: v, source }
    }
    const d = (DEFAULTS as Record<string, unknown>)[a]
    return { value: b === undefined ? d : (d as Record<string, unknown> | undefined)?.[b], source: 'default' }
  }

  const str = (path: string, required = false): string | undefined => {
    const { value, source } = pick(path)
    if (value === undefined) {
      if (required) throw new ConfigError(path, source, 'is required')
      return undefined
    }
    if (typeof value !== 'string' || value === '')
      throw new ConfigError(path, source, `must be a non-empty string, got ${JSON.stringify(value)}`)
    return value
  }
  const oneOf = <T extends string>(path: string, allowed: readonly T[]): T => {
    const { value, source } = pick(path)
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
      throw new ConfigError(path, source, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`)
    return value as T
  }
  const num = (path: string, min: number, max: number, integer: boolean): number => {
    const { value, source } = pick(path)
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new ConfigError(
        path,
        source,
        `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}`
      )
    }
    return n
  }
  const bool = (path: string): boolean => {
    const { value, source } = pick(path)
    if (typeof value === 'boolean') return value
    if (value === 'true' || value === '1' || value === 'yes') return true
    if (value === 'false' || value === '0' || value === 'no') return false
    throw new ConfigError(path, source, `must be true or false, got ${JSON.stringify(value)}`)
  }
  const addrs = (path: string, needPeerId: boolean): string[] => {
    const { value, source } = pick(path)
    const list = typeof value === 'string' ? [value] : value
    if (!Array.isArray(list)) throw new ConfigError(path, source, 'must be a list of multiaddrs')
    return list.map((a: unknown, i: number) => {
      if (typeof a !== 'string') throw new ConfigError(`${path}[${i}]`, source, 'must be a multiaddr string')
      try {
        if (needPeerId) parsePeerAddress(a)
        else multiaddr(a)
      } catch (err) {
        throw new ConfigError(
          `${path}[${i}]`,
          source,
          err instanceof PeerAddressError ? err.message : `invalid multiaddr "${a}": ${(err as Error).message}`
        )
      }
      return a
    })
  }

  const dataDir = str('dataDir', true) as string
  const api = str('api') as string
  if (!api.startsWith('unix:')) {
    const m = /^(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\]):([0-9]{1,5})$/.exec(api)
    if (m === null || Number(m[2]) > 65535)
      throw new ConfigError(
        'api',
        pick('api').source,
        `must be HOST:PORT on a loopback address (127.x.x.x, localhost, [::1]) or unix:/path, got "${api}"`
      )
  }

  // Curriculum: --tasks shorthand or --curriculum FILE + --agent-index (not both).
  const tasksPick = pick('tasks')
  const curriculumPick = pick('curriculum')
  const role = oneOf('role', ['learner', 'evaluator'] as const)
  let tasks: string[]
  let source: string
  let stepsPerTask: number | null = null
  let curriculumSeed: number | null = null
  if (
    tasksPick.value !== undefined &&
    curriculumPick.value !== undefined &&
    tasksPick.source === curriculumPick.source
  ) {
    throw new ConfigError('tasks', tasksPick.source, 'give either tasks or curriculum, not both')
  }
  const useTasks =
    tasksPick.value !== undefined &&
    (curriculumPick.value === undefined || layerRank(tasksPick.source) > layerRank(curriculumPick.source))
  if (useTasks) {
    const list =
      typeof tasksPick.value === 'string'
        ? tasksPick.value
            .split(',')
            .map(s => s.trim())
            .filter(s => s !== '')
        : tasksPick.value
    if (!Array.isArray(list) || list.length === 0)
      throw new ConfigError('tasks', tasksPick.source, 'must be a non-empty list of task keys')
    // Catalogue groups (meta-ctgraph, minigrid-crossing, ...) expand as in `train --task-set`.
    try {
      tasks = expandTaskList(list)
    } catch (err) {
      if (err instanceof TaskListError) throw new ConfigError(`tasks[${err.index}]`, tasksPick.source, err.message)
      throw err
    }
    source = 'tasks'
    const agentIndex = pick('agentIndex')
    // An agent index from a lower layer went with that layer's curriculum, which these tasks override.
    if (agentIndex.value !== undefined && layerRank(agentIndex.source) >= layerRank(tasksPick.source))
      throw new ConfigError('agentIndex', agentIndex.source, 'only applies to a curriculum file, not to tasks')
  } else if (curriculumPick.value !== undefined) {
    const file = curriculumPick.value
    if (typeof file !== 'string') throw new ConfigError('curriculum', curriculumPick.source, 'must be a file path')
    if (input.readFile === undefined)
      throw new ConfigError('curriculum', curriculumPick.source, 'curriculum files cannot be read here')
    let text: string
    try {
      text = input.readFile(file)
    } catch (err) {
      throw new ConfigError('curriculum', curriculumPick.source, `cannot read ${file}: ${(err as Error).message}`)
    }
    let c: ReturnType<typeof parseCurriculumJson>
    try {
      c = parseCurriculumJson(text, taskShape)
    } catch (err) {
      if (err instanceof CurriculumError)
        throw new ConfigError(
          `curriculum (${file}) ${err.path}`,
          curriculumPick.source,
          err.message.replace(/^[^:]*: /, '')
        )
      throw err
    }
    const index = pick('agentIndex').value === undefined ? 0 : num('agentIndex', 0, c.agents.length - 1, true)
    const agent = c.agents[index]
    if (agent === undefined)
      throw new ConfigError('agentIndex', pick('agentIndex').source, `the curriculum has ${c.agents.length} agents`)
    tasks = [...agent.tasks]
    stepsPerTask = agent.stepsPerTask
    curriculumSeed = agent.seed ?? null
    source = `${file}#${index}`
  } else {
    throw new ConfigError(
      'tasks',
      'default',
      'no curriculum: give tasks (e.g. --tasks meta-ctgraph or KEY,KEY) or curriculum FILE'
    )
  }
  const shape = tasks.map(t => ({ t, s: taskShape(t) }))
  const first = shape[0] as { t: string; s: { observationSize: number; numActions: number } }
  for (const { t, s } of shape) {
    if (s.observationSize !== first.s.observationSize || s.numActions !== first.s.numActions) {
      throw new ConfigError(
        'tasks',
        useTasks ? tasksPick.source : curriculumPick.source,
        `${t} and ${first.t} need different networks; a node's tasks must share one backbone`
      )
    }
  }
  // The curriculum's per-agent values beat the defaults, and any explicit setting beats them.
  if (pick('stepsPerTask').source !== 'default' || stepsPerTask === null)
    stepsPerTask = num('stepsPerTask', 1, 1_000_000_000, true)
  const seed =
    pick('seed').source !== 'default' || curriculumSeed === null ? num('seed', 0, 0xffffffff, true) : curriculumSeed

  const drop = num('sharing.drop', 0, 1, false)
  return {
    dataDir,
    peerKeyFile: str('peerKeyFile') ?? null,
    listen: addrs('listen', false),
    announce: addrs('announce', false),
    bootstrap: addrs('bootstrap', true),
    mdns: bool('mdns'),
    api,
    role,
    curriculum: { tasks, source },
    stepsPerTask,
    seed,
    backboneSeed: num('backboneSeed', 0, 0xffffffff, true),
    backend: oneOf('backend', BACKEND_CHOICES),
    maskInit: oneOf('maskInit', NEW_MASK_MODES),
    preset: oneOf('preset', PPO_PRESET_NAMES),
    encoding: oneOf('encoding', SUPPORTED_ENCODINGS),
    sharing: {
      enabled: bool('sharing.enabled'),
      commPerTask: num('sharing.commPerTask', 0, 1000, true),
      hysteresis: (() => {
        const h = num('sharing.hysteresis', 0, 1, false)
        if (h === 0) throw new ConfigError('sharing.hysteresis', pick('sharing.hysteresis').source, 'must be in (0, 1]')
        return h
      })(),
      windowMs: num('sharing.windowMs', 10, 60_000, true),
      drop,
      dropMode: oneOf('sharing.dropMode', ['all', 'queries'] as const)
    },
    evaluation: {
      episodes: num('evaluation.episodes', 1, 10_000, true),
      greedy: bool('evaluation.greedy'),
      everySteps: num('evaluation.everySteps', 1, 1_000_000_000, true),
      intervalMs: num('evaluation.intervalMs', 100, 86_400_000, true)
    },
    announceIntervalMs: num('announceIntervalMs', 100, 3_600_000, true),
    exitWhenDone: bool('exitWhenDone'),
    log: {
      level: oneOf('log.level', ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const),
      format: oneOf('log.format', ['auto', 'json', 'pretty'] as const)
    }
  }
}

function layerRank(s: ConfigSource): number {
  return { default: 0, file: 1, env: 2, flag: 3 }[s]
}
