import { resolve as resolvePath } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { parsePeerAddress, PeerAddressError } from '../../network/peer-address.js'
import { parseTaskGlob, TaskGlobError } from '../../sharing/policy/task-glob.js'
import { MAX_LINKED_DAEMONS } from '../dashboard/linked-daemons.js'
import { curriculumSource, type Picked } from './curriculum-source.js'
import { resolveSecurity } from './security-settings.js'
import {
  ConfigError,
  DAEMON_SETTINGS,
  daemonSetting,
  defaultOf,
  type ConfigLayer,
  type ConfigSource,
  type DaemonConfig
} from './daemon-config.js'

export interface ResolveInput {
  /** The config file's JSON (any shape: it is checked here). */
  file?: unknown
  /** The environment's settings, in DaemonConfig's shape (the CLI maps its L2D2C_* variables). */
  env?: ConfigLayer
  /** The command line's settings, in DaemonConfig's shape. */
  flags?: ConfigLayer
  /** Reads a curriculum file (the daemon passes fs; tests pass a map). */
  readFile?: (path: string) => string
}

/** Basis masks imported per task at most: 64 covers any catalogue group, and the import's byte cap bounds it anyway. */
const MAX_IMPORT_BASIS = 64

const TOP = [...new Set(DAEMON_SETTINGS.map(s => s.path.split('.')[0] as string))]
const NESTED: Record<string, string[]> = {}
for (const s of DAEMON_SETTINGS) {
  const [a, b] = s.path.split('.') as [string, string | undefined]
  if (b !== undefined) {
    NESTED[a] ??= []
    NESTED[a].push(b)
  }
}

/** Refuses a layer that is not an object or names a setting that does not exist (a misspelt key). */
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

/**
 * Resolves the daemon's configuration from its layers (defaults < file < environment <
 * flags), converting text values and checking every setting: the first bad value is a
 * ConfigError naming its path and the layer it came from.
 */
export function resolveDaemonConfig(input: ResolveInput): DaemonConfig {
  const layers: Array<[ConfigSource, Record<string, unknown> | undefined]> = [
    ['file', input.file as Record<string, unknown> | undefined],
    ['env', input.env],
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
    return { value: defaultOf(path), source: 'default' }
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
  const oneOf = <T extends string>(path: string): T => {
    const allowed = daemonSetting(path).choices ?? []
    const { value, source } = pick(path)
    if (typeof value !== 'string' || !allowed.includes(value))
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

  const list = (path: string, check: (item: string) => void): string[] => {
    const { value, source } = pick(path)
    const items = typeof value === 'string' ? [value] : value
    if (!Array.isArray(items)) throw new ConfigError(path, source, 'must be a list of strings')
    return items.map((v: unknown, i: number) => {
      if (typeof v !== 'string') throw new ConfigError(`${path}[${i}]`, source, 'must be a string')
      try {
        check(v)
      } catch (err) {
        throw new ConfigError(`${path}[${i}]`, source, (err as Error).message)
      }
      return v
    })
  }
  const taskGlob = (v: string): void => {
    try {
      parseTaskGlob(v)
    } catch (err) {
      if (err instanceof TaskGlobError) throw new Error(err.message)
      throw err
    }
  }
  const peerId = (v: string): void => {
    try {
      peerIdFromString(v)
    } catch {
      throw new Error(`not a peer id: ${JSON.stringify(v.slice(0, 80))}`)
    }
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
  const role = oneOf<DaemonConfig['role']>('role')
  const curriculum = curriculumSource({
    pick,
    num,
    ...(input.readFile !== undefined ? { readFile: input.readFile } : {})
  })
  // The curriculum's per-agent values beat the defaults, and any explicit setting beats them.
  const stepsPerTask =
    pick('stepsPerTask').source !== 'default' || curriculum.stepsPerTask === null
      ? num('stepsPerTask', 1, 1_000_000_000, true)
      : curriculum.stepsPerTask
  const seed =
    pick('seed').source !== 'default' || curriculum.seed === null ? num('seed', 0, 0xffffffff, true) : curriculum.seed

  /**
   * The data dirs a page links to, made absolute (a page shows them; the daemon reads them
   * later). A dir need not exist yet: a sibling started later is shown as not running.
   */
  const links = (): string[] => {
    const own = resolvePath(dataDir)
    const seen = new Set<string>()
    const dirs = list('dashboard.links', v => {
      if (v.trim() === '') throw new Error('must be a data dir path, got ""')
      const abs = resolvePath(v)
      if (abs === own) throw new Error("is this daemon's own data dir")
      if (seen.has(abs)) throw new Error(`${abs} is listed twice`)
      seen.add(abs)
    })
    if (dirs.length > MAX_LINKED_DAEMONS)
      throw new ConfigError(
        'dashboard.links',
        pick('dashboard.links').source,
        `at most ${MAX_LINKED_DAEMONS} data dirs, got ${dirs.length}`
      )
    return dirs.map(d => resolvePath(d))
  }

  const drop = num('sharing.drop', 0, 1, false)
  const bootstrap = addrs('bootstrap', true)
  return {
    dataDir,
    peerKeyFile: str('peerKeyFile') ?? null,
    listen: addrs('listen', false),
    announce: addrs('announce', false),
    bootstrap,
    mdns: bool('mdns'),
    relayServer: bool('relayServer'),
    relayReservation: oneOf('relayReservation'),
    upnp: bool('upnp'),
    api,
    role,
    curriculum: { tasks: curriculum.tasks, source: curriculum.source },
    stepsPerTask,
    fixedBudget: bool('fixedBudget'),
    seed,
    backboneSeed: num('backboneSeed', 0, 0xffffffff, true),
    backend: oneOf('backend'),
    maskInit: oneOf('maskInit'),
    preset: oneOf('preset'),
    closeToInit: pick('closeToInit').source === 'default' ? null : num('closeToInit', 0, 1, false),
    encoding: oneOf('encoding'),
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
      dropMode: oneOf('sharing.dropMode'),
      importBasis: num('sharing.importBasis', 0, MAX_IMPORT_BASIS, true)
    },
    evaluation: {
      episodes: num('evaluation.episodes', 1, 10_000, true),
      greedy: bool('evaluation.greedy'),
      everySteps: num('evaluation.everySteps', 1, 1_000_000_000, true),
      intervalMs: num('evaluation.intervalMs', 100, 86_400_000, true)
    },
    announceIntervalMs: num('announceIntervalMs', 100, 3_600_000, true),
    exitWhenDone: bool('exitWhenDone'),
    paced: bool('paced'),
    log: {
      level: oneOf('log.level'),
      format: oneOf('log.format')
    },
    policy: {
      serve: list('policy.serve', taskGlob),
      accept: list('policy.accept', taskGlob),
      acceptFrom: list('policy.acceptFrom', peerId),
      adopt: oneOf('policy.adopt')
    },
    security: resolveSecurity({
      pick,
      num,
      bool,
      str,
      bootstrap,
      ...(input.readFile !== undefined ? { readFile: input.readFile } : {})
    }),
    dashboard: { links: links() }
  }
}
