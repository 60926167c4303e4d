import { describe, expect, it } from 'vitest'
import { contentId, encodeMask, encodeMaskFile, ProtocolError, readMaskFile, readVerifiedMaskFile, type MaskMeta } from '../src/index.js'
import { ctGraphMask } from './arbitraries.js'

const meta: MaskMeta = { reward: 0.98, stepsTrained: 25_600, origin: '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM', createdAtMs: 1_790_000_000_000 }

function code (fn: () => unknown): string {
  try { fn() } catch (err) { expect(err).toBeInstanceOf(ProtocolError); return (err as ProtocolError).code }
  return 'none'
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
    expect(parsed.header).toMatchObject({ taskKey: mask.taskKey, backboneId: mask.backboneId, encoding: 'bits', weights: 109_600 })
    expect(file.length - maskBytes.length).toBeLessThan(200)
    const verified = readVerifiedMaskFile(file, { expectedBackboneId: mask.backboneId })
    expect(verified.mask.layers.map(l => l.name)).toEqual(mask.layers.map(l => l.name))
  })

  it('reports a corrupted payload as cidValid=false and refuses it when verifying', () => {
    const bad = file.slice()
    bad[bad.length - 10]! ^= 0x40
    const parsed = readMaskFile(bad)
    expect(parsed.cidValid).toBe(false)
    expect(code(() => readVerifiedMaskFile(bad))).toBe('CID_MISMATCH')
  })

  it('refuses structural corruption with typed errors', () => {
    expect(code(() => readMaskFile(new Uint8Array(0)))).toBe('TRUNCATED')
    expect(code(() => readMaskFile(Uint8Array.from([...file.subarray(0, 3), 0x58, ...file.subarray(4)])))).toBe('MALFORMED')
    const v2 = file.slice(); v2[4] = 2
    expect(code(() => readMaskFile(v2))).toBe('UNKNOWN_VERSION')
    const longHeader = file.slice(); longHeader[6] = 0xff; longHeader[7] = 0xff
    expect(code(() => readMaskFile(longHeader))).toBe('TOO_LARGE')
    expect(code(() => readMaskFile(file.subarray(0, 60)))).toBe('TRUNCATED')
    expect(code(() => readMaskFile(file.subarray(0, file.length - 1)))).toBe('none') // readable, but...
    expect(readMaskFile(file.subarray(0, file.length - 1)).cidValid).toBe(false)
    expect(code(() => readVerifiedMaskFile(file.subarray(0, file.length - 1)))).toBe('CID_MISMATCH')
  })

  it('never writes a file whose mask bytes it could not read back', () => {
    expect(code(() => encodeMaskFile(Uint8Array.of(1, 2, 3), meta))).toBe('TRUNCATED')
    expect(code(() => encodeMaskFile(maskBytes, { ...meta, reward: NaN }))).toBe('NON_FINITE')
  })
})
