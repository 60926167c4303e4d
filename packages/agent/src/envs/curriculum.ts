import { isUint32 } from '../rng/errors.js'
import { deriveStream } from '../rng/prng.js'
import { parseTaskKey, TaskKeyError } from './task-key.js'

/**
 * Curricula: which tasks each agent meets, in which order, for how many env steps each.
 * Like the reference's shell.json (docs/reference-fidelity.md §5.2), but tasks are named by their
 * canonical keys (self-describing, no separate env config that can drift), and the
 * document is validated strictly: unknown fields, bad values and incompatible tasks are
 * refused with the JSON path of the problem.
 *
 *   {
 *     "version": 1,
 *     "name": "meta-ctgraph-rotated",          (optional)
 *     "stepsPerTask": 25600,                   (default for every agent)
 *     "agents": [
 *       { "tasks": ["ctgraph/d2b2/img1/leaf00", ...], "stepsPerTask": 12800, "seed": 7 },
 *       ...
 *     ]
 *   }
 */

export interface AgentCurriculum {
  readonly tasks: readonly string[]
  /** Env steps (summed over parallel envs) spent on each task. */
  readonly stepsPerTask: number
  /** Seed of this agent's learner, if the document fixes it. */
  readonly seed?: number
}

export interface Curriculum {
  readonly version: 1
  readonly name?: string
  /** Free text for people; carried through, never interpreted. */
  readonly description?: string
  readonly stepsPerTask: number
  readonly agents: readonly AgentCurriculum[]
}

/** What curriculum validation needs to know about a task (its network shape). */
export interface TaskShape {
  readonly observationSize: number
  readonly numActions: number
}

export class CurriculumError extends Error {
  constructor(
    readonly path: string,
    reason: string
  ) {
    super(`${path === '' ? 'curriculum' : path}: ${reason}`)
    this.name = 'CurriculumError'
  }
}

export const MAX_STEPS_PER_TASK = 1_000_000_000
export const MAX_TASKS_PER_AGENT = 100_000
export const MAX_AGENTS = 10_000

const TOP_KEYS = new Set(['version', 'name', 'description', 'stepsPerTask', 'agents'])
const AGENT_KEYS = new Set(['tasks', 'stepsPerTask', 'seed'])

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, path: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k))
      throw new CurriculumError(path === '' ? k : `${path}.${k}`, `unknown field (allowed: ${[...allowed].join(', ')})`)
  }
}

function positiveInt(v: unknown, path: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    throw new CurriculumError(path, `must be an integer in 1..${max}, got ${JSON.stringify(v)}`)
  return v
}

/**
 * Validates a parsed JSON curriculum. With `describeTask`, also checks that every task of the
 * curriculum has the same observation size and action count: masks are only exchangeable
 * between agents that share one backbone.
 */
export function parseCurriculum(doc: unknown, describeTask?: (key: string) => TaskShape): Curriculum {
  if (!isObject(doc)) throw new CurriculumError('', 'must be a JSON object')
  checkKeys(doc, TOP_KEYS, '')
  if (doc.version !== 1) throw new CurriculumError('version', `must be 1, got ${JSON.stringify(doc.version)}`)
  if (doc.name !== undefined && typeof doc.name !== 'string') throw new CurriculumError('name', 'must be a string')
  if (doc.description !== undefined && typeof doc.description !== 'string')
    throw new CurriculumError('description', 'must be a string')
  const stepsPerTask = positiveInt(doc.stepsPerTask, 'stepsPerTask', MAX_STEPS_PER_TASK)
  if (!Array.isArray(doc.agents) || doc.agents.length === 0)
    throw new CurriculumError('agents', 'must be a non-empty array')
  if (doc.agents.length > MAX_AGENTS) throw new CurriculumError('agents', `at most ${MAX_AGENTS} agents`)
  let shape: { key: string; shape: TaskShape } | null = null
  const agents = doc.agents.map((a: unknown, i: number): AgentCurriculum => {
    const path = `agents[${i}]`
    if (!isObject(a)) throw new CurriculumError(path, 'must be an object')
    checkKeys(a, AGENT_KEYS, path)
    if (!Array.isArray(a.tasks) || a.tasks.length === 0)
      throw new CurriculumError(`${path}.tasks`, 'must be a non-empty array of task keys')
    if (a.tasks.length > MAX_TASKS_PER_AGENT)
      throw new CurriculumError(`${path}.tasks`, `at most ${MAX_TASKS_PER_AGENT} tasks`)
    const tasks = a.tasks.map((t: unknown, j: number) => {
      const tp = `${path}.tasks[${j}]`
      if (typeof t !== 'string') throw new CurriculumError(tp, `must be a task key string, got ${JSON.stringify(t)}`)
      try {
        parseTaskKey(t)
      } catch (err) {
        if (err instanceof TaskKeyError) throw new CurriculumError(tp, err.message)
        throw err
      }
      if (describeTask !== undefined) {
        let s: TaskShape
        try {
          s = describeTask(t)
        } catch (err) {
          throw new CurriculumError(tp, (err as Error).message)
        }
        if (shape === null) {
          shape = { key: t, shape: s }
        } else if (s.observationSize !== shape.shape.observationSize || s.numActions !== shape.shape.numActions) {
          throw new CurriculumError(
            tp,
            `${t} has ${s.observationSize} inputs and ${s.numActions} actions, but ${shape.key} has ${shape.shape.observationSize} and ${shape.shape.numActions}: all tasks of a curriculum must share one network shape so masks can be exchanged`
          )
        }
      }
      return t
    })
    const agent: { tasks: string[]; stepsPerTask: number; seed?: number } = {
      tasks,
      stepsPerTask:
        a.stepsPerTask === undefined
          ? stepsPerTask
          : positiveInt(a.stepsPerTask, `${path}.stepsPerTask`, MAX_STEPS_PER_TASK)
    }
    if (a.seed !== undefined) {
      if (!isUint32(a.seed)) throw new CurriculumError(`${path}.seed`, 'must be an integer in 0..4294967295')
      agent.seed = a.seed
    }
    return agent
  })
  const out: { version: 1; name?: string; description?: string; stepsPerTask: number; agents: AgentCurriculum[] } = {
    version: 1,
    stepsPerTask,
    agents
  }
  if (typeof doc.name === 'string') out.name = doc.name
  if (typeof doc.description === 'string') out.description = doc.description
  return out
}

/** Parses curriculum JSON text, reporting syntax errors as CurriculumError. */
export function parseCurriculumJson(text: string, describeTask?: (key: string) => TaskShape): Curriculum {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new CurriculumError('', `not valid JSON: ${(err as Error).message}`)
  }
  return parseCurriculum(doc, describeTask)
}

/** Every agent meets the tasks in the same order (the reference's sequential curricula). */
export function sameOrderCurriculum(
  tasks: readonly string[],
  agents: number,
  stepsPerTask: number,
  describeTask?: (key: string) => TaskShape
): Curriculum {
  return parseCurriculum({ version: 1, stepsPerTask, agents: agentList(agents, () => [...tasks]) }, describeTask)
}

/**
 * Agent i meets the same tasks starting at a different place: by default the starts are
 * spread evenly (agent i starts at task i*floor(T/N)), so N agents cover all tasks early and
 * each can later fetch what another already learned. `offset` overrides the start, e.g.
 * i => -i reproduces the reference's shell_16x16 (starts 0, 15, 14, ...).
 */
export function rotatedCurriculum(
  tasks: readonly string[],
  agents: number,
  stepsPerTask: number,
  offset?: (agent: number) => number,
  describeTask?: (key: string) => TaskShape
): Curriculum {
  const t = tasks.length
  const start = offset ?? ((i: number) => i * Math.max(1, Math.floor(t / agents)))
  return parseCurriculum(
    {
      version: 1,
      stepsPerTask,
      agents: agentList(agents, i => {
        const s = ((start(i) % t) + t) % t
        return tasks.map((_, j) => tasks[(s + j) % t])
      })
    },
    describeTask
  )
}

/**
 * Each agent draws `length` tasks uniformly at random (with replacement), like the
 * reference's tools/curriculum.py, from the stream (seed, 'curriculum/random'): one seed, one curriculum.
 */
export function randomCurriculum(
  tasks: readonly string[],
  agents: number,
  length: number,
  stepsPerTask: number,
  seed: number,
  describeTask?: (key: string) => TaskShape
): Curriculum {
  positiveInt(length, 'length', MAX_TASKS_PER_AGENT)
  if (!isUint32(seed))
    throw new CurriculumError('seed', `must be an integer in 0..4294967295, got ${JSON.stringify(seed)}`)
  if (tasks.length === 0) throw new CurriculumError('tasks', 'at least one task is needed to draw from')
  const prng = deriveStream(seed, 'curriculum/random')
  return parseCurriculum(
    {
      version: 1,
      stepsPerTask,
      agents: agentList(agents, () => Array.from({ length }, () => tasks[prng.nextInt(tasks.length)]))
    },
    describeTask
  )
}

/**
 * The agents array of a generated document. Only the count is checked here, before anything is
 * allocated; everything else is left to parseCurriculum, the one validator.
 */
function agentList(agents: number, tasksOf: (agent: number) => unknown[]): Array<{ tasks: unknown[] }> {
  positiveInt(agents, 'agents', MAX_AGENTS)
  return Array.from({ length: agents }, (_, i) => ({ tasks: tasksOf(i) }))
}
