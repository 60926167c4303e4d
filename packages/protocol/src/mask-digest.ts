import { createHash } from 'node:crypto'
import { packSigns } from './sign-bits.js'

/**
 * What a mask does, apart from how it is encoded: the forward pass uses only 1[score >= 0],
 * so two encodings carry the same policy exactly when their binary masks agree. The digest
 * and the count below compare that, whatever the encodings (BITS, F16, F32, DELTA).
 */

type Scored = { readonly layers: readonly { readonly scores: Float32Array }[] }

/** The binary mask as BITS packs it, layer after layer in table order (each layer padded to a byte). */
export function packedMaskBits(mask: Scored): Uint8Array {
  let size = 0
  for (const l of mask.layers) size += Math.ceil(l.scores.length / 8)
  const out = new Uint8Array(size)
  let offset = 0
  for (const l of mask.layers) offset = packSigns(l.scores, out, offset)
  return out
}

/** sha2-256 (hex) of packedMaskBits: equal for every encoding of the same binary mask. */
export function maskDigest(mask: Scored): string {
  return createHash('sha256').update(packedMaskBits(mask)).digest('hex')
}

/** Weights switched on (score >= 0) over all layers. */
export function maskOnes(mask: Scored): number {
  let ones = 0
  for (const l of mask.layers) {
    const s = l.scores
    for (let i = 0; i < s.length; i++) if ((s[i] as number) >= 0) ones++
  }
  return ones
}
