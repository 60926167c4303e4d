/**
 * IEEE 754 binary16 conversion (round to nearest, ties to even). Two deliberate choices keep
 * a converted mask identical to the original one (the forward pass uses 1[score >= 0]):
 * negative values that would round to -0 become the smallest negative subnormal, and values
 * beyond the half range saturate to ±65504 instead of becoming infinite (which the decoder
 * rejects as non-finite).
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

const SMALLEST_NEGATIVE_SUBNORMAL = 0x8001
const MAX_FINITE = 0x7bff

export function toHalfBits(value: number): number {
  f32[0] = value
  const x = u32[0] as number
  const sign = (x >>> 16) & 0x8000
  const exp32 = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp32 === 0xff) return mant === 0 ? sign | MAX_FINITE : 0x7e00 // callers reject NaN before
  const exp = exp32 - 127 + 15
  let half: number
  if (exp >= 0x1f) {
    half = sign | MAX_FINITE
  } else if (exp <= 0) {
    if (exp < -10) {
      half = sign
    } else {
      mant |= 0x800000
      const shift = 14 - exp
      half = mant >>> shift
      const rem = mant & ((1 << shift) - 1)
      const halfway = 1 << (shift - 1)
      if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++
      half |= sign
    }
  } else {
    half = sign | (exp << 10) | (mant >>> 13)
    const rem = mant & 0x1fff
    if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++
    if ((half & 0x7fff) >= 0x7c00) half = sign | MAX_FINITE
  }
  if ((half & 0x7fff) === 0) {
    // Keep the sign of the threshold test: negative stays strictly negative, zero is +0.
    return sign !== 0 && value < 0 ? SMALLEST_NEGATIVE_SUBNORMAL : 0
  }
  return half
}

let table: Float32Array | null = null

/** Decodes binary16 bits to a number (table-driven: 256 KiB built on first use). */
export function fromHalfBits(bits: number): number {
  if (table === null) table = buildTable()
  return table[bits & 0xffff] as number
}

function buildTable(): Float32Array {
  const t = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) !== 0 ? -1 : 1
    const exp = (h >>> 10) & 0x1f
    const mant = h & 0x3ff
    let v: number
    if (exp === 0) v = mant * 2 ** -24
    else if (exp === 0x1f) v = mant === 0 ? Infinity : NaN
    else v = (1 + mant / 1024) * 2 ** (exp - 15)
    t[h] = sign * v
  }
  return t
}
