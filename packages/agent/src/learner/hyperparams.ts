import { ANCHOR_KINDS, type AnchorKind } from './mask-anchor.js'
import type { OptimizerConfig } from './optimizer.js'

export interface PpoConfig {
  /** Parallel environments stepped together (one batched forward per step). */
  readonly numEnvs: number
  /** Steps per environment per iteration; an iteration collects numEnvs · rolloutLength samples. */
  readonly rolloutLength: number
  readonly gamma: number
  /** GAE λ. */
  readonly gaeLambda: number
  readonly clipRatio: number
  readonly entropyCoef: number
  /** Weight of mean((R − V)²) in the loss. */
  readonly valueLossCoef: number
  /** Global gradient-norm clip over the trainable tensors. */
  readonly maxGradNorm: number
  readonly epochs: number
  /** Samples per minibatch (the last minibatch of an epoch takes the remainder). */
  readonly minibatchSize: number
  readonly optimizer: OptimizerConfig
  /** Normalise advantages per iteration: (Â − mean)/(std + 1e-6). */
  readonly normalizeAdvantages: boolean
  /**
   * Value-function target: 'gae' uses λ-returns Â + V (standard PPO); 'discounted' uses the
   * bootstrapped discounted return R_t = r_t + γ(1 − d_t)R_{t+1} (the reference).
   */
  readonly valueTarget: 'gae' | 'discounted'
  /**
   * On a time-limit cut (`truncated`), bootstrap with γ·V(terminal observation) instead of
   * treating it as a terminal state. The reference (gym 0.24 `done`) does not.
   */
  readonly bootstrapTruncated: boolean
  /**
   * Close-to-init training (mask-anchor.ts): the weight λ of a penalty that keeps the task's
   * scores near its reproducible initial scores, the DELTA base, so the mask shared differs
   * from that base in fewer weights. 0: off.
   */
  readonly closeToInit: number
  /** The penalty λ weighs: 'l1' λ·Σ|s − s₀| (the measured best), 'l2' or 'hinge' (see mask-anchor.ts). */
  readonly closeToInitRule: AnchorKind
}

/**
 * The L2D2-C release CT-graph settings (docs/reference-fidelity.md §2.1–2.3). The reference configures
 * 8 epochs × 64 minibatches, but its Batcher bug leaves epochs 2–8 empty: it really runs ONE epoch
 * of 64 minibatches (20 samples each), which is what this preset reproduces. The value loss there is
 * 0.5·mean((R − V)²) with weight 1, i.e. valueLossCoef 0.5.
 */
export const REFERENCE_PPO: PpoConfig = {
  numEnvs: 4,
  rolloutLength: 320,
  gamma: 0.99,
  gaeLambda: 0.99,
  clipRatio: 0.1,
  entropyCoef: 1.5e-4,
  valueLossCoef: 0.5,
  maxGradNorm: 5,
  epochs: 1,
  minibatchSize: 20,
  optimizer: { kind: 'rmsprop', lr: 1.5e-4, alpha: 0.99, eps: 1e-8 },
  normalizeAdvantages: true,
  valueTarget: 'discounted',
  bootstrapTruncated: false,
  closeToInit: 0,
  closeToInitRule: 'l1'
}

/**
 * Defaults chosen on measurements (bench/learner-tune.ts on the 16-task meta CT-graph, single
 * agent from scratch, steps until a 25-episode stochastic evaluation after an iteration reaches
 * 0.9; the reference preset needs 17,920 on average here, the reference itself 19,120):
 *  - Small iterations matter most: 128 samples per update (4 envs × 32 steps) instead of 1,280,
 *    so the policy improves ~10x more often per env step. 256 samples: ~3,000 steps; 64 samples
 *    or 16-step rollouts: slower and some tasks never reach the threshold.
 *  - Two epochs of 32-sample minibatches (8 gradient steps per iteration). A third epoch gains
 *    ~10% for ~30% more update time; one epoch or 64-sample minibatches learn ~2x slower.
 *  - Adam lr 1e-3 (RMSprop 1e-3 and Adam 7e-4 / 1.5e-3 / 3e-3 were slower or less reliable).
 *  - No advantage normalisation: with sparse 0/1 rewards, normalising a batch without a success
 *    blows value noise up to unit scale (1 task in 96 never reached the threshold with it, 0 in
 *    192 without).
 *  - λ-return value targets (the reference's discounted returns were slower), bootstrapping on
 *    time-outs. Everything else as the reference (γ, λ, clip, entropy, gradient clip).
 * Result: mean ≈ 2,350 steps to threshold over 192 task runs (16 tasks × 12 seeded runs), all solved.
 *  - Close-to-init, L1 with λ = 3e-6 (mask-anchor.ts): the mask a task ends with differs from
 *    its initial mask in 3.95 % of weights instead of 6.9 %, so its DELTA encoding takes 2,833 B
 *    instead of 4,017 B, at no measured cost in steps (paired over 128 task runs on seeds not
 *    used to choose λ: +0 steps to threshold, 95 % interval ±249; +55 to confirmed mastery,
 *    −195…+305). docs/delta-encoding.md §11 has the tuning and the report runs.
 */
export const DEFAULT_PPO: PpoConfig = {
  ...REFERENCE_PPO,
  rolloutLength: 32,
  minibatchSize: 32,
  epochs: 2,
  optimizer: { kind: 'adam', lr: 1e-3 },
  normalizeAdvantages: false,
  valueTarget: 'gae',
  bootstrapTruncated: true,
  closeToInit: 3e-6,
  closeToInitRule: 'l1'
}

export type PpoPreset = 'default' | 'reference'

export const PPO_PRESETS: Readonly<Record<PpoPreset, PpoConfig>> = { default: DEFAULT_PPO, reference: REFERENCE_PPO }

/** Every PpoPreset name (for flag and config validation). */
export const PPO_PRESET_NAMES = Object.keys(PPO_PRESETS) as readonly PpoPreset[]
export const DEFAULT_PPO_PRESET: PpoPreset = 'default'

export class PpoConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PpoConfigError'
  }
}

/** Resolves a preset plus overrides and checks every field. */
export function resolvePpoConfig(preset: PpoPreset = 'default', overrides: Partial<PpoConfig> = {}): PpoConfig {
  const base = PPO_PRESETS[preset]
  if (base === undefined) throw new PpoConfigError(`unknown PPO preset '${String(preset)}'`)
  const c: PpoConfig = { ...base, ...overrides }
  const posInt = (v: number, k: string): void => {
    if (!Number.isSafeInteger(v) || v <= 0) throw new PpoConfigError(`${k} must be a positive integer, got ${v}`)
  }
  const unit = (v: number, k: string): void => {
    if (!(v >= 0 && v <= 1)) throw new PpoConfigError(`${k} must be in [0, 1], got ${v}`)
  }
  const nonNeg = (v: number, k: string): void => {
    if (!(v >= 0) || !Number.isFinite(v)) throw new PpoConfigError(`${k} must be a finite number >= 0, got ${v}`)
  }
  posInt(c.numEnvs, 'numEnvs')
  posInt(c.rolloutLength, 'rolloutLength')
  posInt(c.epochs, 'epochs')
  posInt(c.minibatchSize, 'minibatchSize')
  unit(c.gamma, 'gamma')
  unit(c.gaeLambda, 'gaeLambda')
  nonNeg(c.clipRatio, 'clipRatio')
  nonNeg(c.entropyCoef, 'entropyCoef')
  nonNeg(c.valueLossCoef, 'valueLossCoef')
  if (!(c.maxGradNorm > 0)) throw new PpoConfigError(`maxGradNorm must be > 0, got ${c.maxGradNorm}`)
  if (!(c.optimizer.lr > 0)) throw new PpoConfigError(`optimizer.lr must be > 0, got ${c.optimizer.lr}`)
  if (c.optimizer.kind !== 'rmsprop' && c.optimizer.kind !== 'adam')
    throw new PpoConfigError(`unknown optimizer '${String((c.optimizer as { kind: unknown }).kind)}'`)
  nonNeg(c.closeToInit, 'closeToInit')
  if (!ANCHOR_KINDS.includes(c.closeToInitRule))
    throw new PpoConfigError(
      `closeToInitRule must be one of ${ANCHOR_KINDS.join(', ')}, got '${String(c.closeToInitRule)}'`
    )
  if (c.valueTarget !== 'gae' && c.valueTarget !== 'discounted')
    throw new PpoConfigError(`valueTarget must be 'gae' or 'discounted'`)
  return c
}
