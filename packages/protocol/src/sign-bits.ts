import { ProtocolError } from './errors.js'

/**
 * The binary mask as BITS packs it: weight i is bit (i & 7) of byte (i >> 3), LSB first,
 * 1 when its score is >= 0, unused bits of the last byte 0. Shared by the BITS encoder and
 * the mask digest, so "the same mask" means the same bytes everywhere. `+(s >= 0)` rather than
 * a conditional: signs are a coin toss per weight, and a mispredicted branch per weight is slow.
 */
export function packSigns(scores: Float32Array, out: Uint8Array, offset: number): number {
  const n = scores.length
  let o = offset
  const full = n & ~7
  for (let i = 0; i < full; i += 8) {
    out[o++] =
      +((scores[i] as number) >= 0) |
      (+((scores[i + 1] as number) >= 0) << 1) |
      (+((scores[i + 2] as number) >= 0) << 2) |
      (+((scores[i + 3] as number) >= 0) << 3) |
      (+((scores[i + 4] as number) >= 0) << 4) |
      (+((scores[i + 5] as number) >= 0) << 5) |
      (+((scores[i + 6] as number) >= 0) << 6) |
      (+((scores[i + 7] as number) >= 0) << 7)
  }
  if (full < n) {
    let byte = 0
    for (let b = 0; full + b < n; b++) if ((scores[full + b] as number) >= 0) byte |= 1 << b
    out[o++] = byte
  }
  return o
}

/** BITS magnitudes below this are raised to it, so a rebuilt score is never ±0. */
export const MIN_BITS_MAGNITUDE = 1e-6

/** The smallest magnitude an encoder writes: MIN_BITS_MAGNITUDE as the float32 it is stored as (just below 1e-6). */
const MIN_STORED_MAGNITUDE = Math.fround(MIN_BITS_MAGNITUDE)

/**
 * The decoders' check of a BITS or DELTA layer magnitude: finite (NON_FINITE) and at least
 * what an encoder writes (INVALID_FIELD). A smaller positive magnitude decodes to a mask whose
 * re-encoding differs (its magnitude is raised to the minimum), so it would give one mask a
 * second encoding and a second content id.
 */
export function assertStoredMagnitude(c: number, layerName: string): void {
  if (!Number.isFinite(c)) throw new ProtocolError('NON_FINITE', `layer "${layerName}" has a non-finite magnitude`)
  if (!(c >= MIN_STORED_MAGNITUDE))
    throw new ProtocolError(
      'INVALID_FIELD',
      `layer "${layerName}" has magnitude ${c}, below the minimum ${MIN_STORED_MAGNITUDE} an encoder writes (not canonical)`
    )
}

/**
 * The per-layer magnitude c that BITS and DELTA carry: the mean absolute score (at least
 * MIN_BITS_MAGNITUDE), so a receiver rebuilds scores as ±c and can keep training.
 */
export function signMagnitude(scores: Float32Array, layerName: string): number {
  const n = scores.length
  let sumAbs = 0
  for (let i = 0; i < n; i++) sumAbs += Math.abs(scores[i] as number)
  // One check covers every score: a NaN or an infinity makes the sum non-finite.
  if (!Number.isFinite(sumAbs)) throw new ProtocolError('NON_FINITE', `layer "${layerName}" has a non-finite score`)
  return Math.max(sumAbs / n, MIN_BITS_MAGNITUDE)
}
