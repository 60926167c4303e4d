import { DeltaBase, type DeltaBaseLayerInput, type LayerSpec as MaskLayerSpec } from '@l2d2c/protocol'
import { backboneLayers, computeBackboneId, DEFAULT_BACKBONE_SEED } from '../learner/backbone.js'
import { deriveStream } from '../rng/prng.js'
import { type BackboneShape, scoreStreamLabel } from './score-init.js'
import { BoundedMemo } from '../util/memo.js'

/**
 * A task's initial binary mask and the DELTA encoding's base (docs/delta-encoding.md), from
 * (backbone, task key) alone. Each weight's initial score is s = (2u/2^32 − 1)/sqrt(fan_in) for
 * the u32 draw u of its layer's stream (initialTaskScores); from u directly, in integers:
 *  - initial bit: s >= 0 exactly when u >= 2^31, i.e. the top bit of u;
 *  - class: min(7, |u − 2^31| >> 28), i.e. floor(8·|s|·sqrt(fan_in)) capped at 7: how far the score
 *    starts from the threshold, in eighths of its range. Training flips class-0 weights far more
 *    often than class-7 ones, which the DELTA coder exploits.
 * Integers keep the base exact on every implementation (no float rounding at class boundaries).
 */
export function initialMaskBase(backbone: BackboneShape, taskKey: string): DeltaBase {
  return new DeltaBase(taskKey, backbone.id, initialMaskLayers(backbone, taskKey))
}

function initialMaskLayers(backbone: BackboneShape, taskKey: string): DeltaBaseLayerInput[] {
  return backbone.layers.map(layer => {
    const rng = deriveStream(backbone.seed, scoreStreamLabel(backbone.id, taskKey, layer.name))
    const n = layer.outSize * layer.inSize
    const initialBits = new Uint8Array(n)
    const classes = new Uint8Array(n)
    for (let k = 0; k < n; k++) {
      const u = rng.nextUint32()
      initialBits[k] = u >>> 31
      classes[k] = Math.min(7, Math.floor(Math.abs(u - 0x80000000) / 0x10000000))
    }
    return { initialBits, classes }
  })
}

/** The initial binary mask of (backbone, task): per layer, one 0/1 per weight (1 = starts on). */
export function initialMaskBits(backbone: BackboneShape, taskKey: string): Uint8Array[] {
  return initialMaskLayers(backbone, taskKey).map(l => l.initialBits)
}

/** A mask whose backbone cannot be rebuilt here; `code` says why. */
export class MaskBackboneError extends Error {
  constructor(
    readonly code: 'not-a-backbone' | 'seed-mismatch',
    message: string
  ) {
    super(message)
    this.name = 'MaskBackboneError'
  }
}

/**
 * The backbone a mask was made on, from its header: the shape comes from the layer table
 * (body.0..body.N-1, policy, value), the seed from the caller (default 9157, every node's), and
 * the result is checked by recomputing the backbone id. A mismatch means the mask comes from a
 * backbone with another seed (or is not an l2d2c backbone's at all), and says so.
 */
export function backboneOfMask(
  header: { readonly backboneId: string; readonly layers: readonly MaskLayerSpec[] },
  seed: number = DEFAULT_BACKBONE_SEED
): BackboneShape {
  const table = header.layers.map(l => `${l.name}[${l.shape.join('x')}]`).join(', ')
  const notOurs = (why: string) =>
    new MaskBackboneError('not-a-backbone', `the mask's layer table (${table}) is not an l2d2c backbone's: ${why}`)
  const ls = header.layers
  if (ls.length < 3 || ls.some(l => l.shape.length !== 2)) throw notOurs('expected 3 or more [out, in] layers')
  const body = ls.slice(0, -2)
  let layers: ReturnType<typeof backboneLayers>
  try {
    layers = backboneLayers({
      inputSize: body[0]!.shape[1]!,
      numActions: ls[ls.length - 2]!.shape[0]!,
      hiddenSizes: body.map(l => l.shape[0]!)
    })
  } catch (err) {
    throw notOurs((err as Error).message)
  }
  const same =
    layers.length === ls.length &&
    layers.every((l, i) => l.name === ls[i]!.name && l.outSize === ls[i]!.shape[0] && l.inSize === ls[i]!.shape[1])
  if (!same) throw notOurs(`expected ${layers.map(l => `${l.name}[${l.outSize}x${l.inSize}]`).join(', ')}`)
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new MaskBackboneError('seed-mismatch', `a backbone seed is a non-negative integer, got ${seed}`)
  const id = computeBackboneId(layers, seed)
  if (id !== header.backboneId)
    throw new MaskBackboneError(
      'seed-mismatch',
      `the mask's backbone ${header.backboneId} is not the backbone of seed ${seed} with its layer table (${id}): give the backbone seed the mask was trained with`
    )
  return { id, seed, layers }
}

/** The DELTA base of a mask, from its header (task key, backbone id, layer table) and the backbone seed. */
export function deltaBaseOfMask(
  header: { readonly taskKey: string; readonly backboneId: string; readonly layers: readonly MaskLayerSpec[] },
  seed: number = DEFAULT_BACKBONE_SEED
): DeltaBase {
  return initialMaskBase(backboneOfMask(header, seed), header.taskKey)
}

/** Builds the DELTA base of a mask's task from its header, or null when this node cannot rebuild it. */
export type DeltaBaseProvider = (header: {
  readonly taskKey: string
  readonly backboneId: string
  readonly layers: readonly MaskLayerSpec[]
}) => DeltaBase | null

/** Task bases kept by a provider: 109,600 weights take 219 kB as base, 16 tasks 3.5 MB. */
const BASES_KEPT = 32

/**
 * The DELTA bases a node can rebuild: those of masks made on the backbone of `seed` (any
 * other backbone, or a layer table that is not an l2d2c backbone's, gives null). Each base is
 * built once per (backbone, task) and the most recently used are kept: a mask exchange asks
 * for the same few tasks' bases again and again (about 2 ms each to rebuild).
 */
export function deltaBaseProvider(seed: number = DEFAULT_BACKBONE_SEED): DeltaBaseProvider {
  const bases = new BoundedMemo<DeltaBase | null>(BASES_KEPT)
  return header =>
    bases.get(
      `${header.backboneId}\n${header.taskKey}\n${header.layers.map(l => `${l.name}:${l.shape.join('x')}`).join(',')}`,
      () => {
        try {
          return deltaBaseOfMask(header, seed)
        } catch (err) {
          if (err instanceof MaskBackboneError) return null
          throw err
        }
      }
    )
}
