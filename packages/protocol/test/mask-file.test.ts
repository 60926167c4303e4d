import { describe, expect, it } from 'vitest'
import {
  contentId,
  encodeMask,
  encodeMaskFile,
  generated as pb,
  readMaskFile,
  readVerifiedMaskFile,
  type MaskMeta
} from '../src/index.js'
import { ctGraphMask } from './arbitraries.js'
import { expectCode } from './helpers.js'

const meta: MaskMeta = {
  reward: 0.98,
  stepsTrained: 25_600,
  origin: '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM',
  createdAtMs: 1_790_000_000_000
}

/**
 * A file whose envelope records the CID of whatever mask bytes it holds, as a careless or
 * hostile writer that skipped encodeMaskFile's checks would produce.
 */
function selfConsistentFile(maskBytes: Uint8Array): Uint8Array {
  const header = pb.MaskFileHeader.encode({ cid: contentId(maskBytes).bytes, meta }).finish()
  const envelope = Uint8Array.of(0x4c, 0x32, 0x44, 0x46, 1, 0, header.length & 0xff, header.length >> 8)
  return Uint8Array.from([...envelope, ...header, ...maskBytes])
}

describe('mask file', () => {
  const mask = ctGraphMask()
  const maskBytes = encodeMask(mask, 'bits')
  const file = encodeMaskFile(maskBytes, meta)

  it('holds the canonical encoding verbatim, its CID and the metadata', () => {
    const parsed = readMaskFile(file)
    expect(parsed.cidValid).toBe(true)
    expect(parsed.cid.equals(contentId(maskBytes))).toBe(true)
    expect(parsed.maskBytes).toEqual(maskBytes)
    expect(parsed.meta).toEqual(meta)
    expect(parsed.header).toMatchObject({
      taskKey: mask.taskKey,
      backboneId: mask.backboneId,
      encoding: 'bits',
      weights: 109_600
    })
    expect(file.length - maskBytes.length).toBeLessThan(200)
    const verified = readVerifiedMaskFile(file, { expectedBackboneId: mask.backboneId })
    expect(verified.mask.layers.map(l => l.name)).toEqual(mask.layers.map(l => l.name))
  })

  it('reports a corrupted payload as cidValid=false and refuses it when verifying', () => {
    const bad = file.slice()
    bad[bad.length - 10]! ^= 0x40
    const parsed = readMaskFile(bad)
    expect(parsed.cidValid).toBe(false)
    expectCode(() => readVerifiedMaskFile(bad), 'CID_MISMATCH')
  })

  it('refuses structural corruption with typed errors', () => {
    expectCode(() => readMaskFile(new Uint8Array(0)), 'TRUNCATED')
    expectCode(() => readMaskFile(Uint8Array.from([...file.subarray(0, 3), 0x58, ...file.subarray(4)])), 'MALFORMED')
    const v2 = file.slice()
    v2[4] = 2
    expectCode(() => readMaskFile(v2), 'UNKNOWN_VERSION')
    const longHeader = file.slice()
    longHeader[6] = 0xff
    longHeader[7] = 0xff
    expectCode(() => readMaskFile(longHeader), 'TOO_LARGE')
    expectCode(() => readMaskFile(file.subarray(0, 60)), 'TRUNCATED')
    expectCode(() => readMaskFile(file.subarray(0, file.length - 1)), 'TRUNCATED')
    expectCode(() => readMaskFile(Uint8Array.from([...file, 0])), 'TRAILING_BYTES')
  })

  describe('refuses mask bytes that do not decode even when the recorded CID matches them', () => {
    const f32 = encodeMask(mask, 'f32')
    const nan = f32.slice()
    new DataView(nan.buffer).setFloat32(nan.length - 4, NaN, true)
    const cases: Array<[string, Uint8Array, string]> = [
      ['truncated', maskBytes.subarray(0, maskBytes.length - 1), 'TRUNCATED'],
      ['padded', Uint8Array.from([...maskBytes, 0]), 'TRAILING_BYTES'],
      ['holding a NaN', nan, 'NON_FINITE']
    ]
    it.each(cases)('%s', (_, bad, expected) => {
      const badFile = selfConsistentFile(bad)
      expectCode(() => readMaskFile(badFile), expected)
      expectCode(() => readVerifiedMaskFile(badFile), expected)
      expectCode(() => encodeMaskFile(bad, meta), expected)
    })
    it('while the same writer with good bytes yields a valid file', () => {
      expect(readMaskFile(selfConsistentFile(f32)).cidValid).toBe(true)
    })
  })

  it('never writes a file whose mask bytes it could not read back', () => {
    expectCode(() => encodeMaskFile(Uint8Array.of(1, 2, 3), meta), 'TRUNCATED')
    expectCode(() => encodeMaskFile(maskBytes, { ...meta, reward: NaN }), 'NON_FINITE')
  })

  it('takes a CID the caller already computed: same file, no second decode or hash', () => {
    expect(encodeMaskFile(maskBytes, meta, { cid: contentId(maskBytes) })).toEqual(file)
    // The recorded CID is the caller's, not recomputed: a wrong one is written as given (and a
    // reader then reports the mismatch), which shows the hash was skipped.
    const other = contentId(Uint8Array.of(1, 2, 3))
    const trusted = readMaskFile(encodeMaskFile(maskBytes, meta, { cid: other }))
    expect(trusted.cid.equals(other)).toBe(true)
    expect(trusted.cidValid).toBe(false)
    // The metadata is still checked.
    expectCode(() => encodeMaskFile(maskBytes, { ...meta, reward: NaN }, { cid: contentId(maskBytes) }), 'NON_FINITE')
  })
})
