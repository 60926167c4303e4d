import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contentId,
  DELTA_CLASSES,
  DeltaBase,
  decodeMask,
  encodedMaskSize,
  encodeMask,
  encodeMaskCompact,
  encodeMaskFile,
  isProtocolError,
  type Mask,
  type MaskHeader,
  maskDigest,
  maskOnes,
  type ProtocolError,
  packedMaskBits,
  readMaskFile,
  readMaskHeader,
  readVerifiedMaskFile
} from '../src/index.js'
import { CTGRAPH_LAYERS, layerNameArb, syntheticBase, trainedLikeMask } from './arbitraries.js'
import { expectCode } from './helpers.js'

const TASK = 'ctgraph/d2b2/img1/leaf01'
const BACKBONE = '0123456789abcdef0123456789abcdef'

/** Scores of a BITS decode, the reference every DELTA decode must equal. */
const bitsScores = (mask: Mask): number[][] =>
  decodeMask(encodeMask(mask, 'bits')).layers.map(l => Array.from(l.scores))

const H = (p: number): number => (p <= 0 || p >= 1 ? 0 : -p * Math.log2(p) - (1 - p) * Math.log2(1 - p))

/** Layer tables from one to a few layers of 1..4,000 weights, and per-class flip rates from 0 to 0.6. */
const caseArb = fc
  .record({
    layers: fc.uniqueArray(
      fc.record({
        name: layerNameArb,
        shape: fc.oneof(
          fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 })).map(([a, b]) => [a, b]),
          fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 })
        )
      }),
      { minLength: 1, maxLength: 4, selector: l => l.name }
    ),
    rates: fc.array(fc.double({ min: 0, max: 0.6, noNaN: true }), {
      minLength: DELTA_CLASSES,
      maxLength: DELTA_CLASSES
    }),
    seed: fc.nat({ max: 1_000_000 })
  })
  .map(({ layers, rates, seed }) => {
    const base = syntheticBase(TASK, BACKBONE, layers, seed)
    return { base, mask: trainedLikeMask(TASK, BACKBONE, layers, base, seed + 1, rates) }
  })

describe('DELTA mask encoding: round trips', () => {
  it('decodes to exactly the BITS decode of the same mask, re-encodes to the same bytes, never exceeds BITS', () => {
    let deltas = 0
    let fallbacks = 0
    fc.assert(
      fc.property(caseArb, ({ base, mask }) => {
        const bits = encodeMask(mask, 'bits')
        let delta: Uint8Array
        try {
          delta = encodeMask(mask, 'delta', { base })
        } catch (err) {
          expect(isProtocolError(err, 'TOO_LARGE'), String(err)).toBe(true)
          expect(encodeMaskCompact(mask, { base })).toEqual(bits)
          fallbacks++
          return
        }
        deltas++
        expect(delta.length).toBeLessThanOrEqual(bits.length)
        expect(encodeMaskCompact(mask, { base })).toEqual(delta)
        const back = decodeMask(delta, { deltaBase: base })
        expect(back.encoding).toBe('delta')
        expect(back.taskKey).toBe(mask.taskKey)
        expect(back.layers.map(l => Array.from(l.scores))).toEqual(bitsScores(mask))
        expect(maskDigest(back)).toBe(maskDigest(mask))
        expect(encodeMask(back, 'delta', { base })).toEqual(delta)
      }),
      { numRuns: 300 }
    )
    // Both branches ran: small or heavily flipped layers fall back to BITS, the rest is DELTA.
    expect(deltas).toBeGreaterThan(30)
    expect(fallbacks).toBeGreaterThan(10)
  })

  it('codes a trained-like CT-graph mask within 3% of its per-class entropy, far below BITS', () => {
    const base = syntheticBase(TASK, BACKBONE, CTGRAPH_LAYERS)
    const mask = trainedLikeMask(TASK, BACKBONE, CTGRAPH_LAYERS, base)
    const delta = encodeMask(mask, 'delta', { base })
    let entropyBits = 0
    mask.layers.forEach((l, li) => {
      const b = base.layers[li]!
      const size = new Array<number>(DELTA_CLASSES).fill(0)
      const flips = new Array<number>(DELTA_CLASSES).fill(0)
      for (let i = 0; i < l.scores.length; i++) {
        const q = b.classes[i]!
        size[q]!++
        if (+(l.scores[i]! >= 0) !== b.initialBits[i]) flips[q]!++
      }
      for (let q = 0; q < DELTA_CLASSES; q++) entropyBits += size[q]! * H(flips[q]! / size[q]!)
    })
    const header = encodedMaskSize({ ...mask, layers: [] }, 'bits') + CTGRAPH_LAYERS.length * 16 + 4
    expect(delta.length - header).toBeLessThan((entropyBits / 8) * 1.03 + 64)
    expect(delta.length * 3).toBeLessThan(encodeMask(mask, 'bits').length)
  })

  it('a mask equal to its base costs 12 bytes per layer; scores of 0 and -0 count as on', () => {
    const layers = [{ name: 'l', shape: [40, 40] }]
    const base = syntheticBase(TASK, BACKBONE, layers)
    const signs = Float32Array.from(base.layers[0]!.initialBits, (b, i) => (b === 1 ? (i % 2 ? 0 : -0) : -0.5))
    const mask: Mask = { taskKey: TASK, backboneId: BACKBONE, layers: [{ ...layers[0]!, scores: signs }] }
    const delta = encodeMask(mask, 'delta', { base })
    const header = readMaskHeader(delta)
    expect(delta.length - header.payloadOffset).toBe(4 + 4 + DELTA_CLASSES)
    expect(decodeMask(delta, { deltaBase: base }).layers.map(l => Array.from(l.scores))).toEqual(bitsScores(mask))
  })

  it('a mask unrelated to its base is larger as DELTA than BITS: encodeMask refuses, encodeMaskCompact sends BITS', () => {
    const layers = [{ name: 'l', shape: [50, 50] }]
    const base = syntheticBase(TASK, BACKBONE, layers)
    const mask = trainedLikeMask(TASK, BACKBONE, layers, base, 3, new Array(DELTA_CLASSES).fill(0.5))
    expectCode(() => encodeMask(mask, 'delta', { base }), 'TOO_LARGE')
    expect(readMaskHeader(encodeMaskCompact(mask, { base })).encoding).toBe('bits')
    expect(readMaskHeader(encodeMaskCompact(mask)).encoding).toBe('bits')
  })

  it('asks a base provider for the base of the header it decodes, and only for DELTA', () => {
    const base = syntheticBase(TASK, BACKBONE, CTGRAPH_LAYERS)
    const mask = trainedLikeMask(TASK, BACKBONE, CTGRAPH_LAYERS, base)
    const seen: MaskHeader[] = []
    const provider = (h: MaskHeader): DeltaBase => {
      seen.push(h)
      return base
    }
    const delta = encodeMask(mask, 'delta', { base })
    decodeMask(encodeMask(mask, 'bits'), { deltaBase: provider })
    expect(seen).toHaveLength(0)
    decodeMask(delta, { deltaBase: provider })
    expect(seen.map(h => [h.taskKey, h.encoding, h.weights, h.encodedSize])).toEqual([
      [TASK, 'delta', 109_600, delta.length]
    ])
  })
})

describe('DELTA mask encoding: refusals', () => {
  const layers = [{ name: 'body.0', shape: [30, 40] }]
  const base = syntheticBase(TASK, BACKBONE, layers)
  const mask = trainedLikeMask(TASK, BACKBONE, layers, base)
  const delta = encodeMask(mask, 'delta', { base })
  const header = readMaskHeader(delta)
  const section = header.payloadOffset + 4 // first layer section: f32 c, then the class counts

  it('refuses to encode or decode without a base (MISSING_BASE)', () => {
    expectCode(() => encodeMask(mask, 'delta'), 'MISSING_BASE')
    expectCode(() => decodeMask(delta), 'MISSING_BASE')
  })

  it('refuses a base for another task, backbone or layer table', () => {
    expectCode(() => decodeMask(delta, { deltaBase: syntheticBase('other/task', BACKBONE, layers) }), 'INVALID_FIELD')
    expectCode(() => decodeMask(delta, { deltaBase: syntheticBase(TASK, 'ffff', layers) }), 'BACKBONE_MISMATCH')
    expectCode(
      () => decodeMask(delta, { deltaBase: syntheticBase(TASK, BACKBONE, [{ shape: [30, 41] }]) }),
      'INCONSISTENT_SHAPE'
    )
    expectCode(
      () => encodeMask(mask, 'delta', { base: syntheticBase(TASK, BACKBONE, [...layers, ...layers]) }),
      'INCONSISTENT_SHAPE'
    )
    expectCode(
      () =>
        decodeMask(delta, { deltaBase: { taskKey: TASK, backboneId: BACKBONE, layers: [{}] } as unknown as DeltaBase }),
      'INVALID_FIELD'
    )
  })

  it('a base is checked when built: classes 0..7, bits 0..1, one of each per weight', () => {
    const bits = new Uint8Array(4)
    expectCode(
      () => new DeltaBase(TASK, BACKBONE, [{ initialBits: bits, classes: Uint8Array.of(0, 1, 8, 2) }]),
      'INVALID_FIELD'
    )
    expectCode(
      () => new DeltaBase(TASK, BACKBONE, [{ initialBits: Uint8Array.of(0, 2, 1, 0), classes: bits }]),
      'INVALID_FIELD'
    )
    expectCode(
      () => new DeltaBase(TASK, BACKBONE, [{ initialBits: bits, classes: new Uint8Array(3) }]),
      'INCONSISTENT_SHAPE'
    )
    expectCode(() => new DeltaBase('bad//key', BACKBONE, []), 'INVALID_FIELD')
  })

  it('refuses every truncation with TRUNCATED or MALFORMED, and trailing bytes', () => {
    for (let n = 0; n < delta.length; n++) {
      try {
        decodeMask(delta.subarray(0, n), { deltaBase: base })
        expect.fail(`accepted a ${n}-byte prefix`)
      } catch (err) {
        expect(isProtocolError(err)).toBe(true)
        expect(['TRUNCATED', 'MALFORMED']).toContain((err as ProtocolError).code)
      }
    }
    expectCode(() => decodeMask(Uint8Array.from([...delta, 0]), { deltaBase: base }), 'TRAILING_BYTES')
  })

  it('refuses a length field beyond the BITS size (TOO_LARGE) or beside the real length', () => {
    const patched = (length: number): Uint8Array => {
      const b = delta.slice()
      new DataView(b.buffer).setUint32(header.payloadOffset, length, true)
      return b
    }
    const bitsPayload = encodeMask(mask, 'bits').length - header.payloadOffset
    expectCode(() => readMaskHeader(patched(bitsPayload - 3)), 'TOO_LARGE')
    expectCode(() => decodeMask(patched(0xffffffff), { deltaBase: base }), 'TOO_LARGE')
    expectCode(() => decodeMask(patched(header.encodedSize - section + 1), { deltaBase: base }), 'TRUNCATED')
    // One byte more announced than present, with one spare byte appended: the layers end before the payload does.
    const longer = Uint8Array.from([...patched(header.encodedSize - section + 1), 0])
    expectCode(() => decodeMask(longer, { deltaBase: base }), 'TRAILING_BYTES')
  })

  /** The encoding with bytes [at, at + remove) of the payload replaced by `insert`, and the length field fixed. */
  const splice = (at: number, remove: number, ...insert: number[]): Uint8Array => {
    const b = Uint8Array.from([...delta.subarray(0, at), ...insert, ...delta.subarray(at + remove)])
    new DataView(b.buffer).setUint32(header.payloadOffset, b.length - section, true)
    return b
  }
  const class0Count = delta[section + 4]!

  it('refuses a count above the weights of its class, and a count not minimally encoded', () => {
    expect(class0Count).toBeLessThan(0x80) // ~31% of the ~150 class-0 weights: one byte
    expectCode(() => decodeMask(splice(section + 4, 1, 0x90, 0x0b), { deltaBase: base }), 'MALFORMED') // 1,424
    expectCode(() => decodeMask(splice(section + 4, 1, class0Count | 0x80, 0), { deltaBase: base }), 'MALFORMED')
    expectCode(() => decodeMask(splice(section + 4, 1, 0x80, 0x80, 0x80, 0x80, 0), { deltaBase: base }), 'MALFORMED')
  })

  it('refuses a Rice parameter above the largest or other than the canonical one', () => {
    const k = delta[section + 5]!
    expectCode(() => decodeMask(splice(section + 5, 1, 24), { deltaBase: base }), 'MALFORMED')
    // Any other parameter either misreads the stream or decodes with a larger size: refused either way.
    for (const other of [k - 1, k + 1, k + 2].filter(v => v >= 0)) {
      expect(() => decodeMask(splice(section + 5, 1, other), { deltaBase: base })).toThrow(
        /canonical|beyond|input ends|padding/
      )
    }
  })

  it('refuses non-zero padding bits, and a non-positive or non-finite magnitude', () => {
    const last = delta.length - 1
    const used = delta[last]!
    expect(used).toBeLessThan(0x80) // the stream ends before the top bit of its last byte (checked: it has padding)
    const padded = delta.slice()
    padded[last] = used | 0x80
    expectCode(() => decodeMask(padded, { deltaBase: base }), 'MALFORMED')
    const nan = delta.slice()
    nan.set([0, 0, 0xc0, 0x7f], section)
    expectCode(() => decodeMask(nan, { deltaBase: base }), 'NON_FINITE')
    const negative = delta.slice()
    negative.set([0, 0, 0x80, 0xbf], section)
    expectCode(() => decodeMask(negative, { deltaBase: base }), 'INVALID_FIELD')
  })

  it('the size of a DELTA encoding is not known before encoding', () => {
    expectCode(() => encodedMaskSize(mask, 'delta'), 'UNSUPPORTED_ENCODING')
  })
})

describe('DELTA in a mask file', () => {
  const base = syntheticBase(TASK, BACKBONE, CTGRAPH_LAYERS)
  const mask = trainedLikeMask(TASK, BACKBONE, CTGRAPH_LAYERS, base)
  const delta = encodeMask(mask, 'delta', { base })
  const meta = { reward: 1, stepsTrained: 3840, origin: '', createdAtMs: 1 }
  const file = encodeMaskFile(delta, meta, { cid: contentId(delta) })

  it('reads back with its base (checked against the recorded CID), and is MISSING_BASE without one', () => {
    const read = readMaskFile(file, { deltaBase: base })
    expect(read.cidValid).toBe(true)
    expect(read.header.encoding).toBe('delta')
    expect(maskDigest(read.mask!)).toBe(maskDigest(mask))
    expect(readVerifiedMaskFile(file, { deltaBase: base }).mask.layers).toHaveLength(5)
    expectCode(() => readMaskFile(file), 'MISSING_BASE')
    // Written without `verified`, the envelope cannot check a DELTA payload: it refuses rather than guess.
    expectCode(() => encodeMaskFile(delta, meta), 'MISSING_BASE')
  })

  it('a corrupt DELTA file is reported (cidValid false) without needing its base', () => {
    const bad = file.slice()
    bad[bad.length - 2]! ^= 0x10
    const read = readMaskFile(bad)
    expect(read.cidValid).toBe(false)
    expect(read.mask).toBeNull()
  })
})

describe('mask digest and ones: what a mask does, whatever its encoding', () => {
  const base = syntheticBase(TASK, BACKBONE, CTGRAPH_LAYERS)
  const mask = trainedLikeMask(TASK, BACKBONE, CTGRAPH_LAYERS, base)

  it('is the same for BITS, F16, F32 and DELTA encodings of one mask', () => {
    const digests = (['bits', 'f16', 'f32', 'delta'] as const).map(e =>
      maskDigest(decodeMask(encodeMask(mask, e, { base }), { deltaBase: base }))
    )
    expect(new Set(digests).size).toBe(1)
    expect(digests[0]).toMatch(/^[0-9a-f]{64}$/)
  })

  it('changes when one weight flips, and ones counts the weights on', () => {
    const flipped: Mask = {
      ...mask,
      layers: mask.layers.map((l, i) => (i === 4 ? { ...l, scores: l.scores.map((v, j) => (j === 199 ? -v : v)) } : l))
    }
    expect(maskDigest(flipped)).not.toBe(maskDigest(mask))
    const ones = mask.layers.reduce((sum, l) => sum + l.scores.filter(v => v >= 0).length, 0)
    expect(maskOnes(mask)).toBe(ones)
    expect(Math.abs(maskOnes(flipped) - ones)).toBe(1)
  })

  it('hashes the BITS packing of each layer, in table order', () => {
    const tiny: Mask = {
      taskKey: TASK,
      backboneId: BACKBONE,
      layers: [
        { name: 'a', shape: [3, 3], scores: Float32Array.of(1, -1, 0, -0, -2, 2, 1, 1, -1) },
        { name: 'b', shape: [2], scores: Float32Array.of(-1, 1) }
      ]
    }
    // a: on at 0, 2, 3 (-0 >= 0), 5, 6, 7 -> 0b11101101, then bit 8 off -> 0x00; b: on at 1 -> 0x02
    expect(Array.from(packedMaskBits(tiny))).toEqual([0b11101101, 0x00, 0x02])
  })
})
