/**
 * New-task mask modes (docs/reference-fidelity.md §1.5):
 *  - 'random': the new task starts from its own random scores (the L2D2-C release, "MASK RI").
 *  - 'lc': linear combination of the t earlier masks and the new one; beta logits start equal
 *    (1/(t+1) each, as L2D2-C), so the softmax weights start uniform at 1/(t+1).
 *  - 'blc': balanced LC (modulating-masks paper): logits log(0.5) for the new mask and log(0.5/t)
 *    for each earlier one, so the new mask starts with weight 0.5.
 * While an LC/BLC task trains, the effective scores of each layer are
 * Σ_{i<t} softmax(β)_i · stopgrad(S_i) + softmax(β)_t · S_t, with the mask 1[· >= 0]; gradients reach
 * β and S_t only. At task end the combination is written into S_t (consolidation), so the stored
 * mask is self-contained and no longer depends on the earlier ones.
 */
export type NewMaskMode = 'random' | 'lc' | 'blc'

export const NEW_MASK_MODES: readonly NewMaskMode[] = ['random', 'lc', 'blc']
/** As the L2D2-C release: each new task starts from its own random scores. */
export const DEFAULT_NEW_MASK_MODE: NewMaskMode = 'random'

/** Initial beta logits for a task with `numEarlier` earlier masks: [earlier..., new]. */
export function initialBetaLogits(mode: Exclude<NewMaskMode, 'random'>, numEarlier: number): Float32Array {
  const n = numEarlier + 1
  const logits = new Float32Array(n)
  if (mode === 'lc') {
    logits.fill(1 / n)
  } else {
    logits.fill(numEarlier > 0 ? Math.log(0.5 / numEarlier) : 0)
    logits[numEarlier] = numEarlier > 0 ? Math.log(0.5) : 0
  }
  return logits
}

/** Numerically stable softmax in float64. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!)
  const out = new Float64Array(logits.length)
  let sum = 0
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max)
    sum += out[i]!
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum
  return out
}

/**
 * Which layers of a new LC/BLC task are combinations of earlier masks:
 *  - 'all': every layer, heads included (the reference's LC). An earlier task's trained heads carry
 *    its confident policy into the new task; when that policy is wrong for the new task (same
 *    images, another goal) the agent may never see a reward again. Measured on the meta CT-graph:
 *    BLC 'all' failed 1 of 32 task runs (tasks 1–3 of an image set took up to 25,000 steps), LC
 *    'all' failed 11 of 32.
 *  - 'body' (default): the body layers are combinations, the policy and value heads start from the
 *    new task's own initial scores. The features transfer, the decisions are relearnt: BLC 'body'
 *    solved 32 of 32, and tasks 9–16 took ~15% fewer steps than from random initial masks.
 */
export type CombineLayers = 'body' | 'all'
