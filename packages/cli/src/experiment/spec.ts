/**
 * An experiment's spec (a JSON file, experiments/specs/*.json): the tasks, the seeds, and the
 * conditions to run for each seed. Parsed and checked here, before anything runs; a bad spec is
 * a SpecError (exit 2) that names the field. Task lists are expanded by the caller (the
 * catalogue lives in @l2d2c/agent), so this module stays pure.
 */
import { CliError, ExitCode } from '../exit-codes.js'

export type Budget = 'mastery' | 'fixed'
/** The wire encoding the learners ask for ('delta': DELTA, or BITS when the holder cannot make it; docs/delta-encoding.md). */
export type Encoding = 'delta' | 'bits' | 'f16' | 'f32'
/** The daemon's --drop-mode choices (network/mask-exchange/loss.ts LOSS_MODES; a test keeps them equal). */
export const DROP_MODES = ['all', 'queries', 'offers', 'fetches', 'transfers', 'announcements', 'inventories'] as const
export type DropMode = (typeof DROP_MODES)[number]
export type MaskInit = 'random' | 'lc' | 'blc'

/** One condition: N learners (and an evaluator), each setting the same for every seed. */
export interface Condition {
  /** Names its results (letters, digits and dashes). */
  name: string
  learners: number
  /** Whether the learners ask peers for masks (they always serve their own: the evaluator asks). */
  sharing: boolean
  /** 'rotated': learner i starts at task i·⌊K/N⌋ (as the demo and the reference's shell_16x16); 'same': all in catalogue order. */
  curriculum: 'rotated' | 'same'
  budget: Budget
  stepsPerTask: number
  encoding: Encoding
  /** Probability of dropping each outbound message of a learner (messages to the evaluator are exempt). */
  drop: number
  dropMode: DropMode
  maskInit: MaskInit
  /** A condition of the same spec whose agents this one's own-ICR speed-up is measured against (its isolated twin). */
  compareTo: string | null
  /**
   * Transfer: at most this many peers' masks of other tasks a learner imports as the BLC basis
   * of a task nobody holds (the daemon's --import-basis; needs maskInit 'lc' or 'blc'). 0: off.
   */
  importBasis: number
  /**
   * Transfer: teachers learn the spec's `teacherTasks` (rotated among them, sharing on, random
   * initial masks) first; the `learners`, whose figures the run records, start once every
   * teacher has finished its curriculum, and the teachers keep serving. 0: no teachers.
   */
  teachers: number
  /**
   * Pacing (the daemon's --paced, run.ts): no learner trains more than this many env steps
   * beyond the slowest learner of its run still training, so that learners sharing the cores
   * advance in steps together, as each on a machine of its own. 0: unpaced (each as fast as
   * the scheduler lets it).
   */
  paceSteps: number
}

export interface ExperimentSpec {
  name: string
  description: string
  /** Task list as written (keys or catalogue groups), expanded by the caller. */
  tasks: string[]
  /** The teachers' tasks as written (keys or groups; expanded by the caller), null: none. */
  teacherTasks: string[] | null
  /** Use only the first K tasks of the expanded list (null: all). */
  taskCount: number | null
  seeds: number[]
  /** The lone-agent condition every TA, TLA and ILA is measured against (null: none). */
  baseline: string | null
  /** Spacing of the step grid TPOT sums over (per-agent env steps). */
  gridSteps: number
  /** The evaluator's cycle period. */
  evalIntervalMs: number
  /** A run is stopped after this long whatever happens (and marked so). */
  maxMinutesPerRun: number
  conditions: Condition[]
}

export class SpecError extends CliError {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`, ExitCode.USAGE)
    this.name = 'SpecError'
  }
}

const CONDITION_DEFAULTS: Omit<Condition, 'name' | 'learners'> = {
  sharing: true,
  curriculum: 'rotated',
  budget: 'mastery',
  stepsPerTask: 12_800,
  encoding: 'bits',
  drop: 0,
  dropMode: 'all',
  maskInit: 'random',
  compareTo: null,
  importBasis: 0,
  teachers: 0,
  paceSteps: 0
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/

/** Reads fields of one JSON object, each error naming the field's path. */
class Fields {
  private readonly seen = new Set<string>()

  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly path: string,
    private readonly source: string
  ) {}

  fail(key: string, message: string): never {
    throw new SpecError(this.source, `${this.path}${key}: ${message}`)
  }

  private raw(key: string): unknown {
    this.seen.add(key)
    return this.obj[key]
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined
  }

  string(key: string, fallback?: string): string {
    const v = this.raw(key) ?? fallback
    if (typeof v !== 'string') this.fail(key, 'must be a string')
    return v
  }

  int(key: string, min: number, max: number, fallback?: number): number {
    const v = this.raw(key) ?? fallback
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      this.fail(key, `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`)
    return v
  }

  number(key: string, min: number, max: number, fallback?: number): number {
    const v = this.raw(key) ?? fallback
    if (typeof v !== 'number' || !(v >= min && v <= max))
      this.fail(key, `must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`)
    return v
  }

  bool(key: string, fallback?: boolean): boolean {
    const v = this.raw(key) ?? fallback
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false')
    return v
  }

  choice<T extends string>(key: string, choices: readonly T[], fallback?: T): T {
    const v = this.raw(key) ?? fallback
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v))
      this.fail(key, `must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`)
    return v as T
  }

  list(key: string): unknown[] {
    const v = this.raw(key)
    if (!Array.isArray(v) || v.length === 0) this.fail(key, 'must be a non-empty array')
    return v
  }

  object(key: string): Record<string, unknown> {
    const v = this.raw(key) ?? {}
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'must be an object')
    return v as Record<string, unknown>
  }

  /** Unknown fields are errors: a typo must not silently keep a default. */
  done(): void {
    const extra = Object.keys(this.obj).filter(k => !this.seen.has(k))
    if (extra.length > 0) throw new SpecError(this.source, `${this.path}: unknown field(s) ${extra.join(', ')}`)
  }
}

function asObject(v: unknown, path: string, source: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SpecError(source, `${path || 'the spec'} must be a JSON object`)
  return v as Record<string, unknown>
}

function parseCondition(
  raw: unknown,
  index: number,
  defaults: Omit<Condition, 'name' | 'learners'>,
  source: string
): Condition {
  const f: Fields = new Fields(asObject(raw, `conditions[${index}]`, source), `conditions[${index}].`, source)
  const name = f.string('name')
  if (!NAME.test(name)) f.fail('name', `must match ${NAME.source}, got ${JSON.stringify(name)}`)
  const c: Condition = {
    name,
    learners: f.int('learners', 1, 32),
    sharing: f.bool('sharing', defaults.sharing),
    curriculum: f.choice('curriculum', ['rotated', 'same'] as const, defaults.curriculum),
    budget: f.choice('budget', ['mastery', 'fixed'] as const, defaults.budget),
    stepsPerTask: f.int('stepsPerTask', 1, 100_000_000, defaults.stepsPerTask),
    encoding: f.choice('encoding', ['delta', 'bits', 'f16', 'f32'] as const, defaults.encoding),
    drop: f.number('drop', 0, 1, defaults.drop),
    dropMode: f.choice('dropMode', DROP_MODES, defaults.dropMode),
    maskInit: f.choice('maskInit', ['random', 'lc', 'blc'] as const, defaults.maskInit),
    compareTo: f.has('compareTo') ? f.string('compareTo') : defaults.compareTo,
    importBasis: f.int('importBasis', 0, 64, defaults.importBasis),
    teachers: f.int('teachers', 0, 32, defaults.teachers),
    paceSteps: f.int('paceSteps', 0, 100_000_000, defaults.paceSteps)
  }
  if (c.importBasis > 0 && c.maskInit === 'random')
    f.fail('importBasis', `needs maskInit lc or blc (a basis is what they combine), ${name} has random`)
  if (c.importBasis > 0 && !c.sharing) f.fail('importBasis', `needs sharing (the basis comes from peers)`)
  f.done()
  return c
}

/** Parses and checks a spec document; `source` names it in errors (the file path). */
export function parseSpec(doc: unknown, source: string): ExperimentSpec {
  const f: Fields = new Fields(asObject(doc, '', source), '', source)
  const name = f.string('name')
  if (!NAME.test(name)) f.fail('name', `must match ${NAME.source}, got ${JSON.stringify(name)}`)
  const description = f.string('description', '')
  const tasks = f.list('tasks').map((t, i) => {
    if (typeof t !== 'string') f.fail(`tasks[${i}]`, 'must be a task key or catalogue group name')
    return t
  })
  const teacherTasks = f.has('teacherTasks')
    ? f.list('teacherTasks').map((t, i) => {
        if (typeof t !== 'string') f.fail(`teacherTasks[${i}]`, 'must be a task key or catalogue group name')
        return t
      })
    : null
  const taskCount = f.has('taskCount') ? f.int('taskCount', 1, 1000) : null
  const seeds = f.list('seeds').map((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > 1_000_000)
      f.fail(`seeds[${i}]`, 'must be an integer in 0..1000000')
    return s
  })
  if (new Set(seeds).size !== seeds.length) f.fail('seeds', 'must not repeat a seed')
  const d: Fields = new Fields(f.object('defaults'), 'defaults.', source)
  const defaults: Omit<Condition, 'name' | 'learners'> = {
    sharing: d.bool('sharing', CONDITION_DEFAULTS.sharing),
    curriculum: d.choice('curriculum', ['rotated', 'same'] as const, CONDITION_DEFAULTS.curriculum),
    budget: d.choice('budget', ['mastery', 'fixed'] as const, CONDITION_DEFAULTS.budget),
    stepsPerTask: d.int('stepsPerTask', 1, 100_000_000, CONDITION_DEFAULTS.stepsPerTask),
    encoding: d.choice('encoding', ['delta', 'bits', 'f16', 'f32'] as const, CONDITION_DEFAULTS.encoding),
    drop: d.number('drop', 0, 1, CONDITION_DEFAULTS.drop),
    dropMode: d.choice('dropMode', DROP_MODES, CONDITION_DEFAULTS.dropMode),
    maskInit: d.choice('maskInit', ['random', 'lc', 'blc'] as const, CONDITION_DEFAULTS.maskInit),
    compareTo: null,
    importBasis: d.int('importBasis', 0, 64, CONDITION_DEFAULTS.importBasis),
    teachers: d.int('teachers', 0, 32, CONDITION_DEFAULTS.teachers),
    paceSteps: d.int('paceSteps', 0, 100_000_000, CONDITION_DEFAULTS.paceSteps)
  }
  d.done()
  const conditions = f.list('conditions').map((c, i) => parseCondition(c, i, defaults, source))
  const names = new Set<string>()
  for (const c of conditions) {
    if (names.has(c.name)) f.fail('conditions', `two conditions are named ${c.name}`)
    names.add(c.name)
  }
  const baseline = f.has('baseline') ? f.string('baseline') : null
  if (baseline !== null) {
    const b = conditions.find(c => c.name === baseline)
    if (b === undefined) f.fail('baseline', `names no condition: ${baseline}`)
    if (b.learners !== 1)
      f.fail('baseline', `must be a lone-agent condition (1 learner), ${baseline} has ${b.learners}`)
  }
  for (const c of conditions)
    if (c.teachers > 0 && teacherTasks === null)
      throw new SpecError(source, `conditions.${c.name}.teachers: the spec lists no teacherTasks for them to learn`)
  for (const c of conditions)
    if (c.compareTo !== null && !names.has(c.compareTo))
      throw new SpecError(source, `conditions.${c.name}.compareTo names no condition: ${c.compareTo}`)
  const spec: ExperimentSpec = {
    name,
    description,
    tasks,
    teacherTasks,
    taskCount,
    seeds,
    baseline,
    gridSteps: f.int('gridSteps', 1, 10_000_000, 1280),
    evalIntervalMs: f.int('evalIntervalMs', 200, 600_000, 5000),
    maxMinutesPerRun: f.number('maxMinutesPerRun', 0.1, 10_000, 60),
    conditions
  }
  f.done()
  return spec
}

/** One run: a condition with a seed. */
export interface RunPlan {
  condition: Condition
  seed: number
  /** Its folder under the experiment's output: `<condition>/seed-<seed>`. */
  id: string
}

/**
 * Every condition × seed, seed-major: an interrupted experiment has every condition of its
 * first seeds, which the report can already compare.
 */
export function runsOf(spec: ExperimentSpec): RunPlan[] {
  return spec.seeds.flatMap(seed =>
    spec.conditions.map(condition => ({ condition, seed, id: `${condition.name}/seed-${seed}` }))
  )
}
