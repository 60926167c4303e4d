import type { ByteReader, ByteWriter } from './bytes.js'
import { DELTA_CLASSES, type DeltaBaseLayer } from './delta-base.js'
import { ProtocolError } from './errors.js'
import type { MaskLayer } from './mask-codec.js'
import { assertStoredMagnitude, MIN_BITS_MAGNITUDE } from './sign-bits.js'

/**
 * The DELTA payload (encoding 4): a trained mask as the few weights that differ from the task's
 * reproducible initial mask (the "base"), Rice-coded per context class. docs/delta-encoding.md
 * specifies it byte by byte; this module is that text in code.
 *
 *   payload  = u32 P (byte length of the layer sections), then one section per layer:
 *   section  = f32 magnitude c (as BITS)
 *              8 x { LEB128 m_q (flipped weights of class q), u8 k_q (only when m_q > 0) }
 *              bit stream: for q = 0..7, m_q Rice codes (parameter k_q) of the gaps between the
 *              flipped weights' indices within class q; zero bits to the next byte boundary
 *
 * The base gives every weight its initial bit and a class 0..7: how far its initial score was
 * from the threshold (class 0 nearest). Weights that start near the threshold flip far more
 * often (measured on CT-graph masks at mastery: 31% of class-0 weights, 0.2% of class 7), so
 * coding each class on its own takes ~22% fewer bytes than one gap sequence per layer.
 *
 * Canonical: k_q must be the size-minimising Rice parameter (the smallest on a tie), counts are
 * minimal LEB128, padding bits are 0 and P is the exact length, so a mask and its base have one
 * DELTA encoding. Never trusted: P is bounded by the BITS size of the same layer table (a DELTA
 * encoding is never larger than BITS; an encoder sends BITS instead), each m_q by the number of
 * weights of class q, every unary run by the positions left in its class.
 */

/** Largest Rice parameter a section may carry: gaps are below 2^22, so a canonical one is at most 21. */
export const MAX_RICE_PARAMETER = 23

function varintLength(v: number): number {
  let len = 1
  while (v >= 0x80) {
    v = Math.floor(v / 128)
    len++
  }
  return len
}

/** Bits of Rice-coding `gaps[from..to)` with parameter k: a unary quotient, its stop bit, k remainder bits. */
function riceCost(gaps: Int32Array, from: number, to: number, k: number): number {
  let bits = (to - from) * (k + 1)
  for (let j = from; j < to; j++) bits += (gaps[j] as number) >>> k
  return bits
}

/**
 * The canonical Rice parameter: the smallest k minimising the coded size. The size is convex
 * in k (each step up costs one bit per code and saves a non-increasing number of quotient
 * bits), so the first k whose successor is no smaller is the global minimum.
 */
function canonicalRiceParameter(gaps: Int32Array, from: number, to: number): { k: number; bits: number } {
  let k = 0
  let bits = riceCost(gaps, from, to, 0)
  while (k < MAX_RICE_PARAMETER) {
    const next = riceCost(gaps, from, to, k + 1)
    if (next >= bits) break
    k++
    bits = next
  }
  return { k, bits }
}

/** Layers up to this many weights reuse one buffer for their flip list (1 MiB kept); larger ones allocate. */
const SCRATCH_KEEP = 1 << 18
let scratchBuffer = new Int32Array(0)

/** A buffer of at least n entries for the encoder's flip list (its contents do not outlive the call). */
function scratch(n: number): Int32Array {
  if (n > SCRATCH_KEEP) return new Int32Array(n)
  if (scratchBuffer.length < n) scratchBuffer = new Int32Array(n)
  return scratchBuffer
}

/** What the encoder decided for one layer, so the size is known before anything is written. */
export interface DeltaLayerPlan {
  readonly magnitude: number
  /** Flipped weights per class. */
  readonly counts: Int32Array
  readonly parameters: Int32Array
  /** Gaps grouped by class (class 0 first), each group in scan order. */
  readonly gaps: Int32Array
  readonly bytes: number
}

/**
 * Plans one layer's section: the magnitude c (as BITS), which weights differ from the base,
 * their gaps within their class, the canonical parameters. `base` fits the layer (assertBaseFits).
 */
export function planDeltaLayer(layer: MaskLayer, base: DeltaBaseLayer): DeltaLayerPlan {
  const scores = layer.scores
  const n = scores.length
  const bits = base.initialBits
  const rank = base.classRank
  // One pass in memory order: the magnitude, and each flip's class rank (class index * 8 + class);
  // within a class, memory order is class-index order. `+(v >= 0)`, not `v >= 0 ? 1 : 0`: signs are
  // a coin toss per weight, and a mispredicted branch per weight would cost more than the rest.
  const tagged = scratch(n)
  let sumAbs = 0
  let flips = 0
  for (let i = 0; i < n; i++) {
    const v = scores[i] as number
    sumAbs += Math.abs(v)
    // Branch-free too: written every time, kept only when the weight flipped.
    tagged[flips] = rank[i] as number
    flips += +(v >= 0) ^ (bits[i] as number)
  }
  // One check covers every score: a NaN or an infinity makes the sum non-finite.
  if (!Number.isFinite(sumAbs)) throw new ProtocolError('NON_FINITE', `layer "${layer.name}" has a non-finite score`)
  // Group by class: the gaps between flipped weights' class indices.
  const counts = new Int32Array(DELTA_CLASSES)
  for (let f = 0; f < flips; f++) counts[(tagged[f] as number) & (DELTA_CLASSES - 1)]!++
  const fill = new Int32Array(DELTA_CLASSES)
  for (let q = 1; q < DELTA_CLASSES; q++) fill[q] = fill[q - 1]! + counts[q - 1]!
  const gaps = new Int32Array(flips)
  const last = new Int32Array(DELTA_CLASSES).fill(-1)
  for (let f = 0; f < flips; f++) {
    const t = tagged[f] as number
    const q = t & (DELTA_CLASSES - 1)
    const j = (t - q) / DELTA_CLASSES
    gaps[fill[q]!++] = j - last[q]! - 1
    last[q] = j
  }
  const parameters = new Int32Array(DELTA_CLASSES)
  let header = 4
  let streamBits = 0
  let from = 0
  for (let q = 0; q < DELTA_CLASSES; q++) {
    const m = counts[q]!
    header += varintLength(m)
    if (m === 0) continue
    const { k, bits: cost } = canonicalRiceParameter(gaps, from, from + m)
    parameters[q] = k
    header += 1
    streamBits += cost
    from += m
  }
  const magnitude = Math.max(sumAbs / n, MIN_BITS_MAGNITUDE)
  return { magnitude, counts, parameters, gaps, bytes: header + Math.ceil(streamBits / 8) }
}

/** Writes bits LSB first: stream bit t is bit (t & 7) of byte (t >> 3). */
class BitWriter {
  private acc = 0
  private used = 0
  constructor(
    private readonly out: Uint8Array,
    public offset: number
  ) {}

  /** The low `count` bits of `value`, least significant first (count <= 24). */
  write(value: number, count: number): void {
    this.acc |= value << this.used
    this.used += count
    while (this.used >= 8) {
      this.out[this.offset++] = this.acc & 0xff
      this.acc >>>= 8
      this.used -= 8
    }
  }

  /** `q` one bits, then a zero bit. */
  unary(q: number): void {
    while (q >= 24) {
      this.write(0xffffff, 24)
      q -= 24
    }
    this.write((1 << q) - 1, q + 1)
  }

  /** Pads with zero bits to the next byte boundary. */
  flush(): void {
    if (this.used > 0) this.out[this.offset++] = this.acc & 0xff
    this.acc = 0
    this.used = 0
  }
}

/** Writes one planned layer section. */
export function writeDeltaLayer(w: ByteWriter, plan: DeltaLayerPlan): void {
  w.f32(plan.magnitude)
  for (let q = 0; q < DELTA_CLASSES; q++) {
    let m = plan.counts[q]!
    while (m >= 0x80) {
      w.u8((m & 0x7f) | 0x80)
      m = Math.floor(m / 128)
    }
    w.u8(m)
    if (plan.counts[q]! > 0) w.u8(plan.parameters[q]!)
  }
  const bw = new BitWriter(w.bytes, w.offset)
  let g0 = 0
  for (let q = 0; q < DELTA_CLASSES; q++) {
    const k = plan.parameters[q]!
    const mask = (1 << k) - 1
    const end = g0 + plan.counts[q]!
    for (let j = g0; j < end; j++) {
      const g = plan.gaps[j] as number
      const u = g >>> k
      // Most codes fit one write: u ones, a zero, then the k remainder bits.
      if (u + 1 + k <= 24) bw.write(((1 << u) - 1) | ((g & mask) << (u + 1)), u + 1 + k)
      else {
        bw.unary(u)
        if (k > 0) bw.write(g & mask, k)
      }
    }
    g0 = end
  }
  bw.flush()
  w.offset = bw.offset
}

/**
 * Reads bits LSB first within [offset, end), never past `end`. Holds up to 31 unread bits in
 * `acc` (bit 0 next), loaded a byte at a time, and consumes runs of ones a word at a time.
 */
class BitReader {
  private acc = 0
  private left = 0
  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
    private readonly end: number,
    private readonly what: string
  ) {}

  /** Loads one more byte above the unread bits (the caller keeps `left` <= 23). */
  private load(): void {
    if (this.offset >= this.end)
      throw new ProtocolError('TRUNCATED', `input ends inside the bit stream of ${this.what}`)
    this.acc |= (this.bytes[this.offset++] as number) << this.left
    this.left += 8
  }

  /** A run of one bits ended by a zero bit; more than `limit` ones cannot be valid here. */
  unary(limit: number): number {
    let q = 0
    for (;;) {
      if (this.left === 0) this.load()
      // The unread bits that are 0, as ones: their lowest is where the run ends.
      const zeros = ~this.acc & ((1 << this.left) - 1)
      if (zeros === 0) {
        q += this.left
        this.acc = 0
        this.left = 0
      } else {
        const run = 31 - Math.clz32(zeros & -zeros)
        q += run
        this.acc >>>= run + 1
        this.left -= run + 1
        if (q > limit) break
        return q
      }
      if (q > limit) break
    }
    throw new ProtocolError('MALFORMED', `${this.what}: a Rice code points beyond the weights of its class`)
  }

  /** `count` bits (at most 23), least significant first. */
  bits(count: number): number {
    while (this.left < count) this.load()
    const v = this.acc & ((1 << count) - 1)
    this.acc >>>= count
    this.left -= count
    return v
  }

  /** Ends the stream: the bits left (fewer than 8: a byte is loaded only when needed) are padding and must be 0. */
  finish(): number {
    if (this.acc !== 0) throw new ProtocolError('MALFORMED', `${this.what} has non-zero padding bits (not canonical)`)
    return this.offset
  }
}

/** Reads a minimal LEB128 integer no greater than `max` (< 2^28, so at most 4 bytes). */
function readCount(r: ByteReader, max: number, what: string): number {
  let value = 0
  for (let i = 0; i < 4; i++) {
    const byte = r.u8(what)
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) {
      if (i > 0 && byte === 0) throw new ProtocolError('MALFORMED', `${what} is not minimally encoded (not canonical)`)
      if (value > max) throw new ProtocolError('MALFORMED', `${what} is ${value}, more than ${max} possible`)
      return value
    }
  }
  throw new ProtocolError('MALFORMED', `${what} is longer than 4 bytes`)
}

/**
 * Reads one layer section and returns its scores (±c, as a BITS decode of the same mask).
 * `end` is where the payload ends; the bit stream never reads past it. `base` fits the layer
 * (assertBaseFits), so every bound below comes from the base, never from the input.
 */
export function readDeltaLayer(r: ByteReader, name: string, base: DeltaBaseLayer, end: number): Float32Array {
  const { order, classStart, initialBits } = base
  const size = order.length
  const c = r.f32(`layer "${name}" magnitude`)
  assertStoredMagnitude(c, name)
  const counts = new Int32Array(DELTA_CLASSES)
  const parameters = new Int32Array(DELTA_CLASSES)
  for (let q = 0; q < DELTA_CLASSES; q++) {
    const m = readCount(r, classStart[q + 1]! - classStart[q]!, `layer "${name}" class ${q} flip count`)
    counts[q] = m
    if (m > 0) {
      const k = r.u8(`layer "${name}" class ${q} Rice parameter`)
      if (k > MAX_RICE_PARAMETER)
        throw new ProtocolError(
          'MALFORMED',
          `layer "${name}" class ${q} has Rice parameter ${k} > ${MAX_RICE_PARAMETER}`
        )
      parameters[q] = k
    }
  }
  // Start from the base (branch-free: a random 0/1 per weight defeats branch prediction), then flip.
  const signed = Float32Array.of(-c, c)
  const scores = new Float32Array(size)
  for (let i = 0; i < size; i++) scores[i] = signed[(initialBits[i] as number) & 1] as number
  const br = new BitReader(r.bytes, r.offset, end, `layer "${name}"`)
  for (let q = 0; q < DELTA_CLASSES; q++) {
    const m = counts[q]!
    if (m === 0) continue
    const k = parameters[q]!
    const scale = 2 ** k
    const from = classStart[q]!
    const classSize = classStart[q + 1]! - from
    let index = -1
    // Quotient sums at k-1, k and k+1 for the canonical-parameter check below.
    let below = 0
    let at = 0
    let above = 0
    for (let j = 0; j < m; j++) {
      const room = classSize - 2 - index // largest gap that still lands inside the class
      const u = br.unary(room < 0 ? -1 : Math.floor(room / scale))
      const g = u * scale + br.bits(k)
      if (g > room)
        throw new ProtocolError('MALFORMED', `layer "${name}" class ${q}: a flip lies beyond the weights of its class`)
      index += g + 1
      const i = order[from + index] as number
      scores[i] = -(scores[i] as number)
      at += u
      if (k > 0) below += g >>> (k - 1)
      above += g >>> (k + 1)
    }
    const cost = m * (k + 1) + at
    if ((k > 0 && m * k + below <= cost) || m * (k + 2) + above < cost)
      throw new ProtocolError('MALFORMED', `layer "${name}" class ${q}: Rice parameter ${k} is not the canonical one`)
  }
  r.offset = br.finish()
  return scores
}
