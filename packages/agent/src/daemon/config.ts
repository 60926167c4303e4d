import { multiaddr } from '@multiformats/multiaddr'
import { SUPPORTED_ENCODINGS, type MaskEncoding } from '@l2d2c/protocol'
import { parseCurriculumJson, CurriculumError } from '../envs/curriculum.js'
import { taskShape } from '../envs/registry.js'
import { parseTaskKey, TaskKeyError, META_CTGRAPH_TASKS } from '../envs/task-key.js'

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
  curriculum: { tasks: string[], source: string }
  stepsPerTask: number
  seed: number
  backboneSeed: number
  backend: 'auto' | 'wasm' | 'cpu' | 'node'
  maskInit: 'random' | 'lc' | 'blc'
  preset: 'default' | 'reference'
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
  evaluation: { episodes: number, greedy: boolean, everySteps: number, intervalMs: number }
  announceIntervalMs: number
  exitWhenDone: boolean
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent', format: 'auto' | 'json' | 'pretty' }
}

export type ConfigSource = 'default' | 'file' | 'env' | 'flag'

export class ConfigError extends Error {
  constructor (readonly path: string, readonly source: ConfigSource, reason: string) {
    super(`${path}: ${reason}${source === 'default' ? '' : ` (from ${source === 'file' ? 'the config file' : source === 'env' ? 'the environment' : 'a flag'})`}`)
    this.name = 'ConfigError'
  }
}

/** A partial configuration as one layer provides it (flags and env are parsed into this shape). */
export interface ConfigLayer {
  dataDir?: unknown
  peerKeyFile?: unknown
  listen?: unknown
  announce?: unknown
  bootstrap?: unknown
  mdns?: unknown
  api?: unknown
  role?: unknown
  tasks?: unknown
  curriculum?: unknown
  agentIndex?: unknown
  stepsPerTask?: unknown
  seed?: unknown
  backboneSeed?: unknown
  backend?: unknown
  maskInit?: unknown
  preset?: unknown
  encoding?: unknown
  sharing?: { enabled?: unknown, commPerTask?: unknown, hysteresis?: unknown, windowMs?: unknown, drop?: unknown, dropMode?: unknown }
  evaluation?: { episodes?: unknown, greedy?: unknown, everySteps?: unknown, intervalMs?: unknown }
  announceIntervalMs?: unknown
  exitWhenDone?: unknown
  log?: { level?: unknown, format?: unknown }
}

const TOP = ['dataDir', 'peerKeyFile', 'listen', 'announce', 'bootstrap', 'mdns', 'api', 'role', 'tasks', 'curriculum', 'agentIndex', 'stepsPerTask', 'seed', 'backboneSeed', 'backend', 'maskInit', 'preset', 'encoding', 'sharing', 'evaluation', 'announceIntervalMs', 'exitWhenDone', 'log']
const NESTED: Record<string, string[]> = {
  sharing: ['enabled', 'commPerTask', 'hysteresis', 'windowMs', 'drop', 'dropMode'],
  evaluation: ['episodes', 'greedy', 'everySteps', 'intervalMs'],
  log: ['level', 'format']
}

/** Environment variables and the config path they set. Lists are comma-separated. */
export const ENV_VARS: Record<string, string> = {
  L2D2C_DATA_DIR: 'dataDir',
  L2D2C_PEER_KEY_FILE: 'peerKeyFile',
  L2D2C_LISTEN: 'listen',
  L2D2C_ANNOUNCE: 'announce',
  L2D2C_BOOTSTRAP: 'bootstrap',
  L2D2C_MDNS: 'mdns',
  L2D2C_API: 'api',
  L2D2C_ROLE: 'role',
  L2D2C_TASKS: 'tasks',
  L2D2C_CURRICULUM: 'curriculum',
  L2D2C_AGENT_INDEX: 'agentIndex',
  L2D2C_STEPS_PER_TASK: 'stepsPerTask',
  L2D2C_SEED: 'seed',
  L2D2C_BACKBONE_SEED: 'backboneSeed',
  L2D2C_BACKEND: 'backend',
  L2D2C_MASK_INIT: 'maskInit',
  L2D2C_PRESET: 'preset',
  L2D2C_ENCODING: 'encoding',
  L2D2C_SHARING: 'sharing.enabled',
  L2D2C_COMM_PER_TASK: 'sharing.commPerTask',
  L2D2C_HYSTERESIS: 'sharing.hysteresis',
  L2D2C_QUERY_WINDOW_MS: 'sharing.windowMs',
  L2D2C_DROP: 'sharing.drop',
  L2D2C_DROP_MODE: 'sharing.dropMode',
  L2D2C_EVAL_EPISODES: 'evaluation.episodes',
  L2D2C_EVAL_GREEDY: 'evaluation.greedy',
  L2D2C_EVAL_EVERY_STEPS: 'evaluation.everySteps',
  L2D2C_EVAL_INTERVAL_MS: 'evaluation.intervalMs',
  L2D2C_ANNOUNCE_INTERVAL_MS: 'announceIntervalMs',
  L2D2C_EXIT_WHEN_DONE: 'exitWhenDone',
  L2D2C_LOG_LEVEL: 'log.level',
  L2D2C_LOG_FORMAT: 'log.format'
}

const LIST_PATHS = new Set(['listen', 'announce', 'bootstrap', 'tasks'])

/** L2D2C_* variables that are not daemon settings: the CLI client's token. */
const OTHER_VARS = new Set(['L2D2C_API_TOKEN'])

/**
 * Turns L2D2C_* variables into a layer (values stay strings; validation converts). An unknown
 * L2D2C_* name is an error, as an unknown key in the file is: a misspelt variable would
 * otherwise be ignored without a word.
 */
export function envLayer (env: Record<string, string | undefined>): ConfigLayer {
  for (const name of Object.keys(env)) {
    if (name.startsWith('L2D2C_') && !(name in ENV_VARS) && !OTHER_VARS.has(name)) {
      throw new ConfigError(name, 'env', `unknown variable (known: ${Object.keys(ENV_VARS).join(', ')})`)
    }
  }
  const layer: Record<string, unknown> = {}
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const v = env[name]
    if (v === undefined || v === '') continue
    const value = LIST_PATHS.has(path) ? v.split(',').map(s => s.trim()).filter(s => s !== '') : v
    const [a, b] = path.split('.') as [string, string | undefined]
    if (b === undefined) layer[a] = value
    else layer[a] = { ...(layer[a] as object | undefined), [b]: value }
  }
  return layer as ConfigLayer
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

interface Picked { value: unknown, source: ConfigSource }

export interface ResolveInput {
  file?: unknown
  env?: Record<string, string | undefined>
  flags?: ConfigLayer
  /** Reads a curriculum file (the daemon passes fs; tests pass a map). */
  readFile?: (path: string) => string
}

function checkUnknown (layer: unknown, source: ConfigSource): void {
  if (layer === undefined) return
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) throw new ConfigError('(root)', source, 'must be a JSON object')
  for (const [k, v] of Object.entries(layer)) {
    if (!TOP.includes(k)) throw new ConfigError(k, source, `unknown setting (known: ${TOP.join(', ')})`)
    const nested = NESTED[k]
    if (nested !== undefined && v !== undefined) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(k, source, 'must be an object')
      for (const nk of Object.keys(v)) if (!nested.includes(nk)) throw new ConfigError(`${k}.${nk}`, source, `unknown setting (known: ${nested.join(', ')})`)
    }
  }
}

export function resolveDaemonConfig (input: ResolveInput): DaemonConfig {
  const layers: Array<[ConfigSource, Record<string, unknown> | undefined]> = [
    ['file', input.file as Record<string, unknown> | undefined],
    ['env', envLayer(input.env ?? {}) as Record<string, unknown>],
    ['flag', input.flags as Record<string, unknown> | undefined]
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
    if (value === undefined) { if (required) throw new ConfigError(path, source, 'is required'); return undefined }
    if (typeof value !== 'string' || value === '') throw new ConfigError(path, source, `must be a non-empty string, got ${JSON.stringify(value)}`)
    return value
  }
  const oneOf = <T extends string>(path: string, allowed: readonly T[]): T => {
    const { value, source } = pick(path)
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new ConfigError(path, source, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`)
    return value as T
  }
  const num = (path: string, min: number, max: number, integer: boolean): number => {
    const { value, source } = pick(path)
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new ConfigError(path, source, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}`)
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
      let ma
      try { ma = multiaddr(a) } catch (err) { throw new ConfigError(`${path}[${i}]`, source, `invalid multiaddr "${a}": ${(err as Error).message}`) }
      if (needPeerId && ma.getComponents().find(c => c.name === 'p2p') === undefined) throw new ConfigError(`${path}[${i}]`, source, `"${a}" must end with /p2p/<peer id>`)
      return a
    })
  }

  const dataDir = str('dataDir', true) as string
  const api = str('api') as string
  if (!api.startsWith('unix:')) {
    const m = /^(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost|\[::1\]):([0-9]{1,5})$/.exec(api)
    if (m === null || Number(m[2]) > 65535) throw new ConfigError('api', pick('api').source, `must be HOST:PORT on a loopback address (127.x.x.x, localhost, [::1]) or unix:/path, got "${api}"`)
  }

  // Curriculum: --tasks shorthand or --curriculum FILE + --agent-index (not both).
  const tasksPick = pick('tasks')
  const curriculumPick = pick('curriculum')
  const role = oneOf('role', ['learner', 'evaluator'] as const)
  let tasks: string[]
  let source: string
  let stepsPerTask: number | null = null
  let curriculumSeed: number | null = null
  if (tasksPick.value !== undefined && curriculumPick.value !== undefined && tasksPick.source === curriculumPick.source) {
    throw new ConfigError('tasks', tasksPick.source, 'give either tasks or curriculum, not both')
  }
  const useTasks = tasksPick.value !== undefined && (curriculumPick.value === undefined || layerRank(tasksPick.source) > layerRank(curriculumPick.source))
  if (useTasks) {
    const list = typeof tasksPick.value === 'string' ? tasksPick.value.split(',').map(s => s.trim()).filter(s => s !== '') : tasksPick.value
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError('tasks', tasksPick.source, 'must be a non-empty list of task keys')
    tasks = list.flatMap((t: unknown, i: number) => {
      if (t === 'meta-ctgraph') return [...META_CTGRAPH_TASKS]
      if (typeof t !== 'string') throw new ConfigError(`tasks[${i}]`, tasksPick.source, 'must be a task key')
      try { parseTaskKey(t) } catch (err) { if (err instanceof TaskKeyError) throw new ConfigError(`tasks[${i}]`, tasksPick.source, err.message); throw err }
      return [t]
    })
    source = 'tasks'
    const agentIndex = pick('agentIndex')
    if (agentIndex.value !== undefined) throw new ConfigError('agentIndex', agentIndex.source, 'only applies to a curriculum file, not to tasks')
  } else if (curriculumPick.value !== undefined) {
    const file = curriculumPick.value
    if (typeof file !== 'string') throw new ConfigError('curriculum', curriculumPick.source, 'must be a file path')
    if (input.readFile === undefined) throw new ConfigError('curriculum', curriculumPick.source, 'curriculum files cannot be read here')
    let text: string
    try { text = input.readFile(file) } catch (err) { throw new ConfigError('curriculum', curriculumPick.source, `cannot read ${file}: ${(err as Error).message}`) }
    let c
    try { c = parseCurriculumJson(text, taskShape) } catch (err) { if (err instanceof CurriculumError) throw new ConfigError(`curriculum (${file}) ${err.path}`, curriculumPick.source, err.message.replace(/^[^:]*: /, '')); throw err }
    const index = pick('agentIndex').value === undefined ? 0 : num('agentIndex', 0, c.agents.length - 1, true)
    const agent = c.agents[index]
    if (agent === undefined) throw new ConfigError('agentIndex', pick('agentIndex').source, `the curriculum has ${c.agents.length} agents`)
    tasks = [...agent.tasks]
    stepsPerTask = agent.stepsPerTask
    curriculumSeed = agent.seed ?? null
    source = `${file}#${index}`
  } else {
    throw new ConfigError('tasks', 'default', 'no curriculum: give tasks (e.g. --tasks meta-ctgraph or KEY,KEY) or curriculum FILE')
  }
  const shape = tasks.map(t => ({ t, s: taskShape(t) }))
  const first = shape[0] as { t: string, s: { observationSize: number, numActions: number } }
  for (const { t, s } of shape) {
    if (s.observationSize !== first.s.observationSize || s.numActions !== first.s.numActions) {
      throw new ConfigError('tasks', useTasks ? tasksPick.source : curriculumPick.source, `${t} and ${first.t} need different networks; a node's tasks must share one backbone`)
    }
  }
  // The curriculum's per-agent values beat the defaults, and any explicit setting beats them.
  if (pick('stepsPerTask').source !== 'default' || stepsPerTask === null) stepsPerTask = num('stepsPerTask', 1, 1_000_000_000, true)
  const seed = pick('seed').source !== 'default' || curriculumSeed === null ? num('seed', 0, 0xffffffff, true) : curriculumSeed

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
    backend: oneOf('backend', ['auto', 'wasm', 'cpu', 'node'] as const),
    maskInit: oneOf('maskInit', ['random', 'lc', 'blc'] as const),
    preset: oneOf('preset', ['default', 'reference'] as const),
    encoding: oneOf('encoding', SUPPORTED_ENCODINGS),
    sharing: {
      enabled: bool('sharing.enabled'),
      commPerTask: num('sharing.commPerTask', 0, 1000, true),
      hysteresis: (() => { const h = num('sharing.hysteresis', 0, 1, false); if (h === 0) throw new ConfigError('sharing.hysteresis', pick('sharing.hysteresis').source, 'must be in (0, 1]'); return h })(),
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

function layerRank (s: ConfigSource): number {
  return { default: 0, file: 1, env: 2, flag: 3 }[s]
}
