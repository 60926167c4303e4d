import { describe, expect, it } from 'vitest'
import { deriveStream } from '../../../src/rng/prng.js'
import {
  BackboneConfigError,
  backboneLayers,
  createBackbone,
  DEFAULT_BACKBONE_SEED
} from '../../../src/learner/backbone.js'

describe('fixed random backbone', () => {
  const ct = createBackbone({ inputSize: 144, numActions: 3 })

  it('has the reference layer names and shapes by default', () => {
    expect(ct.seed).toBe(DEFAULT_BACKBONE_SEED)
    expect(ct.layers.map(l => [l.name, l.outSize, l.inSize])).toEqual([
      ['body.0', 200, 144],
      ['body.1', 200, 200],
      ['body.2', 200, 200],
      ['policy', 3, 200],
      ['value', 1, 200]
    ])
    expect(ct.weights.reduce((s, w) => s + w.length, 0)).toBe(109_600)
  })

  it('holds only ±sqrt(2/fan_in), about half of each sign', () => {
    ct.layers.forEach((l, i) => {
      const w = ct.weights[i]!
      const mag = Math.fround(Math.sqrt(2 / l.inSize))
      let positive = 0
      for (const v of w) {
        expect(Math.abs(v)).toBe(mag)
        if (v > 0) positive++
      }
      expect(Math.abs(positive / w.length - 0.5)).toBeLessThan(2 / Math.sqrt(w.length))
    })
  })

  it('is deterministic: the same config gives bit-identical weights and id', () => {
    const again = createBackbone({ inputSize: 144, numActions: 3 })
    expect(again.id).toBe(ct.id)
    again.weights.forEach((w, i) => {
      expect(Buffer.from(w.buffer).equals(Buffer.from(ct.weights[i]!.buffer))).toBe(true)
    })
  })

  it('pins the wire-relevant id and first weights of the CT-graph backbone', () => {
    // Changing these breaks mask compatibility with every deployed node: bump BACKBONE_FORMAT instead.
    expect(ct.id).toMatch(/^[0-9a-f]{32}$/)
    expect(ct.id).toBe(PINNED_ID)
    expect(Array.from(ct.weights[0]!.subarray(0, 8)).map(v => Math.sign(v))).toEqual(PINNED_SIGNS)
  })

  it('follows the documented rule: top bit of each u32 of stream (seed, "backbone/<layer>") gives the sign', () => {
    ct.layers.forEach((l, i) => {
      const rng = deriveStream(9157, `backbone/${l.name}`)
      const mag = Math.fround(Math.sqrt(2 / l.inSize))
      for (let k = 0; k < 50; k++) expect(ct.weights[i]![k]).toBe(rng.nextUint32() >= 0x80000000 ? -mag : mag)
    })
  })

  it('changes id when the seed, a shape or the action count changes', () => {
    const ids = new Set([
      ct.id,
      createBackbone({ inputSize: 144, numActions: 3, seed: 9158 }).id,
      createBackbone({ inputSize: 150, numActions: 3 }).id,
      createBackbone({ inputSize: 144, numActions: 4 }).id,
      createBackbone({ inputSize: 144, numActions: 3, hiddenSizes: [200, 200] }).id
    ])
    expect(ids.size).toBe(5)
  })

  it('keeps a layer independent of the other layers shapes (per-layer streams)', () => {
    const other = createBackbone({ inputSize: 144, numActions: 4 })
    expect(Array.from(other.weights[1]!)).toEqual(Array.from(ct.weights[1]!))
    // The policy stream is the same; a fourth action only appends a row.
    expect(other.weights[3]!.length).toBe(800)
    expect(Array.from(other.weights[3]!.subarray(0, 600))).toEqual(Array.from(ct.weights[3]!))
  })

  it('rejects bad configurations with a typed error', () => {
    expect(() => backboneLayers({ inputSize: 0, numActions: 3 })).toThrow(BackboneConfigError)
    expect(() => backboneLayers({ inputSize: 10, numActions: 3, hiddenSizes: [] })).toThrow(BackboneConfigError)
    expect(() => createBackbone({ inputSize: 10, numActions: 3, seed: -2 })).toThrow(BackboneConfigError)
  })
})

const PINNED_ID = '7e7ce5d515d5a2b162a10cdc7590e5fe'
const PINNED_SIGNS = [-1, 1, 1, 1, 1, 1, 1, 1]
