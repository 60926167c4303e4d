import { describe, expect, it } from 'vitest'
import { decoders, fuzzDecoder, type FuzzReport } from './fuzz-engine.js'

// At least 10,000 frames per decoder in CI; `pnpm bench:codec --fuzz N` runs many more.
const FRAMES = 10_000

describe('decoders under fuzzing: only ProtocolError, never another exception', () => {
  const reports: FuzzReport[] = []
  for (const [i, d] of decoders.entries()) {
    it(`${d.name}: ${FRAMES} random and mutated frames`, () => {
      const report = fuzzDecoder(d, FRAMES, 0x5eed + i)
      reports.push(report)
      const refused = Object.values(report.refused).reduce((a, b) => a + b, 0)
      expect(refused + report.decoded).toBe(FRAMES)
      expect(refused).toBeGreaterThan(0)
    })
  }

  it('DELTA mutations reach the payload: some decode (with the base of their header), some break the bit stream', () => {
    const delta = reports.find(r => r.name.startsWith('mask (DELTA'))
    expect(delta?.decoded).toBeGreaterThan(0)
    expect(Object.keys(delta?.refused ?? {})).toEqual(expect.arrayContaining(['MALFORMED', 'TRUNCATED', 'TOO_LARGE']))
  })

  it('the mutations reach deep validation, not only the first parse error', () => {
    const codes = new Set(reports.flatMap(r => Object.keys(r.refused)))
    expect(reports.length).toBe(decoders.length)
    for (const code of [
      'MALFORMED',
      'TRUNCATED',
      'UNKNOWN_VERSION',
      'UNKNOWN_ENUM',
      'INVALID_FIELD',
      'CID_MISMATCH',
      'INCONSISTENT_SHAPE',
      'TRAILING_BYTES'
    ]) {
      expect(codes, `no fuzzed frame was refused with ${code}`).toContain(code)
    }
  })
})
