/**
 * Coders the DELTA encoding was measured against (bench only, not part of the format), on
 * the same flips and the same base:
 *  - Rice without classes: one gap sequence per layer (the DELTA codec with a base whose
 *    classes are all 0), i.e. what ignoring the initial scores' distance costs; and with 4
 *    classes (pairs merged) instead of 8;
 *  - adaptive binary arithmetic coding of the flip bit of every weight, one adaptive
 *    probability per (layer, class): an LZMA-style range coder (11-bit probabilities, shift 4,
 *    the better of 4 and 5 on trained masks);
 *  - the per-class empirical entropy: what any coder using these classes can at best reach.
 */
import { DELTA_CLASSES, DeltaBase, encodeMask, type Mask } from '../src/index.js'

/**
 * Size of the DELTA encoding with the base's classes merged by `merge` (null: larger than BITS):
 * `() => 0` ignores them (one gap sequence per layer), `q => q >> 1` keeps 4 classes.
 */
export function riceWithClasses(mask: Mask, base: DeltaBase, merge: (q: number) => number): number | null {
  const merged = new DeltaBase(
    base.taskKey,
    base.backboneId,
    base.layers.map(l => ({ initialBits: l.initialBits, classes: l.classes.map(merge) }))
  )
  try {
    return encodeMask(mask, 'delta', { base: merged }).length
  } catch {
    return null
  }
}

/** Σ over layers and classes of N_q · H(m_q / N_q), in bytes. */
export function classEntropyBytes(mask: Mask, base: DeltaBase): number {
  let bits = 0
  mask.layers.forEach((l, li) => {
    const b = base.layers[li]!
    const size = new Float64Array(DELTA_CLASSES)
    const flips = new Float64Array(DELTA_CLASSES)
    for (let i = 0; i < l.scores.length; i++) {
      size[b.classes[i]!]!++
      flips[b.classes[i]!]! += +(l.scores[i]! >= 0) ^ b.initialBits[i]!
    }
    for (let q = 0; q < DELTA_CLASSES; q++) {
      const p = flips[q]! / size[q]!
      if (p > 0 && p < 1) bits += size[q]! * -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p))
    }
  })
  return bits / 8
}

const TOP = 2 ** 24
const PROB_BITS = 11
const SHIFT = 4

/** The flip bit of every weight, layer after layer, and the class of each (the coder's context). */
function flipBits(mask: Mask, base: DeltaBase): { flips: Uint8Array; contexts: Uint16Array } {
  const n = mask.layers.reduce((sum, l) => sum + l.scores.length, 0)
  const flips = new Uint8Array(n)
  const contexts = new Uint16Array(n)
  let o = 0
  mask.layers.forEach((l, li) => {
    const b = base.layers[li]!
    for (let i = 0; i < l.scores.length; i++, o++) {
      flips[o] = +(l.scores[i]! >= 0) ^ b.initialBits[i]!
      contexts[o] = li * DELTA_CLASSES + b.classes[i]!
    }
  })
  return { flips, contexts }
}

function rangeEncode(flips: Uint8Array, contexts: Uint16Array, contextCount: number): Uint8Array {
  const prob = new Uint16Array(contextCount).fill(1 << (PROB_BITS - 1))
  const out = new Uint8Array(flips.length / 4 + 16)
  let o = 0
  let low = 0 // < 2^33: a double holds the carry
  let range = 0xffffffff
  let cache = 0
  let cacheSize = 1
  const shiftLow = (): void => {
    if (low < 0xff000000 || low >= 2 ** 32) {
      const carry = low >= 2 ** 32 ? 1 : 0
      let temp = cache
      do {
        out[o++] = (temp + carry) & 0xff
        temp = 0xff
      } while (--cacheSize !== 0)
      cache = Math.floor(low / TOP) & 0xff
    }
    cacheSize++
    low = (low % TOP) * 256
  }
  for (let i = 0; i < flips.length; i++) {
    const c = contexts[i]!
    const p = prob[c]!
    const bound = (range >>> PROB_BITS) * p
    if (flips[i] === 0) {
      range = bound
      prob[c] = p + (((1 << PROB_BITS) - p) >> SHIFT)
    } else {
      low += bound
      range -= bound
      prob[c] = p - (p >> SHIFT)
    }
    while (range < TOP) {
      range = (range * 256) >>> 0
      shiftLow()
    }
  }
  for (let i = 0; i < 5; i++) shiftLow()
  return out.subarray(0, o)
}

function rangeDecode(bytes: Uint8Array, contexts: Uint16Array, contextCount: number): Uint8Array {
  const prob = new Uint16Array(contextCount).fill(1 << (PROB_BITS - 1))
  const flips = new Uint8Array(contexts.length)
  let o = 1 // the encoder's first byte is the initial cache (0)
  let code = 0
  for (let i = 0; i < 4; i++) code = (code * 256 + (bytes[o++] ?? 0)) >>> 0
  let range = 0xffffffff
  for (let i = 0; i < flips.length; i++) {
    const c = contexts[i]!
    const p = prob[c]!
    const bound = (range >>> PROB_BITS) * p
    if (code < bound) {
      range = bound
      prob[c] = p + (((1 << PROB_BITS) - p) >> SHIFT)
    } else {
      code -= bound
      range -= bound
      prob[c] = p - (p >> SHIFT)
      flips[i] = 1
    }
    while (range < TOP) {
      range = (range * 256) >>> 0
      code = (code * 256 + (bytes[o++] ?? 0)) >>> 0
    }
  }
  return flips
}

/**
 * Adaptive binary arithmetic coding of the flips: coded size, and encode/decode time per mask
 * (flip extraction included, as the DELTA codec's times include theirs). Checks its own round trip.
 */
export function adaptiveArithmetic(
  mask: Mask,
  base: DeltaBase,
  time: (fn: () => unknown) => number
): { bytes: number; encodeMs: number; decodeMs: number } {
  const contextCount = mask.layers.length * DELTA_CLASSES
  const encode = (): Uint8Array => {
    const { flips, contexts } = flipBits(mask, base)
    return rangeEncode(flips, contexts, contextCount)
  }
  const coded = encode()
  const { flips, contexts } = flipBits(mask, base)
  const back = rangeDecode(coded, contexts, contextCount)
  if (back.some((b, i) => b !== flips[i])) throw new Error('the range coder does not round-trip')
  return {
    bytes: coded.length,
    encodeMs: time(encode),
    decodeMs: time(() => {
      // Decoding needs the contexts (the base's classes) and rebuilds the signs, as DELTA does.
      const f = rangeDecode(coded, contexts, contextCount)
      let o = 0
      for (const [li, l] of mask.layers.entries()) {
        const out = new Float32Array(l.scores.length)
        const bits = base.layers[li]!.initialBits
        for (let i = 0; i < out.length; i++, o++) out[i] = (bits[i]! ^ f[o]!) === 1 ? 1 : -1
      }
    })
  }
}
