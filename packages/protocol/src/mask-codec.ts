import { ByteReader, ByteWriter, utf8Encode } from './bytes.js'
import { verifyContentId, type CID } from './cid.js'
import {
  MASK_FORMAT_VERSION,
  MAX_LAYER_RANK,
  MAX_LAYERS,
  MAX_MASK_BYTES,
  MAX_MASK_HEADER_BYTES,
  MAX_MASK_WEIGHTS
} from './constants.js'
import { assertBaseFits, type DeltaBase, type DeltaBaseSource } from './delta-base.js'
import { planDeltaLayer, readDeltaLayer, writeDeltaLayer, type DeltaLayerPlan } from './delta-codec.js'
import { ProtocolError } from './errors.js'
import { fromHalfBits, toHalfBits } from './half-float.js'
import { assertStoredMagnitude, packSigns, signMagnitude } from './sign-bits.js'
import { assertBackboneId, assertLayerName, assertTaskKey } from './validate.js'

/**
 * The canonical binary encoding of a mask: what crosses the wire, what is stored on disk
 * (inside the file envelope) and what the content id hashes. All integers little-endian.
 *
 *   offset  size  field
 *   0       4     magic "L2DM"
 *   4       1     format version (1)
 *   5       1     encoding: 1 BITS, 2 F16, 3 F32, 4 DELTA
 *   6       2     flags (reserved, must be 0)
 *   8       1+K   task key: length K (1..200), UTF-8 bytes
 *   .       1+B   backbone id: length B (1..64), ASCII bytes
 *   .       1     layer count L (1..64)
 *   .       L x   layer table: name (1-byte length + ASCII), rank R (1..4), R x u32 dims
 *   .       ...   payload, layer by layer in table order, weights row-major ([out][in]):
 *                   BITS: f32 magnitude c (finite, >= float32(1e-6)), then ceil(n/8) bytes; weight i is
 *                         bit (i & 7) of byte (i >> 3) (LSB first); 1 means score >= 0;
 *                         unused bits of the last byte are 0
 *                   F16:  n x binary16 (finite; zero is +0, never -0)
 *                   F32:  n x binary32 (finite)
 *                 DELTA (not layer by layer): u32 length, then per layer the magnitude c and the
 *                   weights that differ from the task's initial mask, Rice-coded per class
 *                   (delta-codec.ts; docs/delta-encoding.md has it byte by byte)
 *
 * The encoding is canonical: the encoder is deterministic and the decoder rejects anything
 * it would not produce itself (non-zero flags or padding bits, trailing bytes), so equal
 * masks in one encoding always have equal content ids.
 *
 * BITS carries exactly what the forward pass uses (the sign test) and, per layer, the mean
 * absolute score c so the receiver can rebuild scores as ±c and keep training: the policy
 * transfers exactly at 1/32 of the F32 size. DELTA carries the same (it decodes to the same
 * scores as BITS) in about a third of that, but only for a receiver that can rebuild the task's
 * initial mask (the base) from the backbone and the task key: the caller supplies it.
 */

export type MaskEncoding = 'bits' | 'f16' | 'f32' | 'delta'

/**
 * The self-contained encodings, in order of preference (smallest first): every holder can
 * serve them (it transcodes a stored mask without anything else) and every requester can
 * decode them. CLI fetch/train flags and saved masks derive from it. DELTA is not in it: it
 * needs the task's base on both sides, so a fetch lists it in its `accept` list and a holder
 * that can rebuild the base offers and serves it (docs/protocol.md §5.2.1). (Typed as
 * MaskEncoding[] so `.includes()` takes any encoding.)
 */
export const SUPPORTED_ENCODINGS: readonly MaskEncoding[] = ['bits', 'f16', 'f32'] satisfies ReadonlyArray<
  Exclude<MaskEncoding, 'delta'>
>

/**
 * Every encoding this codec writes and reads (mask files, `l2d2c mask convert`). DELTA needs
 * the task's base on both sides: encodeMask's `base`, decodeMask's `deltaBase`.
 */
export const CODEC_ENCODINGS: readonly MaskEncoding[] = ['bits', 'f16', 'f32', 'delta']

const ENCODING_CODE: Record<MaskEncoding, number> = { bits: 1, f16: 2, f32: 3, delta: 4 }
const CODE_ENCODING: Record<number, MaskEncoding> = { 1: 'bits', 2: 'f16', 3: 'f32', 4: 'delta' }

export function encodingCode(encoding: MaskEncoding): number {
  // hasOwn, not a plain lookup: a caller's string such as 'toString' must not find Object.prototype
  if (!Object.hasOwn(ENCODING_CODE, encoding))
    throw new ProtocolError('UNKNOWN_ENUM', `unknown mask encoding ${JSON.stringify(encoding)}`)
  return ENCODING_CODE[encoding]
}

export function encodingFromCode(code: number): MaskEncoding {
  const e = CODE_ENCODING[code]
  if (e === undefined) throw new ProtocolError('UNKNOWN_ENUM', `unknown mask encoding ${code}`)
  return e
}

const MAGIC = [0x4c, 0x32, 0x44, 0x4d] // "L2DM"
/** binary16 -0, which the F16 encoder never writes. */
const NEGATIVE_ZERO_HALF = 0x8000
export { MIN_BITS_MAGNITUDE } from './sign-bits.js'

export interface LayerSpec {
  readonly name: string
  /** Dimensions, row-major; dense layers are [out, in]. */
  readonly shape: readonly number[]
}

export interface MaskLayer extends LayerSpec {
  /** Scores, row-major, length = product of shape. */
  readonly scores: Float32Array
}

export interface Mask {
  readonly taskKey: string
  readonly backboneId: string
  readonly layers: readonly MaskLayer[]
}

export interface DecodedMask extends Mask {
  readonly encoding: MaskEncoding
}

/** What can be read from a canonical mask without decoding its payload. */
export interface MaskHeader {
  readonly formatVersion: number
  readonly encoding: MaskEncoding
  readonly taskKey: string
  readonly backboneId: string
  readonly layers: readonly LayerSpec[]
  /** Total number of weights over all layers. */
  readonly weights: number
  /** Offset of the payload in the encoding. */
  readonly payloadOffset: number
  /**
   * Exact length of the whole canonical encoding this header announces (header + payload);
   * for DELTA, from the payload's length field (bounded by the BITS size of the same table).
   */
  readonly encodedSize: number
}

export interface EncodeMaskOptions {
  /** DELTA only: the task's initial mask the encoding is relative to (MISSING_BASE without it). */
  readonly base?: DeltaBase
}

export interface DecodeMaskOptions {
  /** Verify the bytes hash to this CID (binary or parsed); CID_MISMATCH otherwise. */
  readonly expectedCid?: Uint8Array | CID
  /** Refuse masks of another backbone (BACKBONE_MISMATCH). */
  readonly expectedBackboneId?: string
  /** Refuse masks whose layer table differs from this one (INCONSISTENT_SHAPE). */
  readonly expectedLayers?: readonly LayerSpec[]
  /** Refuse masks for another task (INVALID_FIELD). */
  readonly expectedTaskKey?: string
  /**
   * The base a DELTA mask is decoded against, or a function that builds it from the mask's
   * header (called only for DELTA, after the header checks). A DELTA mask without it is
   * refused with MISSING_BASE; other encodings ignore it.
   */
  readonly deltaBase?: DeltaBaseSource
}

function layerSize(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

function payloadBytes(encoding: Exclude<MaskEncoding, 'delta'>, n: number): number {
  switch (encoding) {
    case 'bits':
      return 4 + Math.ceil(n / 8)
    case 'f16':
      return 2 * n
    case 'f32':
      return 4 * n
  }
}

/** Payload bytes of a layer table: the one size formula behind encodeMask, decodeMask and encodedMaskSize. */
function payloadSize(encoding: Exclude<MaskEncoding, 'delta'>, layers: readonly LayerSpec[]): number {
  let size = 0
  for (const l of layers) size += payloadBytes(encoding, layerSize(l.shape))
  return size
}

/**
 * The largest DELTA length field of a layer table: a DELTA encoding is never larger than the
 * BITS encoding of the same table (its 4-byte length field included), so a decoder's work and
 * memory are bounded before it reads a bit, and an encoder that would exceed it sends BITS.
 */
export function maxDeltaPayloadLength(layers: readonly LayerSpec[]): number {
  return payloadSize('bits', layers) - 4
}

function missingBase(): ProtocolError {
  return new ProtocolError(
    'MISSING_BASE',
    "a DELTA mask is coded against the task's initial mask: give its base (encodeMask's base, decodeMask's deltaBase)"
  )
}

function validateLayerTable(layers: readonly LayerSpec[]): number {
  if (layers.length === 0 || layers.length > MAX_LAYERS) {
    throw new ProtocolError('TOO_LARGE', `a mask has 1..${MAX_LAYERS} layers, got ${layers.length}`)
  }
  const names = new Set<string>()
  let total = 0
  for (const layer of layers) {
    assertLayerName(layer.name)
    if (names.has(layer.name)) throw new ProtocolError('INCONSISTENT_SHAPE', `duplicate layer name "${layer.name}"`)
    names.add(layer.name)
    if (layer.shape.length === 0 || layer.shape.length > MAX_LAYER_RANK) {
      throw new ProtocolError(
        'INCONSISTENT_SHAPE',
        `layer "${layer.name}" has rank ${layer.shape.length}, expected 1..${MAX_LAYER_RANK}`
      )
    }
    for (const d of layer.shape) {
      if (!Number.isInteger(d) || d < 1 || d > MAX_MASK_WEIGHTS) {
        throw new ProtocolError('INCONSISTENT_SHAPE', `layer "${layer.name}" has an invalid dimension ${d}`)
      }
    }
    total += layerSize(layer.shape)
    if (total > MAX_MASK_WEIGHTS) throw new ProtocolError('TOO_LARGE', `mask has more than ${MAX_MASK_WEIGHTS} weights`)
  }
  return total
}

/**
 * Encodes a mask canonically. Scores must be finite; throws ProtocolError otherwise. DELTA
 * needs `opts.base` (MISSING_BASE) and throws TOO_LARGE when it would be larger than BITS:
 * encodeMaskCompact picks for the caller.
 */
export function encodeMask(mask: Mask, encoding: MaskEncoding = 'bits', opts: EncodeMaskOptions = {}): Uint8Array {
  return encodeWith(mask, encoding, opts, false)
}

/**
 * DELTA when a base is given and DELTA is no larger than BITS, else BITS: the smallest
 * encoding that carries the policy exactly. Masks that did not start from the task's initial
 * mask (LC/BLC starts, adopted masks trained further) can differ from the base in so many
 * weights that they come out as BITS.
 */
export function encodeMaskCompact(mask: Mask, opts: EncodeMaskOptions = {}): Uint8Array {
  return encodeWith(mask, opts.base === undefined ? 'bits' : 'delta', opts, true)
}

function encodeWith(mask: Mask, encoding: MaskEncoding, opts: EncodeMaskOptions, deltaOrBits: boolean): Uint8Array {
  const code = encodingCode(encoding)
  assertTaskKey(mask.taskKey)
  assertBackboneId(mask.backboneId)
  validateLayerTable(mask.layers)
  for (const layer of mask.layers) {
    if (layer.scores.length !== layerSize(layer.shape)) {
      throw new ProtocolError(
        'INCONSISTENT_SHAPE',
        `layer "${layer.name}" has ${layer.scores.length} scores for shape [${layer.shape.join(', ')}]`
      )
    }
  }
  let plans: DeltaLayerPlan[] | null = null
  let size: number
  if (encoding === 'delta') {
    plans = planDelta(mask, opts.base)
    const length = plans.reduce((sum, p) => sum + p.bytes, 0)
    const max = maxDeltaPayloadLength(mask.layers)
    if (length > max && deltaOrBits) return encodeWith(mask, 'bits', opts, false)
    if (length > max)
      throw new ProtocolError(
        'TOO_LARGE',
        `a DELTA encoding of this mask would be larger than BITS (${length} > ${max} payload bytes): send BITS`
      )
    size = headerSize(mask) + 4 + length
  } else {
    size = encodedMaskSize(mask, encoding)
  }
  const key = utf8Encode(mask.taskKey)
  const backbone = utf8Encode(mask.backboneId)
  const names = mask.layers.map(l => utf8Encode(l.name))
  const w = new ByteWriter(size)
  w.raw(Uint8Array.from(MAGIC))
  w.u8(MASK_FORMAT_VERSION)
  w.u8(code)
  w.u16(0)
  w.shortString(key)
  w.shortString(backbone)
  w.u8(mask.layers.length)
  mask.layers.forEach((layer, i) => {
    w.shortString(names[i] as Uint8Array)
    w.u8(layer.shape.length)
    for (const d of layer.shape) w.u32(d)
  })
  if (encoding === 'delta') {
    w.u32(size - w.offset - 4)
    for (const plan of plans as DeltaLayerPlan[]) writeDeltaLayer(w, plan)
  } else {
    for (const layer of mask.layers) writePayload(w, encoding, layer)
  }
  if (w.offset !== size) throw new Error(`mask encoder wrote ${w.offset} of ${size} bytes`) // a bug, not bad input
  return w.bytes
}

/** Plans every DELTA layer section (sizes first, so the output is allocated once). */
function planDelta(mask: Mask, base: DeltaBase | undefined): DeltaLayerPlan[] {
  if (base === undefined) throw missingBase()
  assertBaseFits(
    base,
    mask,
    mask.layers.map(l => l.scores.length)
  )
  return mask.layers.map((layer, i) => planDeltaLayer(layer, base.layers[i] as DeltaBase['layers'][number]))
}

function writePayload(w: ByteWriter, encoding: Exclude<MaskEncoding, 'delta'>, layer: MaskLayer): void {
  const s = layer.scores
  const n = s.length
  switch (encoding) {
    case 'bits': {
      w.f32(signMagnitude(s, layer.name))
      w.offset = packSigns(s, w.bytes, w.offset)
      return
    }
    case 'f16': {
      for (let i = 0; i < n; i++) {
        const v = s[i] as number
        if (!Number.isFinite(v))
          throw new ProtocolError('NON_FINITE', `layer "${layer.name}" has a non-finite score at ${i}`)
        w.u16(toHalfBits(v))
      }
      return
    }
    case 'f32': {
      for (let i = 0; i < n; i++) {
        const v = s[i] as number
        if (!Number.isFinite(v))
          throw new ProtocolError('NON_FINITE', `layer "${layer.name}" has a non-finite score at ${i}`)
        w.f32(v)
      }
      return
    }
  }
}

/**
 * Reads and validates the header (layer table included) without decoding the payload; of a
 * DELTA payload it reads the length field only, and refuses one longer than BITS would be.
 */
export function readMaskHeader(bytes: Uint8Array): MaskHeader {
  if (bytes.length > MAX_MASK_BYTES)
    throw new ProtocolError('TOO_LARGE', `mask of ${bytes.length} bytes exceeds ${MAX_MASK_BYTES}`)
  const r = new ByteReader(bytes)
  const magic = r.raw(4, 'magic')
  if (magic.some((b, i) => b !== MAGIC[i])) throw new ProtocolError('MALFORMED', 'not an l2d2c mask (bad magic)')
  const formatVersion = r.u8('format version')
  if (formatVersion !== MASK_FORMAT_VERSION)
    throw new ProtocolError(
      'UNKNOWN_VERSION',
      `mask format version ${formatVersion} is not supported (this implementation reads ${MASK_FORMAT_VERSION})`
    )
  const code = r.u8('encoding')
  const encoding = encodingFromCode(code)
  const flags = r.u16('flags')
  if (flags !== 0) throw new ProtocolError('MALFORMED', `reserved mask flags are set (0x${flags.toString(16)})`)
  const taskKey = r.shortString('task key')
  assertTaskKey(taskKey)
  const backboneId = r.shortString('backbone id')
  assertBackboneId(backboneId)
  const count = r.u8('layer count')
  if (count === 0 || count > MAX_LAYERS)
    throw new ProtocolError('TOO_LARGE', `a mask has 1..${MAX_LAYERS} layers, got ${count}`)
  const layers: LayerSpec[] = []
  for (let i = 0; i < count; i++) {
    const name = r.shortString(`layer ${i} name`)
    const rank = r.u8(`layer ${i} rank`)
    if (rank === 0 || rank > MAX_LAYER_RANK)
      throw new ProtocolError('INCONSISTENT_SHAPE', `layer "${name}" has rank ${rank}, expected 1..${MAX_LAYER_RANK}`)
    const shape: number[] = []
    for (let d = 0; d < rank; d++) shape.push(r.u32(`layer ${i} shape`))
    layers.push({ name, shape })
    if (r.offset > MAX_MASK_HEADER_BYTES)
      throw new ProtocolError('TOO_LARGE', `mask header exceeds ${MAX_MASK_HEADER_BYTES} bytes`)
  }
  const weights = validateLayerTable(layers)
  const payloadOffset = r.offset
  let encodedSize: number
  if (encoding === 'delta') {
    const length = r.u32('DELTA payload length')
    const max = maxDeltaPayloadLength(layers)
    if (length > max)
      throw new ProtocolError(
        'TOO_LARGE',
        `DELTA payload of ${length} bytes is larger than BITS would be for this layer table (${max})`
      )
    encodedSize = r.offset + length
  } else {
    encodedSize = payloadOffset + payloadSize(encoding, layers)
  }
  return { formatVersion, encoding, taskKey, backboneId, layers, weights, payloadOffset, encodedSize }
}

/**
 * Decodes a canonical mask. Checks, in order: size limit, CID (if expected), header, expected
 * backbone/task/layers, exact payload length (before allocating any score array), the DELTA
 * base (present, for this task, backbone and table), finiteness, canonical padding and
 * parameters. BITS and DELTA scores come back as ±magnitude per layer.
 */
export function decodeMask(bytes: Uint8Array, opts: DecodeMaskOptions = {}): DecodedMask {
  if (bytes.length > MAX_MASK_BYTES)
    throw new ProtocolError('TOO_LARGE', `mask of ${bytes.length} bytes exceeds ${MAX_MASK_BYTES}`)
  if (opts.expectedCid !== undefined) verifyContentId(bytes, opts.expectedCid)
  const header = readMaskHeader(bytes)
  if (opts.expectedBackboneId !== undefined && header.backboneId !== opts.expectedBackboneId) {
    throw new ProtocolError(
      'BACKBONE_MISMATCH',
      `mask is for backbone ${header.backboneId}, expected ${opts.expectedBackboneId}`
    )
  }
  if (opts.expectedTaskKey !== undefined && header.taskKey !== opts.expectedTaskKey) {
    throw new ProtocolError('INVALID_FIELD', `mask is for task ${header.taskKey}, expected ${opts.expectedTaskKey}`)
  }
  if (opts.expectedLayers !== undefined) assertSameLayers(header.layers, opts.expectedLayers)
  assertMaskLength(bytes, header)
  const r = new ByteReader(bytes)
  r.offset = header.payloadOffset
  const encoding = header.encoding
  let layers: MaskLayer[]
  if (encoding === 'delta') {
    const source = opts.deltaBase
    if (source === undefined) throw missingBase()
    const base = typeof source === 'function' ? source(header) : source
    assertBaseFits(
      base,
      header,
      header.layers.map(l => layerSize(l.shape))
    )
    r.u32('DELTA payload length') // checked against the input length by assertMaskLength
    layers = header.layers.map((spec, i) => ({
      name: spec.name,
      shape: spec.shape,
      scores: readDeltaLayer(r, spec.name, base.layers[i] as DeltaBase['layers'][number], header.encodedSize)
    }))
    if (r.offset !== header.encodedSize)
      throw new ProtocolError(
        'TRAILING_BYTES',
        `DELTA payload has ${header.encodedSize - r.offset} bytes after its last layer section`
      )
  } else {
    layers = header.layers.map(spec => ({ name: spec.name, shape: spec.shape, scores: readPayload(r, encoding, spec) }))
  }
  return { taskKey: header.taskKey, backboneId: header.backboneId, encoding, layers }
}

function readPayload(r: ByteReader, encoding: Exclude<MaskEncoding, 'delta'>, spec: LayerSpec): Float32Array {
  const n = layerSize(spec.shape)
  const scores = new Float32Array(n)
  switch (encoding) {
    case 'bits': {
      const c = r.f32(`layer "${spec.name}" magnitude`)
      assertStoredMagnitude(c, spec.name)
      const bits = r.raw(Math.ceil(n / 8), `layer "${spec.name}" bits`)
      for (let byteIndex = 0, i = 0; i < n; byteIndex++) {
        const byte = bits[byteIndex] as number
        const end = Math.min(n, i + 8)
        for (let b = 0; i < end; b++, i++) scores[i] = (byte >> b) & 1 ? c : -c
      }
      const used = n & 7
      if (used !== 0 && (bits[bits.length - 1] as number) >> used !== 0) {
        throw new ProtocolError('MALFORMED', `layer "${spec.name}" has non-zero padding bits (not canonical)`)
      }
      return scores
    }
    case 'f16': {
      const raw = r.raw(2 * n, `layer "${spec.name}" scores`)
      for (let i = 0; i < n; i++) {
        const h = (raw[2 * i] as number) | ((raw[2 * i + 1] as number) << 8)
        // The encoder writes every zero as +0 (toHalfBits): -0 would be a second encoding of the mask.
        if (h === NEGATIVE_ZERO_HALF)
          throw new ProtocolError(
            'MALFORMED',
            `layer "${spec.name}" has a -0 score at ${i} (not canonical: zero is +0)`
          )
        const v = fromHalfBits(h)
        if (!Number.isFinite(v))
          throw new ProtocolError('NON_FINITE', `layer "${spec.name}" has a non-finite score at ${i}`)
        scores[i] = v
      }
      return scores
    }
    case 'f32': {
      const raw = r.raw(4 * n, `layer "${spec.name}" scores`)
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(4 * i, true)
        if (!Number.isFinite(v))
          throw new ProtocolError('NON_FINITE', `layer "${spec.name}" has a non-finite score at ${i}`)
        scores[i] = v
      }
      return scores
    }
  }
}

/** Throws INCONSISTENT_SHAPE unless both layer tables have the same names and shapes in order. */
export function assertSameLayers(got: readonly LayerSpec[], want: readonly LayerSpec[]): void {
  const describe = (ls: readonly LayerSpec[]): string => ls.map(l => `${l.name}[${l.shape.join('x')}]`).join(', ')
  const same =
    got.length === want.length &&
    got.every((l, i) => {
      const w = want[i] as LayerSpec
      return l.name === w.name && l.shape.length === w.shape.length && l.shape.every((d, j) => d === w.shape[j])
    })
  if (!same)
    throw new ProtocolError(
      'INCONSISTENT_SHAPE',
      `layer table ${describe(got)} differs from the expected ${describe(want)}`
    )
}

type MaskTable = Pick<Mask, 'taskKey' | 'backboneId'> & { layers: readonly LayerSpec[] }

function headerSize(mask: MaskTable): number {
  let size = 8 + 1 + utf8Encode(mask.taskKey).length + 1 + utf8Encode(mask.backboneId).length + 1
  for (const l of mask.layers) size += 1 + utf8Encode(l.name).length + 1 + 4 * l.shape.length
  return size
}

/**
 * Size in bytes of a mask's canonical encoding, without encoding it. Not for DELTA, whose size
 * depends on the scores (UNSUPPORTED_ENCODING): encode it, or bound it by the BITS size.
 */
export function encodedMaskSize(mask: MaskTable, encoding: MaskEncoding): number {
  if (encoding === 'delta')
    throw new ProtocolError('UNSUPPORTED_ENCODING', 'the size of a DELTA encoding depends on the mask: encode it')
  return headerSize(mask) + payloadSize(encoding, mask.layers)
}

/**
 * The most bytes a mask of this layer table takes in `encoding`: exact for BITS, F16 and F32;
 * for DELTA, the BITS size, which a DELTA encoding never exceeds. A requester that knows the
 * table bounds a transfer by it, so a peer cannot make it receive more.
 */
export function maxEncodedMaskSize(mask: MaskTable, encoding: MaskEncoding): number {
  return encodedMaskSize(mask, encoding === 'delta' ? 'bits' : encoding)
}

/**
 * A bound on a mask's size in `encoding` from the size of its BITS encoding (what offers and
 * announcements state), for a requester that does not know the layer table: each layer's BITS
 * payload holds at least one byte per 8 weights, so F16 takes at most 16 times the BITS size,
 * F32 at most 32 times, and DELTA at most the BITS size itself. Never above MAX_MASK_BYTES.
 */
export function maxEncodedSizeFromBits(bitsSize: number, encoding: MaskEncoding): number {
  const factor = encoding === 'f16' ? 16 : encoding === 'f32' ? 32 : 1
  return Math.min(bitsSize * factor, MAX_MASK_BYTES)
}

/**
 * Throws TRUNCATED or TRAILING_BYTES unless `bytes` is exactly as long as its header says.
 * Arithmetic only: use it where the payload is not decoded (the mask file reader).
 */
export function assertMaskLength(bytes: Uint8Array, header: MaskHeader): void {
  const expected = header.encodedSize
  if (bytes.length < expected)
    throw new ProtocolError('TRUNCATED', `mask payload is truncated: ${bytes.length} of ${expected} bytes`)
  if (bytes.length > expected)
    throw new ProtocolError('TRAILING_BYTES', `mask has ${bytes.length - expected} bytes after its payload`)
}

/** The binary mask 1[score >= 0] of a layer, one byte per weight (for comparisons and tests). */
export function binaryMask(scores: Float32Array): Uint8Array {
  const m = new Uint8Array(scores.length)
  for (let i = 0; i < scores.length; i++) m[i] = (scores[i] as number) >= 0 ? 1 : 0
  return m
}
