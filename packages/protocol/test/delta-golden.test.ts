import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DeltaBase, decodeMask, encodeMask, type Mask, maskDigest, readMaskHeader } from '../src/index.js'
import { mulberry32, TRAINED_FLIP_RATES } from './arbitraries.js'
import { expectCode } from './helpers.js'

/**
 * Golden vectors of the DELTA encoding (docs/delta-encoding.md), self-contained for other
 * implementations: each gives the base (initial bits and classes, one character per weight),
 * the mask (its binary mask and per-layer magnitude), and the DELTA and BITS bytes. The first
 * is small enough to check by hand (the breakdown below and in the spec). Regenerate with
 * UPDATE_GOLDEN=1 only for an intended, versioned format change, and review the diff.
 */

const FIXTURE = new URL('./fixtures/delta-golden.json', import.meta.url)

interface VectorLayer {
  name: string
  shape: number[]
  magnitude: number
  /** '0'/'1' per weight: the base's initial bits. */
  initialBits: string
  /** '0'..'7' per weight: the base's classes. */
  classes: string
  /** '0'/'1' per weight: the mask (1 = score >= 0). */
  maskBits: string
}

interface Vector {
  name: string
  description: string
  taskKey: string
  backboneId: string
  layers: VectorLayer[]
  delta: string
  bits: string
  maskDigest: string
}

const digits = (a: ArrayLike<number>): string => Array.from(a).join('')
const fromDigits = (s: string): Uint8Array => Uint8Array.from(s, ch => Number(ch))

/** tiny: 256 weights, class i mod 8, initial bit (i >> 3) & 1; flips at weights 0, 13, 16, 24, 127. */
function tinyLayer(): VectorLayer {
  const n = 256
  const initial = Array.from({ length: n }, (_, i) => (i >> 3) & 1)
  const flips = new Set([0, 13, 16, 24, 127])
  return {
    name: 'body.0',
    shape: [16, 16],
    magnitude: 0.5,
    initialBits: digits(initial),
    classes: digits(Array.from({ length: n }, (_, i) => i & 7)),
    maskBits: digits(initial.map((b, i) => (flips.has(i) ? 1 - b : b)))
  }
}

/** A layer shaped like a trained one: random base, flips at the measured CT-graph rate of each class. */
function trainedLayer(name: string, shape: number[], magnitude: number, seed: number): VectorLayer {
  const n = shape.reduce((a, b) => a * b, 1)
  const next = mulberry32(seed)
  const initial: number[] = []
  const classes: number[] = []
  const mask: number[] = []
  for (let i = 0; i < n; i++) {
    const u = Math.floor(next() * 2 ** 32)
    initial.push(u >>> 31)
    classes.push(u & 7)
    mask.push(next() < TRAINED_FLIP_RATES[u & 7]! ? 1 - (u >>> 31) : u >>> 31)
  }
  return { name, shape, magnitude, initialBits: digits(initial), classes: digits(classes), maskBits: digits(mask) }
}

const specs: Array<Omit<Vector, 'delta' | 'bits' | 'maskDigest'>> = [
  {
    name: 'tiny',
    description:
      'one 16x16 layer; class of weight i is i mod 8, its initial bit (i >> 3) & 1; the mask differs at weights 0, 13, 16, 24 and 127',
    taskKey: 'tiny/task',
    backboneId: 'b0',
    layers: [tinyLayer()]
  },
  {
    name: 'two-layers',
    description:
      'a 64x64 and a 1x64 layer, random base, flips at trained CT-graph rates per class (class 0 has more than 127: a two-byte count)',
    taskKey: 'ctgraph/d2b2/img1/leaf01',
    backboneId: '0123456789abcdef0123456789abcdef',
    layers: [trainedLayer('body.0', [64, 64], 0.25, 1), trainedLayer('value', [1, 64], 0.125, 2)]
  }
]

function maskOf(v: Omit<Vector, 'delta' | 'bits' | 'maskDigest'>): Mask {
  return {
    taskKey: v.taskKey,
    backboneId: v.backboneId,
    layers: v.layers.map(l => ({
      name: l.name,
      shape: l.shape,
      scores: Float32Array.from(fromDigits(l.maskBits), b => (b === 1 ? l.magnitude : -l.magnitude))
    }))
  }
}

function baseOf(v: Omit<Vector, 'delta' | 'bits' | 'maskDigest'>): DeltaBase {
  return new DeltaBase(
    v.taskKey,
    v.backboneId,
    v.layers.map(l => ({ initialBits: fromDigits(l.initialBits), classes: fromDigits(l.classes) }))
  )
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))

if (process.env.UPDATE_GOLDEN === '1') {
  const vectors: Vector[] = specs.map(v => {
    const mask = maskOf(v)
    return {
      ...v,
      delta: hex(encodeMask(mask, 'delta', { base: baseOf(v) })),
      bits: hex(encodeMask(mask, 'bits')),
      maskDigest: maskDigest(mask)
    }
  })
  writeFileSync(
    FIXTURE,
    `${JSON.stringify({ format: 'l2d2c DELTA mask encoding, golden vectors', vectors }, null, 2)}\n`
  )
}

describe('DELTA golden vectors (the frozen format, docs/delta-encoding.md)', () => {
  const golden: Vector[] = existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')).vectors : []

  it('the fixture holds exactly the vectors below, with the same inputs', () => {
    expect(golden.map(({ delta: _d, bits: _b, maskDigest: _m, ...inputs }) => inputs)).toEqual(specs)
  })

  for (const spec of specs) {
    it(`${spec.name}: encodes to the frozen bytes, and the frozen bytes decode to the mask`, () => {
      const v = golden.find(g => g.name === spec.name)
      expect(v).toBeDefined()
      const mask = maskOf(spec)
      const base = baseOf(spec)
      expect(hex(encodeMask(mask, 'delta', { base }))).toBe(v?.delta)
      expect(hex(encodeMask(mask, 'bits'))).toBe(v?.bits)
      const back = decodeMask(unhex(v?.delta ?? ''), { deltaBase: base })
      expect(back.layers.map(l => Array.from(l.scores))).toEqual(mask.layers.map(l => Array.from(l.scores)))
      expect(maskDigest(back)).toBe(v?.maskDigest)
      expect(maskDigest(decodeMask(unhex(v?.bits ?? '')))).toBe(v?.maskDigest)
    })
  }

  it('tiny: a magnitude below the minimum an encoder writes is refused (a second encoding of the mask)', () => {
    const spec = specs.find(x => x.name === 'tiny')!
    const bytes = unhex(golden.find(g => g.name === 'tiny')?.delta ?? '')
    const at = readMaskHeader(bytes).payloadOffset + 4 // after the length field
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    view.setFloat32(at, Math.fround(1e-6), true)
    expect(Math.abs(decodeMask(bytes, { deltaBase: baseOf(spec) }).layers[0]!.scores[0]!)).toBe(Math.fround(1e-6))
    view.setFloat32(at, 9e-7, true)
    expectCode(() => decodeMask(bytes, { deltaBase: baseOf(spec) }), 'INVALID_FIELD')
  })

  it('two-layers: the class-0 count of body.0 takes two bytes', () => {
    const bytes = unhex(golden.find(g => g.name === 'two-layers')?.delta ?? '')
    const counts = readMaskHeader(bytes).payloadOffset + 4 + 4 // length field, magnitude
    expect(bytes[counts]! & 0x80).toBe(0x80)
    expect(bytes[counts + 1]! & 0x80).toBe(0)
  })

  it('tiny: the layer section is the one worked out by hand in docs/delta-encoding.md', () => {
    const bytes = unhex(golden.find(g => g.name === 'tiny')?.delta ?? '')
    const header = readMaskHeader(bytes)
    expect(hex(bytes.subarray(0, header.payloadOffset))).toBe(
      // "L2DM", version 1, encoding 4, flags 0; "tiny/task"; "b0"; 1 layer "body.0", rank 2, 16 x 16
      '4c32444d01040000' + '0974696e792f7461736b' + '026230' + '01' + '06626f64792e30' + '02' + '10000000' + '10000000'
    )
    expect(hex(bytes.subarray(header.payloadOffset))).toBe(
      '11000000' + // P = 17 bytes of layer sections
        '0000003f' + // c = 0.5
        '0300' + // class 0: 3 flips (class indices 0, 2, 3: gaps 0, 1, 0), k = 0
        '00000000' + // classes 1-4: none
        '0100' + // class 5: 1 flip (weight 13 is class-5 index 1: gap 1), k = 0 (k = 1 ties; the smaller wins)
        '00' + // class 6: none
        '0103' + // class 7: 1 flip (weight 127 is class-7 index 15: gap 15), k = 3
        // bits, LSB first: 0 | 10 | 0 (class 0) | 10 (class 5) | 10 111 (class 7: quotient 1, remainder 7)
        '5207'
    )
  })
})
