/**
 * Real trained masks for the codec benchmark (pnpm bench:codec): trained here with the
 * learner's defaults, or read from mask files (`l2d2c train --save-masks DIR`), each with its
 * DELTA base and the fraction of weights that differ from the task's initial mask.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DeltaBase, type Mask, readVerifiedMaskFile } from '@l2d2c/protocol'
import '../src/polyfill.js'
import { taskSpec } from '../src/envs/registry.js'
import { LifelongLearner } from '../src/learner/lifelong-learner.js'
import { deltaBaseOfMask } from '../src/masks/initial-mask.js'

export interface TrainedMask {
  /** Where it comes from: 'trained' (here) or the directory it was read from. */
  readonly source: string
  readonly mask: Mask
  readonly stepsTrained: number
  readonly base: DeltaBase
  /** Time to derive the base from (backbone, task key), the fastest of 3: once per task, then reusable. */
  readonly baseMs: number
  /** Weights that differ from the task's initial mask, and their share of all weights. */
  readonly flips: number
  readonly flipFraction: number
}

/** The default set: the first four meta CT-graph tasks at mastery, and a briefly trained MiniGrid task. */
export const DEFAULT_TRAINING: ReadonlyArray<{ readonly tasks: readonly string[]; readonly steps: number }> = [
  {
    tasks: [
      'ctgraph/d2b2/img1/leaf00',
      'ctgraph/d2b2/img1/leaf01',
      'ctgraph/d2b2/img1/leaf10',
      'ctgraph/d2b2/img1/leaf11'
    ],
    steps: 3840
  },
  { tasks: ['minigrid/SimpleCrossingS9N1/seed9157'], steps: 10_240 }
]

function describe(source: string, mask: Mask, stepsTrained: number, backboneSeed: number): TrainedMask {
  let base = deltaBaseOfMask(mask, backboneSeed)
  let baseMs = Infinity
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    base = deltaBaseOfMask(mask, backboneSeed)
    baseMs = Math.min(baseMs, performance.now() - t0)
  }
  let flips = 0
  let weights = 0
  mask.layers.forEach((l, i) => {
    const bits = base.layers[i]!.initialBits
    for (let k = 0; k < l.scores.length; k++) flips += +(l.scores[k]! >= 0) ^ bits[k]!
    weights += l.scores.length
  })
  return { source, mask, stepsTrained, base, baseMs, flips, flipFraction: flips / weights }
}

/**
 * Trains each group's tasks in order on one learner per group (seed 1, random initial masks:
 * the learner's defaults, as `l2d2c train`), `steps` env steps per task, and exports each
 * task's mask at the end of its training.
 */
export async function trainMasks(
  groups: ReadonlyArray<{ readonly tasks: readonly string[]; readonly steps: number }> = DEFAULT_TRAINING,
  onTask: (taskKey: string) => void = () => {}
): Promise<TrainedMask[]> {
  const out: TrainedMask[] = []
  for (const group of groups) {
    const shape = taskSpec(group.tasks[0]!)
    const learner = await LifelongLearner.create({
      inputSize: shape.observationSize,
      numActions: shape.numActions,
      seed: 1
    })
    try {
      for (const task of group.tasks) {
        onTask(task)
        learner.setTask(task)
        let steps = 0
        while (steps < group.steps) steps = learner.trainIteration().taskSteps
        out.push(describe('trained', learner.exportMask(task), steps, learner.backbone.seed))
      }
    } finally {
      learner.dispose()
    }
  }
  return out
}

/** The masks of every mask file in `dirs` (as `l2d2c train --save-masks` writes them). */
export function readMasks(dirs: readonly string[], backboneSeed: number): TrainedMask[] {
  const out: TrainedMask[] = []
  for (const dir of dirs) {
    for (const name of readdirSync(dir)
      .filter(f => f.endsWith('.l2dm'))
      .sort()) {
      const file = readVerifiedMaskFile(readFileSync(join(dir, name)))
      out.push(describe(dir, file.mask, file.meta.stepsTrained, backboneSeed))
    }
  }
  return out
}
