import {
  formatIpv4,
  isHostOf,
  netsOverlap,
  netWithin,
  parseCidr,
  parseIpv4,
  PUBLIC_RANGES,
  SITE_RANGE,
  type Ipv4Net
} from './addresses.js'

/**
 * A lab topology: the network (segments, routers), the nodes with their curricula, the
 * scheduled trouble (loss, partitions, churn) and the checks that decide the run. Parsed
 * from a JSON file (lab/topologies/*.json; the format is in lab/README.md) by
 * parseTopology, which refuses anything it does not understand with a TopologyError naming
 * the offending value's path (`nodes[2].segment`). Pure: the caller reads the file.
 */

export type NodeRole = 'learner' | 'evaluator'

export interface SegmentSpec {
  readonly name: string
  readonly subnet: Ipv4Net
  /** A "public" segment (documentation range): the lab's internet. Otherwise a private site (10.x). */
  readonly public: boolean
  /** Drop probability (percent, each direction) on every link attached to this segment. */
  readonly lossPercent: number
}

export interface RouterSpec {
  readonly name: string
  /** The segment towards the lab's internet. */
  readonly upstream: string
  /** The site segment this router is the gateway of. */
  readonly site: string
  /** Masquerading NAT: the site is hidden behind the router's upstream address, inbound connections are dropped. */
  readonly nat: boolean
}

export interface HoldsCondition {
  readonly node: string
  readonly task: string
  /** The mask must have been trained by this node (its recorded origin); null: any origin. */
  readonly origin: string | null
}

export interface StartSpec {
  /** Seconds after the run starts (0: at once). */
  readonly afterSeconds: number
  /** Start only once this node holds a mask for this task. */
  readonly whenHolds: HoldsCondition | null
}

export interface NodeSpec {
  readonly name: string
  readonly segment: string
  /** Fixed address, or null to take the next free one of the segment. */
  readonly address: number | null
  readonly role: NodeRole
  readonly tasks: readonly string[]
  readonly stepsPerTask: number
  readonly seed: number
  /** Every node that can reach this one gets it as a --bootstrap peer. */
  readonly bootstrap: boolean
  readonly start: StartSpec
  /** Loss on this node's own link instead of its segment's. */
  readonly lossPercent: number | null
  /** Extra daemon flags (never the ones the lab owns: see LAB_OWNED_FLAGS). */
  readonly args: readonly string[]
}

export interface PartitionSpec {
  readonly name: string
  readonly groups: readonly [readonly string[], readonly string[]]
  readonly fromSeconds: number
  readonly untilSeconds: number
}

export interface ChurnSpec {
  readonly seed: number
  readonly kills: number
  readonly nodes: readonly string[]
  readonly fromSeconds: number
  readonly untilSeconds: number
  /** How long a killed node stays down: uniform in [min, max] seconds. */
  readonly downSeconds: readonly [number, number]
  /** A node is killed again only after being up this long. */
  readonly minUpSeconds: number
}

export interface AdoptionExpectation {
  readonly node: string
  readonly task: string
  readonly origin: string | null
}

export type CheckSpec =
  | {
      readonly kind: 'connected'
      readonly name: string
      readonly nodes: readonly string[]
      readonly to: string | null
      readonly minPeers: number
      readonly withinSeconds: number | null
    }
  | {
      readonly kind: 'adopted'
      readonly name: string
      readonly adoptions: readonly AdoptionExpectation[]
      /** Only adoptions from the other group of this partition, after its heal (one during the split is a leak). */
      readonly afterHeal: string | null
      /** Only adoptions before this partition's heal (each side kept learning and serving). */
      readonly beforeHeal: string | null
      readonly withinSeconds: number | null
    }
  | {
      readonly kind: 'direct'
      readonly name: string
      readonly between: readonly [string, string]
      /** What the topology's author expects and why (printed with the value). */
      readonly note: string
      readonly withinSeconds: number | null
    }
  | {
      readonly kind: 'relayed'
      readonly name: string
      readonly between: readonly [string, string]
      readonly withinSeconds: number | null
    }
  | {
      /**
       * `node` adopted `task` fetched from `from`, which it only ever reached through a relay
       * (no direct connection between them before the adoption); `relay`, when named, held no
       * mask for the task then (no provider both reach directly).
       */
      readonly kind: 'adopted-over-relay'
      readonly name: string
      readonly node: string
      readonly task: string
      readonly from: string
      readonly relay: string | null
      readonly withinSeconds: number | null
    }
  | {
      readonly kind: 'holds'
      readonly name: string
      readonly node: string
      readonly task: string
      readonly beforeHeal: string | null
      readonly withinSeconds: number | null
    }
  | { readonly kind: 'no-masks-lost'; readonly name: string }
  | { readonly kind: 'collective-target'; readonly name: string; readonly node: string; readonly target: number | null }
  | { readonly kind: 'memory'; readonly name: string; readonly maxMB: number }
  | { readonly kind: 'traffic'; readonly name: string; readonly maxGossipBytesPerMinute: number | null }
  | {
      readonly kind: 'fetch-latency'
      readonly name: string
      readonly from: string
      readonly to: string
      readonly task: string
      readonly count: number
      readonly timeoutMs: number
    }

export type CheckKind = CheckSpec['kind']

/**
 * Any check may say it is expected to fail in this topology, and why (a limitation of the
 * emulation, not of the node): it is still decided and reported as failed, with that reason,
 * but it does not fail the run. An expected failure that passes is reported as passed.
 */
export type CheckWithExpectation = CheckSpec & { readonly expectFailure: string | null }

export interface Topology {
  readonly name: string
  readonly description: string
  /** Hard cap on the run. */
  readonly durationSeconds: number
  /** The run lasts at least this long even when every check is decided earlier. */
  readonly minSeconds: number
  readonly pollSeconds: number
  readonly segments: readonly SegmentSpec[]
  readonly routers: readonly RouterSpec[]
  readonly nodes: readonly NodeSpec[]
  readonly partitions: readonly PartitionSpec[]
  readonly churn: ChurnSpec | null
  readonly checks: readonly CheckWithExpectation[]
}

/** A topology file that cannot be used; `path` names the offending value (`nodes[2].segment`). */
export class TopologyError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string
  ) {
    super(`${path}: ${detail}`)
    this.name = 'TopologyError'
  }
}

/** Daemon flags the lab sets itself: a topology's `args` may not override them. */
export const LAB_OWNED_FLAGS = [
  '--config',
  '--data-dir',
  '--peer-key-file',
  '--api',
  '--listen',
  '--announce',
  '--bootstrap',
  '--mdns',
  '--no-mdns',
  '--log-format',
  '--role',
  '--tasks',
  '--curriculum',
  '--agent-index',
  '--seed',
  '--steps-per-task'
] as const

/** Check names the lab adds to every run. */
export const AUTOMATIC_CHECKS = ['contained', 'cleanup'] as const

const NAME = /^[a-z][a-z0-9-]{0,19}$/
const CHECK_NAME = /^[a-z][a-z0-9-]{0,39}$/
const MAX_NODES = 64
const MAX_SEGMENTS = 16
const DEFAULT_STEPS_PER_TASK = 5120

export interface ParseOptions {
  /** Name used when the document has none (the file's base name). */
  defaultName: string
  /** Returns why a task key is unusable, or null (the CLI passes the task catalogue's parser). */
  checkTask?: (key: string) => string | null
}

type Json = Record<string, unknown>

/** Reads typed fields of one JSON object, with its path for errors, and refuses unknown keys. */
class Fields {
  private readonly used = new Set<string>()
  constructor(
    readonly o: Json,
    readonly path: string
  ) {}

  static of(v: unknown, path: string): Fields {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TopologyError(path, 'must be an object')
    return new Fields(v as Json, path)
  }

  at(key: string): string {
    return `${this.path === '' ? '' : `${this.path}.`}${key}`
  }

  raw(key: string): unknown {
    this.used.add(key)
    return this.o[key]
  }

  /** Whether the key is present (it then counts as read: optional keys are checked with has first). */
  has(key: string): boolean {
    this.used.add(key)
    return this.o[key] !== undefined
  }

  str(key: string, fallback?: string): string {
    const v = this.raw(key)
    if (v === undefined && fallback !== undefined) return fallback
    if (typeof v !== 'string' || v === '') throw new TopologyError(this.at(key), 'must be a non-empty string')
    return v
  }

  name(key: string, pattern = NAME, max = 20): string {
    const v = this.str(key)
    if (!pattern.test(v))
      throw new TopologyError(this.at(key), `"${v}" must be lower-case letters, digits and '-', 1-${max} characters`)
    return v
  }

  num(key: string, min: number, max: number, fallback?: number, integer = false): number {
    const v = this.raw(key)
    if (v === undefined && fallback !== undefined) return fallback
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
      throw new TopologyError(
        this.at(key),
        `must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${JSON.stringify(v)}`
      )
    return v
  }

  int(key: string, min: number, max: number, fallback?: number): number {
    return this.num(key, min, max, fallback, true)
  }

  optNum(key: string, min: number, max: number, integer = false): number | null {
    return this.has(key) ? this.num(key, min, max, undefined, integer) : null
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key)
    if (v === undefined) return fallback
    if (typeof v !== 'boolean') throw new TopologyError(this.at(key), 'must be true or false')
    return v
  }

  list(key: string, required = true): unknown[] {
    const v = this.raw(key)
    if (v === undefined && !required) return []
    if (!Array.isArray(v)) throw new TopologyError(this.at(key), 'must be an array')
    return v
  }

  strings(key: string, required = true): string[] {
    return this.list(key, required).map((s, i) => {
      if (typeof s !== 'string' || s === '')
        throw new TopologyError(`${this.at(key)}[${i}]`, 'must be a non-empty string')
      return s
    })
  }

  /** Refuses keys nobody read: a typo must not be silently ignored. */
  done(): void {
    for (const k of Object.keys(this.o))
      if (!this.used.has(k) && !k.startsWith('//')) throw new TopologyError(this.at(k), 'unknown key')
  }
}

interface RawNode {
  spec: Omit<NodeSpec, 'address'> & { address: number | null }
  path: string
}

/** Parses and validates a topology document (already JSON-decoded). */
export function parseTopology(doc: unknown, opts: ParseOptions): Topology {
  const top = Fields.of(doc, '')
  const name = top.has('name') ? top.name('name', CHECK_NAME, 40) : opts.defaultName
  const description = top.str('description', '')
  const durationSeconds = top.num('durationSeconds', 5, 7200)
  const minSeconds = top.num('minSeconds', 0, durationSeconds, 0)
  const pollSeconds = top.num('pollSeconds', 0.2, 30, 1)

  const defaults = top.has('defaults') ? Fields.of(top.raw('defaults'), 'defaults') : new Fields({}, 'defaults')
  const defaultSteps = defaults.int('stepsPerTask', 1, 100_000_000, DEFAULT_STEPS_PER_TASK)
  const defaultArgs = checkArgs(defaults.strings('args', false), defaults.at('args'))
  defaults.done()

  const segments = parseSegments(top)
  const segmentNames = new Set(segments.map(s => s.name))
  const routers = parseRouters(top, segments)
  const nodes = parseNodes(top, segments, segmentNames, defaultSteps, defaultArgs, opts)
  const nodeNames = new Set(nodes.map(n => n.name))
  checkStarts(nodes)
  const partitions = parsePartitions(top, nodeNames, durationSeconds)
  const churn = top.has('churn') ? parseChurn(Fields.of(top.raw('churn'), 'churn'), nodes, durationSeconds) : null
  const checks = parseChecks(top, nodes, partitions)
  top.done()
  return {
    name,
    description,
    durationSeconds,
    minSeconds,
    pollSeconds,
    segments,
    routers,
    nodes,
    partitions,
    churn,
    checks
  }
}

function checkArgs(args: string[], path: string): string[] {
  args.forEach((a, i) => {
    const flag = a.split('=')[0] as string
    if ((LAB_OWNED_FLAGS as readonly string[]).includes(flag))
      throw new TopologyError(`${path}[${i}]`, `${flag} is set by the lab (use the node's fields instead)`)
  })
  return args
}

function parseSegments(top: Fields): SegmentSpec[] {
  const list = top.list('segments')
  if (list.length === 0 || list.length > MAX_SEGMENTS)
    throw new TopologyError('segments', `must hold 1..${MAX_SEGMENTS} segments`)
  const out: SegmentSpec[] = []
  list.forEach((v, i) => {
    const f = Fields.of(v, `segments[${i}]`)
    const name = f.name('name')
    if (out.some(s => s.name === name)) throw new TopologyError(f.at('name'), `duplicate segment "${name}"`)
    const isPublic = f.bool('public', false)
    const text = f.str('subnet')
    const subnet = parseCidr(text)
    if (subnet === null)
      throw new TopologyError(f.at('subnet'), `"${text}" is not a network in CIDR form with zero host bits`)
    if (subnet.prefix < 16 || subnet.prefix > 29)
      throw new TopologyError(f.at('subnet'), `prefix length must be 16..29, got /${subnet.prefix}`)
    if (isPublic && !PUBLIC_RANGES.some(r => netWithin(subnet, r)))
      throw new TopologyError(
        f.at('subnet'),
        `a public segment must lie in a documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), got ${text}`
      )
    if (!isPublic && !netWithin(subnet, SITE_RANGE))
      throw new TopologyError(f.at('subnet'), `a site segment must lie in 10.0.0.0/8, got ${text}`)
    const clash = out.find(s => netsOverlap(s.subnet, subnet))
    if (clash !== undefined) throw new TopologyError(f.at('subnet'), `${text} overlaps segment "${clash.name}"`)
    const lossPercent = f.int('lossPercent', 0, 100, 0)
    f.done()
    out.push({ name, subnet, public: isPublic, lossPercent })
  })
  return out
}

function parseRouters(top: Fields, segments: readonly SegmentSpec[]): RouterSpec[] {
  const out: RouterSpec[] = []
  top.list('routers', false).forEach((v, i) => {
    const f = Fields.of(v, `routers[${i}]`)
    const name = f.name('name')
    if (out.some(r => r.name === name)) throw new TopologyError(f.at('name'), `duplicate router "${name}"`)
    const upstream = f.str('upstream')
    const site = f.str('site')
    for (const [key, seg] of [
      ['upstream', upstream],
      ['site', site]
    ] as const)
      if (!segments.some(s => s.name === seg)) throw new TopologyError(f.at(key), `no segment "${seg}"`)
    if (upstream === site) throw new TopologyError(f.at('site'), 'must differ from upstream')
    if (segments.find(s => s.name === site)?.public === true)
      throw new TopologyError(f.at('site'), `"${site}" is public: a router's site must be a private segment`)
    if (out.some(r => r.site === site))
      throw new TopologyError(f.at('site'), `segment "${site}" already has a router (one gateway per site)`)
    const nat = f.bool('nat', false)
    f.done()
    out.push({ name, upstream, site, nat })
  })
  // The segments must form a tree: following gateways upwards never comes back.
  for (const r of out) {
    const seen = new Set<string>([r.site])
    let seg: string | undefined = r.upstream
    while (seg !== undefined) {
      if (seen.has(seg))
        throw new TopologyError(`routers[${out.indexOf(r)}].upstream`, `routers form a loop through "${seg}"`)
      seen.add(seg)
      const at: string = seg
      seg = out.find(x => x.site === at)?.upstream
    }
  }
  return out
}

function parseStart(v: unknown, path: string): StartSpec {
  if (v === undefined) return { afterSeconds: 0, whenHolds: null }
  const f = Fields.of(v, path)
  const afterSeconds = f.num('afterSeconds', 0, 7200, 0)
  let whenHolds: HoldsCondition | null = null
  if (f.has('whenHolds')) {
    const h = Fields.of(f.raw('whenHolds'), f.at('whenHolds'))
    whenHolds = { node: h.str('node'), task: h.str('task'), origin: h.has('origin') ? h.str('origin') : null }
    h.done()
  }
  f.done()
  return { afterSeconds, whenHolds }
}

function parseNodes(
  top: Fields,
  segments: readonly SegmentSpec[],
  segmentNames: Set<string>,
  defaultSteps: number,
  defaultArgs: readonly string[],
  opts: ParseOptions
): NodeSpec[] {
  const raw: RawNode[] = []
  const list = top.list('nodes')
  if (list.length === 0) throw new TopologyError('nodes', 'must hold at least one node')
  list.forEach((v, i) => {
    const f = Fields.of(v, `nodes[${i}]`)
    const base = f.name('name')
    const replicas = f.int('replicas', 1, MAX_NODES, 1)
    const segField = f.raw('segment')
    const segs = typeof segField === 'string' ? [segField] : Array.isArray(segField) ? segField : null
    if (segs === null || segs.length === 0 || segs.some(s => typeof s !== 'string'))
      throw new TopologyError(f.at('segment'), 'must be a segment name (or, with replicas, a list of them)')
    if (segs.length > 1 && replicas === 1)
      throw new TopologyError(f.at('segment'), 'a list of segments needs replicas (they are used in turn)')
    segs.forEach((s, k) => {
      if (!segmentNames.has(s as string))
        throw new TopologyError(segs.length > 1 ? `${f.at('segment')}[${k}]` : f.at('segment'), `no segment "${s}"`)
    })
    const role = f.str('role', 'learner')
    if (role !== 'learner' && role !== 'evaluator')
      throw new TopologyError(f.at('role'), `must be learner or evaluator, got "${role}"`)
    const tasks = f.strings('tasks')
    if (tasks.length === 0) throw new TopologyError(f.at('tasks'), 'must list at least one task')
    tasks.forEach((t, k) => {
      const why = opts.checkTask?.(t) ?? null
      if (why !== null) throw new TopologyError(`${f.at('tasks')}[${k}]`, why)
    })
    const rotate = f.bool('rotateTasks', false)
    const stepsPerTask = f.int('stepsPerTask', 1, 100_000_000, defaultSteps)
    const seed = f.int('seed', 0, 1_000_000, raw.length + 1)
    const bootstrap = f.bool('bootstrap', false)
    if (bootstrap && replicas > 1)
      throw new TopologyError(f.at('bootstrap'), 'replicated nodes cannot be bootstrap nodes')
    let address: number | null = null
    if (f.has('address')) {
      if (replicas > 1) throw new TopologyError(f.at('address'), 'replicated nodes take addresses automatically')
      const text = f.str('address')
      address = parseIpv4(text)
      const seg = segments.find(s => s.name === segs[0]) as SegmentSpec
      if (address === null || !isHostOf(seg.subnet, address))
        throw new TopologyError(f.at('address'), `"${text}" is not a host address of segment "${seg.name}"`)
    }
    const start = parseStart(f.raw('start'), f.at('start'))
    const lossPercent = f.has('lossPercent') ? f.int('lossPercent', 0, 100) : null
    const args = [...defaultArgs, ...checkArgs(f.strings('args', false), f.at('args'))]
    f.done()
    if (replicas > 1 && base.length > 17)
      throw new TopologyError(f.at('name'), 'a replicated name must be at most 17 characters (a -NN suffix is added)')
    for (let r = 0; r < replicas; r++) {
      const name = replicas === 1 ? base : `${base}-${String(r + 1).padStart(2, '0')}`
      if (raw.some(n => n.spec.name === name)) throw new TopologyError(f.at('name'), `duplicate node "${name}"`)
      const shift = rotate ? r % tasks.length : 0
      raw.push({
        path: `nodes[${i}]`,
        spec: {
          name,
          segment: segs[r % segs.length] as string,
          address,
          role,
          tasks: [...tasks.slice(shift), ...tasks.slice(0, shift)],
          stepsPerTask,
          seed: seed + r,
          bootstrap,
          start,
          lossPercent,
          args
        }
      })
    }
  })
  if (raw.length > MAX_NODES) throw new TopologyError('nodes', `at most ${MAX_NODES} nodes, got ${raw.length}`)
  if (!raw.some(n => n.spec.bootstrap)) throw new TopologyError('nodes', 'at least one node must be a bootstrap node')
  assignAddresses(raw, segments)
  const names = new Set(raw.map(n => n.spec.name))
  for (const n of raw) {
    const h = n.spec.start.whenHolds
    if (h === null) continue
    const at = `${n.path}.start.whenHolds`
    if (!names.has(h.node)) throw new TopologyError(`${at}.node`, `no node "${h.node}"`)
    if (h.node === n.spec.name) throw new TopologyError(`${at}.node`, 'a node cannot wait for itself')
    const holder = raw.find(x => x.spec.name === h.node)?.spec as NodeSpec
    if (holder.role !== 'learner')
      throw new TopologyError(`${at}.node`, `"${h.node}" is an evaluator: it holds no masks`)
    if (!holder.tasks.includes(h.task))
      throw new TopologyError(`${at}.task`, `"${h.node}" never learns "${h.task}" (not in its tasks)`)
    if (h.origin !== null && !names.has(h.origin)) throw new TopologyError(`${at}.origin`, `no node "${h.origin}"`)
  }
  for (const n of raw)
    if (n.spec.bootstrap && (n.spec.start.afterSeconds > 0 || n.spec.start.whenHolds !== null))
      throw new TopologyError(`${n.path}.start`, 'a bootstrap node starts with the run (the others dial it)')
  return raw.map(n => n.spec)
}

/** Fixed addresses first, then the rest in order from .10 of each segment (.1 is the gateway's). */
function assignAddresses(raw: RawNode[], segments: readonly SegmentSpec[]): void {
  const taken = new Map<string, Set<number>>(segments.map(s => [s.name, new Set<number>()]))
  for (const n of raw) {
    if (n.spec.address === null) continue
    const set = taken.get(n.spec.segment) as Set<number>
    if (
      set.has(n.spec.address) ||
      n.spec.address - (segments.find(s => s.name === n.spec.segment)?.subnet.base ?? 0) < 10
    )
      throw new TopologyError(
        `${n.path}.address`,
        `${formatIpv4(n.spec.address)} is taken or reserved (.1-.9 of a segment belong to its routers)`
      )
    set.add(n.spec.address)
  }
  for (const n of raw) {
    if (n.spec.address !== null) continue
    const seg = segments.find(s => s.name === n.spec.segment) as SegmentSpec
    const set = taken.get(seg.name) as Set<number>
    let k = 10
    while (set.has(seg.subnet.base + k)) k++
    const addr = seg.subnet.base + k
    if (!isHostOf(seg.subnet, addr)) throw new TopologyError(`${n.path}.segment`, `segment "${seg.name}" is full`)
    set.add(addr)
    n.spec.address = addr
  }
}

/** Start conditions must not wait on each other in a circle. */
function checkStarts(nodes: readonly NodeSpec[]): void {
  for (const n of nodes) {
    const seen = new Set<string>()
    let at: NodeSpec | undefined = n
    while (at?.start.whenHolds != null) {
      if (seen.has(at.name))
        throw new TopologyError('nodes', `start conditions wait on each other in a circle through "${at.name}"`)
      seen.add(at.name)
      const next: string = at.start.whenHolds.node
      at = nodes.find(x => x.name === next)
    }
  }
}

function parsePartitions(top: Fields, nodeNames: Set<string>, duration: number): PartitionSpec[] {
  const out: PartitionSpec[] = []
  top.list('partitions', false).forEach((v, i) => {
    const f = Fields.of(v, `partitions[${i}]`)
    const name = f.name('name')
    if (out.some(p => p.name === name)) throw new TopologyError(f.at('name'), `duplicate partition "${name}"`)
    const groups = f.list('groups')
    if (groups.length !== 2) throw new TopologyError(f.at('groups'), 'must be two lists of node names')
    const parsed = groups.map((g, k) => {
      const path = `${f.at('groups')}[${k}]`
      if (!Array.isArray(g) || g.length === 0) throw new TopologyError(path, 'must be a non-empty list of node names')
      return g.map((n, j) => {
        if (typeof n !== 'string' || !nodeNames.has(n))
          throw new TopologyError(`${path}[${j}]`, `no node ${JSON.stringify(n)}`)
        return n
      })
    }) as [string[], string[]]
    const both = parsed[0].find(n => parsed[1].includes(n))
    if (both !== undefined) throw new TopologyError(f.at('groups'), `"${both}" is in both groups`)
    const fromSeconds = f.num('fromSeconds', 0, duration)
    const untilSeconds = f.num('untilSeconds', 0, duration)
    if (untilSeconds <= fromSeconds) throw new TopologyError(f.at('untilSeconds'), 'must be after fromSeconds')
    f.done()
    out.push({ name, groups: parsed, fromSeconds, untilSeconds })
  })
  return out
}

function parseChurn(f: Fields, nodes: readonly NodeSpec[], duration: number): ChurnSpec {
  const seed = f.int('seed', 0, 2 ** 32 - 1)
  const kills = f.int('kills', 1, 10_000)
  const names = f.strings('nodes')
  if (names.length === 0) throw new TopologyError(f.at('nodes'), 'must list at least one node')
  names.forEach((n, i) => {
    const spec = nodes.find(x => x.name === n)
    if (spec === undefined) throw new TopologyError(`${f.at('nodes')}[${i}]`, `no node "${n}"`)
    if (spec.start.afterSeconds > 0 || spec.start.whenHolds !== null)
      throw new TopologyError(`${f.at('nodes')}[${i}]`, `"${n}" starts late; churned nodes start with the run`)
  })
  const fromSeconds = f.num('fromSeconds', 0, duration)
  const untilSeconds = f.num('untilSeconds', 0, duration)
  if (untilSeconds <= fromSeconds) throw new TopologyError(f.at('untilSeconds'), 'must be after fromSeconds')
  const down = f.list('downSeconds')
  if (down.length !== 2 || down.some(d => typeof d !== 'number' || !(d >= 0.1 && d <= 600)))
    throw new TopologyError(f.at('downSeconds'), 'must be [min, max] seconds, each in 0.1..600')
  const [lo, hi] = down as [number, number]
  if (hi < lo) throw new TopologyError(f.at('downSeconds'), 'max must not be below min')
  const minUpSeconds = f.num('minUpSeconds', 0, 600, 3)
  f.done()
  return { seed, kills, nodes: names, fromSeconds, untilSeconds, downSeconds: [lo, hi], minUpSeconds }
}

function parseChecks(
  top: Fields,
  nodes: readonly NodeSpec[],
  partitions: readonly PartitionSpec[]
): CheckWithExpectation[] {
  const out: CheckWithExpectation[] = []
  const byName = new Map(nodes.map(n => [n.name, n]))
  const node = (f: Fields, key: string, v?: unknown): NodeSpec => {
    const name = v === undefined ? f.str(key) : v
    const spec = typeof name === 'string' ? byName.get(name) : undefined
    if (spec === undefined) throw new TopologyError(f.at(key), `no node ${JSON.stringify(name)}`)
    return spec
  }
  const partition = (f: Fields, key: string): string | null => {
    if (!f.has(key)) return null
    const p = f.str(key)
    if (!partitions.some(x => x.name === p)) throw new TopologyError(f.at(key), `no partition "${p}"`)
    return p
  }
  const learnsTask = (f: Fields, key: string, n: NodeSpec, task: string): void => {
    if (!n.tasks.includes(task))
      throw new TopologyError(f.at(key), `"${n.name}" never meets "${task}" (not in its tasks)`)
  }
  top.list('checks').forEach((v, i) => {
    const f = Fields.of(v, `checks[${i}]`)
    const name = f.name('name', CHECK_NAME, 40)
    if (out.some(c => c.name === name) || (AUTOMATIC_CHECKS as readonly string[]).includes(name))
      throw new TopologyError(f.at('name'), `duplicate or reserved check name "${name}"`)
    const kind = f.str('kind')
    const within = (): number | null => f.optNum('withinSeconds', 1, 7200)
    let check: CheckSpec
    switch (kind) {
      case 'connected': {
        const to = f.has('to') ? node(f, 'to').name : null
        const list = f.has('nodes')
          ? f.strings('nodes').map((n, k) => node(f, `nodes[${k}]`, n).name)
          : nodes.map(n => n.name).filter(n => n !== to)
        check = { kind, name, nodes: list, to, minPeers: f.int('minPeers', 1, MAX_NODES, 1), withinSeconds: within() }
        break
      }
      case 'adopted': {
        const adoptions = f.list('adoptions').map((a, k) => {
          const g = Fields.of(a, `${f.at('adoptions')}[${k}]`)
          const n = node(g, 'node')
          const task = g.str('task')
          learnsTask(g, 'task', n, task)
          const origin = g.has('origin') ? node(g, 'origin').name : null
          if (origin !== null && n.role !== 'learner')
            throw new TopologyError(
              g.at('origin'),
              'the origin of a mask is known only on learners (evaluators keep none)'
            )
          g.done()
          return { node: n.name, task, origin }
        })
        if (adoptions.length === 0) throw new TopologyError(f.at('adoptions'), 'must list at least one adoption')
        const afterHeal = partition(f, 'afterHeal')
        const beforeHeal = partition(f, 'beforeHeal')
        if (afterHeal !== null && beforeHeal !== null)
          throw new TopologyError(f.at('beforeHeal'), 'give afterHeal or beforeHeal, not both')
        check = { kind, name, adoptions, afterHeal, beforeHeal, withinSeconds: within() }
        break
      }
      case 'direct': {
        const between = f.strings('between')
        if (between.length !== 2 || between[0] === between[1])
          throw new TopologyError(f.at('between'), 'must name two different nodes')
        const pair = between.map((n, k) => node(f, `between[${k}]`, n).name) as [string, string]
        check = { kind, name, between: pair, note: f.str('note', ''), withinSeconds: within() }
        break
      }
      case 'relayed': {
        const between = f.strings('between')
        if (between.length !== 2 || between[0] === between[1])
          throw new TopologyError(f.at('between'), 'must name two different nodes')
        const pair = between.map((n, k) => node(f, `between[${k}]`, n).name) as [string, string]
        check = { kind, name, between: pair, withinSeconds: within() }
        break
      }
      case 'adopted-over-relay': {
        const n = node(f, 'node')
        const task = f.str('task')
        learnsTask(f, 'task', n, task)
        const from = node(f, 'from')
        if (from.name === n.name) throw new TopologyError(f.at('from'), 'must name another node')
        if (from.role !== 'learner')
          throw new TopologyError(f.at('from'), `"${from.name}" is an evaluator: it serves no masks`)
        const relay = f.has('relay') ? node(f, 'relay').name : null
        check = { kind, name, node: n.name, task, from: from.name, relay, withinSeconds: within() }
        break
      }
      case 'holds': {
        const n = node(f, 'node')
        const task = f.str('task')
        learnsTask(f, 'task', n, task)
        if (n.role !== 'learner')
          throw new TopologyError(f.at('node'), `"${n.name}" is an evaluator: it holds no masks`)
        check = { kind, name, node: n.name, task, beforeHeal: partition(f, 'beforeHeal'), withinSeconds: within() }
        break
      }
      case 'no-masks-lost':
        check = { kind, name }
        break
      case 'collective-target': {
        const n = node(f, 'node')
        if (n.role !== 'evaluator') throw new TopologyError(f.at('node'), `"${n.name}" must be an evaluator`)
        check = { kind, name, node: n.name, target: f.optNum('target', 0, 1000) }
        break
      }
      case 'memory':
        check = { kind, name, maxMB: f.num('maxMB', 16, 65536) }
        break
      case 'traffic':
        check = { kind, name, maxGossipBytesPerMinute: f.optNum('maxGossipBytesPerMinute', 1, 1e12) }
        break
      case 'fetch-latency': {
        const from = node(f, 'from').name
        const to = node(f, 'to')
        if (to.role !== 'learner')
          throw new TopologyError(f.at('to'), `"${to.name}" is an evaluator: it serves no masks`)
        const task = f.str('task')
        learnsTask(f, 'task', to, task)
        check = {
          kind,
          name,
          from,
          to: to.name,
          task,
          count: f.int('count', 1, 500),
          timeoutMs: f.int('timeoutMs', 100, 600_000, 20_000)
        }
        break
      }
      default:
        throw new TopologyError(
          f.at('kind'),
          `unknown check kind "${kind}" (connected, adopted, adopted-over-relay, direct, relayed, holds, no-masks-lost, collective-target, memory, traffic, fetch-latency)`
        )
    }
    const expectFailure = f.has('expectFailure') ? f.str('expectFailure') : null
    if (expectFailure !== null && expectFailure.trim() === '')
      throw new TopologyError(f.at('expectFailure'), 'must say why the check is expected to fail')
    f.done()
    out.push({ ...check, expectFailure })
  })
  if (out.some(c => c.kind === 'no-masks-lost') && !top.has('churn'))
    throw new TopologyError('checks', 'no-masks-lost needs a churn schedule')
  return out
}
