import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  binaryMask,
  contentId,
  decodeMask,
  encodeMask,
  encodedMaskSize,
  isProtocolError,
  MAX_MASK_WEIGHTS,
  type ProtocolError,
  readMaskHeader,
  type Mask,
  type MaskEncoding
} from '../src/index.js'
import { ctGraphMask, maskArb } from './arbitraries.js'
import { expectCode } from './helpers.js'

const sameMasks = (a: Mask, b: Mask): void => {
  expect(b.layers.map(l => [l.name, [...l.shape]])).toEqual(a.layers.map(l => [l.name, [...l.shape]]))
  a.layers.forEach((l, i) => {
    expect(Buffer.compare(binaryMask(b.layers[i]!.scores), binaryMask(l.scores)), `layer ${l.name}`).toBe(0)
  })
}

describe('mask codec: round trips', () => {
  it('F32 round-trips every score exactly, over random shapes', () => {
    fc.assert(
      fc.property(maskArb, mask => {
        const back = decodeMask(encodeMask(mask, 'f32'))
        expect(back.encoding).toBe('f32')
        expect(back.taskKey).toBe(mask.taskKey)
        expect(back.backboneId).toBe(mask.backboneId)
        back.layers.forEach((l, i) => {
          expect(Array.from(l.scores)).toEqual(Array.from(mask.layers[i]!.scores))
        })
      }),
      { numRuns: 200 }
    )
  })

  it('BITS and F16 preserve the binary mask 1[score >= 0] exactly, over random shapes', () => {
    fc.assert(
      fc.property(maskArb, fc.constantFrom<MaskEncoding>('bits', 'f16'), (mask, encoding) => {
        const back = decodeMask(encodeMask(mask, encoding))
        expect(back.encoding).toBe(encoding)
        sameMasks(mask, back)
      }),
      { numRuns: 300 }
    )
  })

  it('BITS rebuilds scores as ±(mean |score|) per layer', () => {
    const mask: Mask = {
      taskKey: 't/1',
      backboneId: 'b1',
      layers: [{ name: 'l', shape: [2, 2], scores: Float32Array.of(0.5, -0.25, 0, -1) }]
    }
    const back = decodeMask(encodeMask(mask, 'bits'))
    expect(Array.from(back.layers[0]!.scores)).toEqual([0.4375, -0.4375, 0.4375, -0.4375])
  })

  it('encoding is deterministic and canonical: equal masks give equal bytes and content ids', () => {
    fc.assert(
      fc.property(maskArb, fc.constantFrom<MaskEncoding>('bits', 'f16', 'f32'), (mask, encoding) => {
        const a = encodeMask(mask, encoding)
        const b = encodeMask(decodeMask(a), encoding)
        if (encoding !== 'bits')
          expect(b).toEqual(a) // BITS re-encodes ±c, whose mean |c| is c: also equal
        else expect(contentId(b).equals(contentId(a))).toBe(true)
      }),
      { numRuns: 100 }
    )
  })

  it("encodedMaskSize and the header's encodedSize predict the size exactly", () => {
    fc.assert(
      fc.property(maskArb, fc.constantFrom<MaskEncoding>('bits', 'f16', 'f32'), (mask, encoding) => {
        const bytes = encodeMask(mask, encoding)
        expect(encodedMaskSize(mask, encoding)).toBe(bytes.length)
        expect(readMaskHeader(bytes).encodedSize).toBe(bytes.length)
      }),
      { numRuns: 100 }
    )
  })
})

describe('mask codec: the CT-graph network of the reference', () => {
  const mask = ctGraphMask()

  it('encodes 109,600 weights as BITS in at most 14,000 bytes (32x less than the reference 438,400)', () => {
    const bytes = encodeMask(mask, 'bits')
    expect(readMaskHeader(bytes).weights).toBe(109_600)
    expect(bytes.length).toBeLessThanOrEqual(14_000)
    expect(438_400 / bytes.length).toBeGreaterThan(31)
    sameMasks(mask, decodeMask(bytes))
  })

  it('F16 and F32 sizes follow from the weight count', () => {
    const header = encodeMask(mask, 'bits').length - (109_600 / 8 + 5 * 4)
    expect(encodeMask(mask, 'f16').length).toBe(header + 2 * 109_600)
    expect(encodeMask(mask, 'f32').length).toBe(header + 4 * 109_600)
  })
})

describe('mask codec: verification options', () => {
  const mask = ctGraphMask()
  const bytes = encodeMask(mask, 'bits')

  it('accepts the right CID and refuses another', () => {
    expect(() => decodeMask(bytes, { expectedCid: contentId(bytes) })).not.toThrow()
    expectCode(() => decodeMask(bytes, { expectedCid: contentId(encodeMask(ctGraphMask(2), 'bits')) }), 'CID_MISMATCH')
    const flipped = bytes.slice()
    flipped[flipped.length - 1]! ^= 1
    expectCode(() => decodeMask(flipped, { expectedCid: contentId(bytes) }), 'CID_MISMATCH')
  })

  it('refuses another backbone, task or layer table', () => {
    expectCode(() => decodeMask(bytes, { expectedBackboneId: 'other' }), 'BACKBONE_MISMATCH')
    expectCode(() => decodeMask(bytes, { expectedTaskKey: 'ctgraph/d2b2/img1/leaf00' }), 'INVALID_FIELD')
    expectCode(
      () => decodeMask(bytes, { expectedLayers: [{ name: 'body.0', shape: [200, 144] }] }),
      'INCONSISTENT_SHAPE'
    )
    expectCode(
      () =>
        decodeMask(bytes, {
          expectedLayers: mask.layers.map((l, i) => ({ name: l.name, shape: i === 3 ? [4, 200] : l.shape }))
        }),
      'INCONSISTENT_SHAPE'
    )
    expect(() =>
      decodeMask(bytes, {
        expectedLayers: mask.layers,
        expectedBackboneId: mask.backboneId,
        expectedTaskKey: mask.taskKey
      })
    ).not.toThrow()
  })
})

describe('mask codec: hostile input', () => {
  const small: Mask = {
    taskKey: 'task/a',
    backboneId: 'bb',
    layers: [{ name: 'l0', shape: [3, 5], scores: Float32Array.from({ length: 15 }, (_, i) => i - 7) }]
  }
  const encode = (e: MaskEncoding = 'bits'): Uint8Array => encodeMask(small, e)
  // Offsets in `small`: magic 0-3, version 4, encoding 5, flags 6-7, key len 8, key 9-14, bb len 15,
  // bb 16-17, layer count 18, name len 19, name 20-21, rank 22, dims 23-30, payload 31...
  const patch = (b: Uint8Array, at: number, ...v: number[]): Uint8Array => {
    const c = b.slice()
    c.set(v, at)
    return c
  }

  it('refuses every truncation with TRUNCATED or MALFORMED', () => {
    for (const e of ['bits', 'f16', 'f32'] as const) {
      const b = encode(e)
      for (let n = 0; n < b.length; n++) {
        try {
          decodeMask(b.subarray(0, n))
          expect.fail(`accepted a ${n}-byte prefix`)
        } catch (err) {
          expect(isProtocolError(err)).toBe(true)
          expect(['TRUNCATED', 'MALFORMED']).toContain((err as ProtocolError).code)
        }
      }
    }
  })

  it('refuses trailing bytes, bad magic, unknown version, unknown encodings, reserved flags, DELTA without a base', () => {
    const b = encode()
    expectCode(() => decodeMask(Uint8Array.from([...b, 0])), 'TRAILING_BYTES')
    expectCode(() => decodeMask(patch(b, 0, 0x4d)), 'MALFORMED')
    expectCode(() => decodeMask(patch(b, 4, 2)), 'UNKNOWN_VERSION')
    expectCode(() => decodeMask(patch(b, 5, 9)), 'UNKNOWN_ENUM')
    // BITS relabelled DELTA: its first magnitude is read as the DELTA length, far beyond the BITS size.
    expectCode(() => decodeMask(patch(b, 5, 4)), 'TOO_LARGE')
    expectCode(() => decodeMask(patch(b, 6, 1)), 'MALFORMED')
    expectCode(() => encodeMask(small, 'delta'), 'MISSING_BASE')
  })

  it('refuses non-finite values: F32 NaN/Inf, F16 Inf/NaN, BITS magnitude NaN, zero or negative', () => {
    const f32 = encode('f32')
    expectCode(() => decodeMask(patch(f32, 31, 0x00, 0x00, 0xc0, 0x7f)), 'NON_FINITE')
    expectCode(() => decodeMask(patch(f32, 35, 0x00, 0x00, 0x80, 0xff)), 'NON_FINITE')
    const f16 = encode('f16')
    expectCode(() => decodeMask(patch(f16, 31, 0x00, 0x7c)), 'NON_FINITE')
    expectCode(() => decodeMask(patch(f16, 33, 0x01, 0xfe)), 'NON_FINITE')
    const bits = encode('bits')
    expectCode(() => decodeMask(patch(bits, 31, 0x00, 0x00, 0xc0, 0x7f)), 'NON_FINITE')
    expectCode(() => decodeMask(patch(bits, 31, 0, 0, 0, 0)), 'INVALID_FIELD')
    expectCode(() => decodeMask(patch(bits, 31, 0x00, 0x00, 0x80, 0xbf)), 'INVALID_FIELD')
    expectCode(
      () =>
        encodeMask(
          { ...small, layers: [{ ...small.layers[0]!, scores: Float32Array.from({ length: 15 }, () => NaN) }] },
          'f32'
        ),
      'NON_FINITE'
    )
  })

  it('refuses non-zero padding bits (non-canonical BITS)', () => {
    const b = encode('bits') // 15 weights: 2 bytes of bits, the top bit of the second is padding
    expectCode(() => decodeMask(patch(b, b.length - 1, b[b.length - 1]! | 0x80)), 'MALFORMED')
  })

  it('refuses inconsistent layer tables and oversized claims before allocating', () => {
    const b = encode()
    expectCode(() => decodeMask(patch(b, 18, 0)), 'TOO_LARGE') // zero layers
    expectCode(() => decodeMask(patch(b, 18, 65)), 'TOO_LARGE')
    expectCode(() => decodeMask(patch(b, 22, 0)), 'INCONSISTENT_SHAPE') // rank 0
    expectCode(() => decodeMask(patch(b, 22, 5)), 'INCONSISTENT_SHAPE')
    expectCode(() => decodeMask(patch(b, 23, 0, 0, 0, 0)), 'INCONSISTENT_SHAPE') // a zero dimension
    // A claimed 2^31 x 5 layer: refused from the table alone, nothing proportional is allocated.
    expectCode(() => decodeMask(patch(b, 23, 0, 0, 0, 0x80)), 'INCONSISTENT_SHAPE')
    expectCode(() => decodeMask(patch(b, 23, 0, 0, 0x40, 0)), 'TOO_LARGE') // 4,194,304 x 5 > MAX_MASK_WEIGHTS
    // A table that claims more weights than the bytes present.
    expectCode(() => decodeMask(patch(b, 23, 4)), 'TRUNCATED')
    expect(MAX_MASK_WEIGHTS).toBe(4_194_304)
  })

  it('refuses invalid identifiers', () => {
    expectCode(() => encodeMask({ ...small, taskKey: '' }), 'INVALID_FIELD')
    expectCode(() => encodeMask({ ...small, taskKey: '../etc/passwd' }), 'INVALID_FIELD')
    expectCode(() => encodeMask({ ...small, taskKey: 'a//b' }), 'INVALID_FIELD')
    expectCode(() => encodeMask({ ...small, backboneId: 'has space' }), 'INVALID_FIELD')
    expectCode(() => encodeMask({ ...small, layers: [...small.layers, small.layers[0]!] }), 'INCONSISTENT_SHAPE')
    expectCode(() => encodeMask({ ...small, layers: [{ ...small.layers[0]!, shape: [4, 5] }] }), 'INCONSISTENT_SHAPE')
    const b = encode()
    expectCode(() => decodeMask(patch(b, 9, 0x2f)), 'INVALID_FIELD') // key starting with '/'
    expectCode(() => decodeMask(patch(b, 9, 0xff)), 'MALFORMED') // not UTF-8
  })
})
