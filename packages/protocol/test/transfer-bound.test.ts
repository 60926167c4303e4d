import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeMask,
  encodeMaskCompact,
  MAX_MASK_BYTES,
  maxEncodedMaskSize,
  maxEncodedSizeFromBits,
  type MaskEncoding
} from '../src/index.js'
import { ctGraphMask, maskArb, syntheticBase } from './arbitraries.js'

const ENCODINGS: MaskEncoding[] = ['bits', 'f16', 'f32']

describe('the size bounds a requester puts on a transfer', () => {
  it('maxEncodedMaskSize is exact for BITS, F16 and F32, and bounds DELTA by BITS', () => {
    fc.assert(
      fc.property(maskArb, mask => {
        for (const e of ENCODINGS) expect(maxEncodedMaskSize(mask, e)).toBe(encodeMask(mask, e).length)
        expect(maxEncodedMaskSize(mask, 'delta')).toBe(encodeMask(mask, 'bits').length)
      }),
      { numRuns: 200 }
    )
    const mask = ctGraphMask(3)
    const base = syntheticBase(mask.taskKey, mask.backboneId, mask.layers)
    expect(encodeMaskCompact(mask, { base }).length).toBeLessThanOrEqual(maxEncodedMaskSize(mask, 'delta'))
  })

  it('maxEncodedSizeFromBits never falls below the real size in any encoding, and never above MAX_MASK_BYTES', () => {
    fc.assert(
      fc.property(maskArb, mask => {
        const bits = encodeMask(mask, 'bits').length
        for (const e of ENCODINGS)
          expect(maxEncodedSizeFromBits(bits, e)).toBeGreaterThanOrEqual(encodeMask(mask, e).length)
        expect(maxEncodedSizeFromBits(bits, 'delta')).toBe(bits)
      }),
      { numRuns: 200 }
    )
    expect(maxEncodedSizeFromBits(MAX_MASK_BYTES, 'f32')).toBe(MAX_MASK_BYTES)
    // the CT-graph network: 13,866 B in BITS
    const ct = encodeMask(ctGraphMask(1), 'bits').length
    expect(maxEncodedSizeFromBits(ct, 'bits')).toBe(ct)
    expect(maxEncodedSizeFromBits(ct, 'f32')).toBeLessThan(MAX_MASK_BYTES / 30)
  })
})
