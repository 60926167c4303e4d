import { CtGraphEnv, l2d2cCtGraphConfig } from './ct-graph.js'
import { CT_GRAPH_IMAGE_PIXELS } from './ct-graph-images.js'
import { MiniGridEnv } from './minigrid/env.js'
import { layoutFor } from './minigrid/layout-cache.js'
import { optimalReturn } from './minigrid/optimal.js'
import { parseMiniGridName } from './minigrid/spec.js'
import { BoundedMemo } from '../util/memo.js'
import { OBSERVATION_SIZE as MINIGRID_OBSERVATION_SIZE } from './minigrid/view.js'
import type { TaskFamily, TaskSpec } from './task.js'
import {
  META_CTGRAPH_TASKS,
  MINIGRID_CROSSING_TASKS,
  parseTaskKey,
  TaskKeyError,
  type TaskDescriptor
} from './task-key.js'

/**
 * The task catalogue: a TaskSpec (environment factory, network shape, normalisation, optimal
 * return) for any valid task key. Specs are cached: building one generates the CT-graph image
 * dataset or solves the MiniGrid layout once.
 */

/** Observation scaling of the reference (ImageNormalizer 1/255, RescaleNormalizer 1/10). */
const CTGRAPH_SCALE = 1 / 255
const MINIGRID_SCALE = 0.1

const specs = new BoundedMemo<TaskSpec>(4096)

export function taskSpec(key: string): TaskSpec {
  return specs.get(key, () => buildSpec(parseTaskKey(key)))
}

function buildSpec(d: TaskDescriptor): TaskSpec {
  if (d.family === 'ctgraph') {
    const config = l2d2cCtGraphConfig(d.depth, d.branching, d.imageSeed)
    return {
      key: d.key,
      family: 'ctgraph',
      observationSize: CT_GRAPH_IMAGE_PIXELS,
      numActions: d.branching + 1,
      observationScale: CTGRAPH_SCALE,
      optimalReturn: config.highRewardValue,
      createEnv: () => new CtGraphEnv(config, d.goalPath)
    }
  }
  const spec = parseMiniGridName(d.envName)
  const best = optimalReturn(spec, layoutFor(spec, d.layoutSeed))
  if (!(best > 0)) throw new TaskKeyError(d.key, 'the goal of this layout is unreachable')
  return {
    key: d.key,
    family: 'minigrid',
    observationSize: MINIGRID_OBSERVATION_SIZE,
    numActions: spec.numActions,
    observationScale: MINIGRID_SCALE,
    optimalReturn: best,
    createEnv: () => new MiniGridEnv(spec, { layoutSeed: d.layoutSeed })
  }
}

export interface CatalogueEntry {
  readonly key: string
  readonly family: TaskFamily
  readonly group: string
  readonly description: string
}

/**
 * Named task families users can pick from (`l2d2c env list`). Any other valid key works too:
 * these are the curricula of the paper and handy variants.
 */
export function catalogue(): CatalogueEntry[] {
  const entries: CatalogueEntry[] = META_CTGRAPH_TASKS.map((key, t) => ({
    key,
    family: 'ctgraph',
    group: 'meta-ctgraph',
    description: `16-task meta CT-graph, task ${t}: image seed ${Math.floor(t / 4) + 1}, goal leaf ${key.slice(-2)}`
  }))
  entries.push({
    key: 'ctgraph/d4b2/img1/leaf0000',
    family: 'ctgraph',
    group: 'ctgraph-d4',
    description: 'depth-4 CT-graph (64 images), a hard sparse task (shell_d4)'
  })
  entries.push({
    key: 'ctgraph/d2b3/img1/leaf00',
    family: 'ctgraph',
    group: 'ctgraph-b3',
    description: 'branching-3 CT-graph (28 images, 4 actions)'
  })
  for (const key of MINIGRID_CROSSING_TASKS)
    entries.push({
      key,
      family: 'minigrid',
      group: 'minigrid-crossing',
      description: `SimpleCrossing curriculum of the paper (${key.split('/')[1] ?? ''}, layout seed 9157)`
    })
  for (const seed of [860, 861]) {
    for (const name of [
      'SimpleCrossingS9N1',
      'SimpleCrossingS9N2',
      'SimpleCrossingS9N3',
      'LavaCrossingS9N1',
      'LavaCrossingS9N2'
    ]) {
      entries.push({
        key: `minigrid/${name}/seed${seed}`,
        family: 'minigrid',
        group: 'minigrid-mg10',
        description: `MG10 curriculum (2023-03): ${name}, layout seed ${seed}`
      })
    }
  }
  entries.push({
    key: 'minigrid/LavaCrossingS9N3/seed9157',
    family: 'minigrid',
    group: 'minigrid-lava',
    description: 'LavaCrossing with three lava rivers'
  })
  entries.push({
    key: 'minigrid/LavaCrossingS11N5/seed9157',
    family: 'minigrid',
    group: 'minigrid-lava',
    description: 'LavaCrossing 11x11 with five lava rivers'
  })
  entries.push({
    key: 'minigrid/DoorKey-5x5/seed9157',
    family: 'minigrid',
    group: 'minigrid-doorkey',
    description: 'DoorKey 5x5 (7 actions)'
  })
  return entries
}

/** An item of a task list that is neither a catalogue group nor a valid task key. */
export class TaskListError extends TaskKeyError {
  constructor(
    readonly index: number,
    item: string,
    reason: string
  ) {
    super(item, reason)
    this.name = 'TaskListError'
  }
}

/**
 * Expands a user's task list (`train --task-set`, `daemon --tasks`): a catalogue group name
 * (`meta-ctgraph`, `minigrid-crossing`, ...) becomes its keys in catalogue order, any other item
 * must be a valid task key. One helper so every command accepts the same lists.
 */
export function expandTaskList(items: readonly unknown[]): string[] {
  const groups = new Map<string, string[]>()
  for (const e of catalogue()) groups.set(e.group, [...(groups.get(e.group) ?? []), e.key])
  return items.flatMap((item, index) => {
    if (typeof item !== 'string')
      throw new TaskListError(index, String(item), 'must be a task key or a catalogue group name (a string)')
    const group = groups.get(item)
    if (group !== undefined) return group
    try {
      parseTaskKey(item)
    } catch (err) {
      // A bare word was probably meant as a group name, so list the groups for it.
      const hint = item.includes('/') ? '' : ` (nor a catalogue group: ${[...groups.keys()].join(', ')})`
      if (err instanceof TaskKeyError) throw new TaskListError(index, item, err.reason + hint)
      throw err
    }
    return [item]
  })
}

/** Network shape of a task, for curriculum validation. */
export function taskShape(key: string): { observationSize: number; numActions: number } {
  const s = taskSpec(key)
  return { observationSize: s.observationSize, numActions: s.numActions }
}
