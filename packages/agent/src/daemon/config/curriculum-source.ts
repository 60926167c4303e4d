import { CurriculumError, parseCurriculumJson } from '../../envs/curriculum.js'
import { expandTaskList, TaskListError, taskShape } from '../../envs/registry.js'
import { ConfigError, type ConfigSource } from './daemon-config.js'

/** A setting's value and the layer it came from. */
export interface Picked {
  readonly value: unknown
  readonly source: ConfigSource
}

/** What the curriculum is read with: the layered settings, a checked number, a file reader. */
export interface CurriculumInputs {
  readonly pick: (path: string) => Picked
  readonly num: (path: string, min: number, max: number, integer: boolean) => number
  /** Reads a curriculum file (the daemon passes fs; tests pass a map). */
  readonly readFile?: (path: string) => string
}

/** The agent's curriculum, and what its curriculum file entry says of budget and seed (null: nothing). */
export interface CurriculumChoice {
  readonly tasks: string[]
  /** 'tasks', or `<file>#<agent index>`. */
  readonly source: string
  readonly stepsPerTask: number | null
  readonly seed: number | null
}

export function layerRank(s: ConfigSource): number {
  return { default: 0, file: 1, env: 2, flag: 3 }[s]
}

/**
 * The tasks of this agent: the `tasks` shorthand (task keys and catalogue groups), or entry
 * `agentIndex` of a `curriculum` file. Given in the same layer both are an error; otherwise
 * the higher layer wins (an agent index goes with its layer's curriculum). Every task must
 * need the same network: an agent's tasks share one backbone.
 */
export function curriculumSource(i: CurriculumInputs): CurriculumChoice {
  const tasksPick = i.pick('tasks')
  const curriculumPick = i.pick('curriculum')
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
  let choice: CurriculumChoice
  if (useTasks) choice = fromTasks(i, tasksPick)
  else if (curriculumPick.value !== undefined) choice = fromFile(i, curriculumPick)
  else
    throw new ConfigError(
      'tasks',
      'default',
      'no curriculum: give tasks (e.g. --tasks meta-ctgraph or KEY,KEY) or curriculum FILE'
    )
  const shape = choice.tasks.map(t => ({ t, s: taskShape(t) }))
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
  return choice
}

function fromTasks(i: CurriculumInputs, tasksPick: Picked): CurriculumChoice {
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
  let tasks: string[]
  try {
    tasks = expandTaskList(list)
  } catch (err) {
    if (err instanceof TaskListError) throw new ConfigError(`tasks[${err.index}]`, tasksPick.source, err.message)
    throw err
  }
  const agentIndex = i.pick('agentIndex')
  // An agent index from a lower layer went with that layer's curriculum, which these tasks override.
  if (agentIndex.value !== undefined && layerRank(agentIndex.source) >= layerRank(tasksPick.source))
    throw new ConfigError('agentIndex', agentIndex.source, 'only applies to a curriculum file, not to tasks')
  return { tasks, source: 'tasks', stepsPerTask: null, seed: null }
}

function fromFile(i: CurriculumInputs, curriculumPick: Picked): CurriculumChoice {
  const file = curriculumPick.value
  if (typeof file !== 'string') throw new ConfigError('curriculum', curriculumPick.source, 'must be a file path')
  if (i.readFile === undefined)
    throw new ConfigError('curriculum', curriculumPick.source, 'curriculum files cannot be read here')
  let text: string
  try {
    text = i.readFile(file)
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
  const index = i.pick('agentIndex').value === undefined ? 0 : i.num('agentIndex', 0, c.agents.length - 1, true)
  const agent = c.agents[index]
  if (agent === undefined)
    throw new ConfigError('agentIndex', i.pick('agentIndex').source, `the curriculum has ${c.agents.length} agents`)
  return {
    tasks: [...agent.tasks],
    source: `${file}#${index}`,
    stepsPerTask: agent.stepsPerTask,
    seed: agent.seed ?? null
  }
}
