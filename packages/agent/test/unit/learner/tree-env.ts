import type { Env, StepResult } from '../../../src/envs/env.js'
import type { TaskSpec } from '../../../src/envs/task.js'
import { deriveStream } from '../../../src/rng/prng.js'

/**
 * A small stand-in for the CT-graph (environments.md §2) used by the learner's tests and
 * benchmarks: depth-2 binary tree, 12×12 uint8 images per state (random 4×4 cells upscaled ×3,
 * from an image seed), home → wait → decision → wait → decision → wait → end → done.
 * Action 0 advances a wait state, actions 1..2 pick a branch at a decision; anything else
 * crashes (reward 0, done). Entering the goal leaf pays 1, and the episode ends one step later.
 */
export class TreeEnv implements Env {
  readonly observationSize = 144
  readonly numActions = 3
  private readonly images: Uint8Array[]
  private readonly depth = 2
  private type: 'home' | 'wait' | 'decision' | 'end' | 'none' = 'none'
  private path: number[] = []

  constructor (imageSeed: number, readonly goal: readonly number[]) {
    const rng = deriveStream(imageSeed, 'tree-env/images')
    this.images = Array.from({ length: 16 }, () => {
      const cells = Array.from({ length: 16 }, () => rng.nextInt(256))
      const img = new Uint8Array(144)
      for (let r = 0; r < 12; r++) for (let c = 0; c < 12; c++) img[r * 12 + c] = cells[Math.floor(r / 3) * 4 + Math.floor(c / 3)]!
      return img
    })
  }

  private index (): number {
    let v = 0
    if (this.path.length > 0) { v = 1 << this.path.length; this.path.forEach((p, i) => { v += p << (this.path.length - 1 - i) }) }
    return Math.max(v - 1, 0)
  }

  private observe (): Uint8Array {
    switch (this.type) {
      case 'home': return this.images[0]!
      case 'wait': return this.images[2 + (this.index() % 7)]!
      case 'decision': return this.images[9 + (this.index() % 3)]!
      default: {
        const img = this.images[12 + (this.index() % 4)]!.slice()
        const hit = this.path.every((p, i) => p === this.goal[i])
        for (let r = 3; r < 9; r++) for (let c = 3; c < 9; c++) img[r * 12 + c] = hit ? 254 : 0
        return img
      }
    }
  }

  reset (): Uint8Array {
    this.type = 'home'
    this.path = []
    return this.observe()
  }

  step (action: number): StepResult {
    if (this.type === 'none') throw new Error('reset first')
    const crash = (): StepResult => { this.type = 'none'; return { observation: this.images[1]!, reward: 0, terminated: true, truncated: false } }
    switch (this.type) {
      case 'home':
        this.type = 'wait'
        return { observation: this.observe(), reward: 0, terminated: false, truncated: false }
      case 'wait':
        if (action !== 0) return crash()
        if (this.path.length < this.depth) {
          this.type = 'decision'
          return { observation: this.observe(), reward: 0, terminated: false, truncated: false }
        }
        this.type = 'end'
        return { observation: this.observe(), reward: this.path.every((p, i) => p === this.goal[i]) ? 1 : 0, terminated: false, truncated: false }
      case 'decision':
        if (action === 0) return crash()
        this.path.push(action - 1)
        this.type = 'wait'
        return { observation: this.observe(), reward: 0, terminated: false, truncated: false }
      default:
        this.type = 'none'
        return { observation: this.images[0]!, reward: 0, terminated: true, truncated: false }
    }
  }
}

/** Task t of a 16-task curriculum like the meta CT-graph: image seed 1 + ⌊t/4⌋, goal leaf t mod 4. */
export function treeTask (t: number): TaskSpec {
  const imageSeed = 1 + Math.floor(t / 4)
  const leaf = t % 4
  const goal = [leaf >> 1, leaf & 1]
  return {
    key: `tree/d2b2/img${imageSeed}/leaf${goal.join('')}`,
    family: 'ctgraph',
    observationSize: 144,
    numActions: 3,
    observationScale: 1 / 255,
    optimalReturn: 1,
    createEnv: () => new TreeEnv(imageSeed, goal)
  }
}
