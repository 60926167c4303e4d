import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  contentIdBytes,
  decodeAnnouncement,
  decodeChunk,
  decodeFetch,
  decodeInventoryRequest,
  decodeMask,
  decodeOffer,
  decodeQuery,
  decodeTransferHeader,
  encodeAnnouncement,
  encodeChunk,
  encodeFetch,
  encodeInventoryRequest,
  encodeMask,
  encodeMaskFile,
  encodeOffer,
  encodeQuery,
  encodeTransferHeader,
  readMaskFile,
  type Mask
} from '../src/index.js'
import { expectCode } from './helpers.js'

/**
 * Golden byte vectors freeze the wire format: any change to a message layout or the mask
 * encoding makes these fail. If a change is intended (and versioned), regenerate with
 * UPDATE_GOLDEN=1 and review the diff of test/fixtures/golden.json.
 */

const FIXTURE = new URL('./fixtures/golden.json', import.meta.url)

const mask: Mask = {
  taskKey: 'ctgraph/d2b2/img1/leaf01',
  backboneId: '0123456789abcdef0123456789abcdef',
  layers: [
    {
      name: 'body.0',
      shape: [3, 5],
      scores: Float32Array.of(0.5, -0.25, 0, -1, 2, 0.125, -0.125, 3, -3, 0.75, -0.5, 1, -2, 0.25, 0.0625)
    },
    { name: 'value', shape: [1, 3], scores: Float32Array.of(-0.5, 0.5, 1.5) }
  ]
}
const maskBits = encodeMask(mask, 'bits')
const cid = contentIdBytes(maskBits)
const origin = '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM'
const meta = { reward: 0.96875, stepsTrained: 25_600, origin, createdAtMs: 1_790_000_000_000 }

const vectors: Record<string, { bytes: Uint8Array; decode: (b: Uint8Array) => unknown; value: unknown }> = {
  'mask.bits': {
    bytes: maskBits,
    decode: b => decodeMask(b).layers.map(l => Array.from(l.scores)),
    value: [
      [1, -1, 1, -1, 1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1].map(s => Math.fround((s * 14.5625) / 15)),
      [-1, 1, 1].map(s => Math.fround((s * 2.5) / 3))
    ]
  },
  'mask.f16': {
    bytes: encodeMask(mask, 'f16'),
    decode: b => decodeMask(b).layers.map(l => Array.from(l.scores)),
    value: mask.layers.map(l => Array.from(l.scores))
  },
  'mask.f32': {
    bytes: encodeMask(mask, 'f32'),
    decode: b => decodeMask(b).layers.map(l => Array.from(l.scores)),
    value: mask.layers.map(l => Array.from(l.scores))
  },
  'mask-file.bits': {
    bytes: encodeMaskFile(maskBits, meta),
    decode: b => {
      const f = readMaskFile(b)
      return { cidValid: f.cidValid, meta: f.meta }
    },
    value: { cidValid: true, meta }
  },
  query: {
    bytes: encodeQuery({ requestId: 42, taskKey: mask.taskKey, reward: 0.25, backboneId: mask.backboneId }),
    decode: decodeQuery,
    value: { requestId: 42, taskKey: mask.taskKey, reward: 0.25, backboneId: mask.backboneId }
  },
  'query.no-reward': {
    bytes: encodeQuery({ requestId: 43, taskKey: mask.taskKey, reward: null, backboneId: mask.backboneId }),
    decode: decodeQuery,
    value: { requestId: 43, taskKey: mask.taskKey, reward: null, backboneId: mask.backboneId }
  },
  'offer.has-mask': {
    bytes: encodeOffer({
      requestId: 42,
      status: 'has-mask',
      taskKey: mask.taskKey,
      reward: 0.96875,
      stepsTrained: 25_600,
      cid,
      encodedSize: maskBits.length,
      encodings: ['bits', 'f16', 'f32'],
      backboneId: mask.backboneId,
      origin
    }),
    decode: decodeOffer,
    value: {
      requestId: 42,
      status: 'has-mask',
      taskKey: mask.taskKey,
      reward: 0.96875,
      stepsTrained: 25_600,
      cid,
      encodedSize: maskBits.length,
      encodings: ['bits', 'f16', 'f32'],
      backboneId: mask.backboneId,
      origin
    }
  },
  'offer.backbone-mismatch': {
    bytes: encodeOffer({
      requestId: 42,
      status: 'backbone-mismatch',
      taskKey: mask.taskKey,
      reward: 0,
      stepsTrained: 0,
      cid: null,
      encodedSize: 0,
      encodings: [],
      backboneId: 'ffff',
      origin: ''
    }),
    decode: decodeOffer,
    value: {
      requestId: 42,
      status: 'backbone-mismatch',
      taskKey: mask.taskKey,
      reward: 0,
      stepsTrained: 0,
      cid: null,
      encodedSize: 0,
      encodings: [],
      backboneId: 'ffff',
      origin: ''
    }
  },
  'fetch.cid': {
    bytes: encodeFetch({ requestId: 7, target: { cid }, encoding: 'bits', backboneId: mask.backboneId }),
    decode: decodeFetch,
    value: { requestId: 7, target: { cid }, encoding: 'bits', backboneId: mask.backboneId }
  },
  'fetch.accept': {
    bytes: encodeFetch({
      requestId: 9,
      target: { cid },
      encoding: 'bits',
      backboneId: mask.backboneId,
      accept: ['delta', 'bits']
    }),
    decode: decodeFetch,
    value: { requestId: 9, target: { cid }, encoding: 'bits', backboneId: mask.backboneId, accept: ['delta', 'bits'] }
  },
  'fetch.task-key': {
    bytes: encodeFetch({
      requestId: 8,
      target: { taskKey: mask.taskKey },
      encoding: 'f32',
      backboneId: mask.backboneId
    }),
    decode: decodeFetch,
    value: { requestId: 8, target: { taskKey: mask.taskKey }, encoding: 'f32', backboneId: mask.backboneId }
  },
  'transfer-header.ok': {
    bytes: encodeTransferHeader({
      requestId: 7,
      status: 'ok',
      cid,
      encoding: 'bits',
      totalSize: maskBits.length,
      chunkSize: 65_536,
      chunkCount: 1,
      meta,
      message: ''
    }),
    decode: decodeTransferHeader,
    value: {
      requestId: 7,
      status: 'ok',
      cid,
      encoding: 'bits',
      totalSize: maskBits.length,
      chunkSize: 65_536,
      chunkCount: 1,
      meta,
      message: ''
    }
  },
  'transfer-header.not-found': {
    bytes: encodeTransferHeader({
      requestId: 7,
      status: 'not-found',
      cid: null,
      encoding: null,
      totalSize: 0,
      chunkSize: 0,
      chunkCount: 0,
      meta: null,
      message: 'no mask for that task'
    }),
    decode: decodeTransferHeader,
    value: {
      requestId: 7,
      status: 'not-found',
      cid: null,
      encoding: null,
      totalSize: 0,
      chunkSize: 0,
      chunkCount: 0,
      meta: null,
      message: 'no mask for that task'
    }
  },
  chunk: { bytes: encodeChunk({ index: 0, data: maskBits }), decode: decodeChunk, value: { index: 0, data: maskBits } },
  announcement: {
    bytes: encodeAnnouncement({
      backboneId: mask.backboneId,
      masks: [
        {
          taskKey: mask.taskKey,
          cid,
          reward: 0.96875,
          stepsTrained: 25_600,
          encodedSize: maskBits.length,
          encodings: ['bits', 'f16', 'f32'],
          origin
        }
      ],
      sequence: 3,
      timestampMs: 1_790_000_000_000,
      role: 'learner',
      addrs: [Uint8Array.of(4, 127, 0, 0, 1, 6, 0x0f, 0xa1)],
      totalSteps: 409_600
    }),
    decode: decodeAnnouncement,
    value: {
      backboneId: mask.backboneId,
      masks: [
        {
          taskKey: mask.taskKey,
          cid,
          reward: 0.96875,
          stepsTrained: 25_600,
          encodedSize: maskBits.length,
          encodings: ['bits', 'f16', 'f32'],
          origin
        }
      ],
      sequence: 3,
      timestampMs: 1_790_000_000_000,
      role: 'learner',
      addrs: [Uint8Array.of(4, 127, 0, 0, 1, 6, 0x0f, 0xa1)],
      totalSteps: 409_600
    }
  },
  'inventory-request': {
    bytes: encodeInventoryRequest({ requestId: 99 }),
    decode: decodeInventoryRequest,
    value: { requestId: 99 }
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

if (process.env.UPDATE_GOLDEN === '1') {
  writeFileSync(
    FIXTURE,
    `${JSON.stringify(Object.fromEntries(Object.entries(vectors).map(([k, v]) => [k, hex(v.bytes)])), null, 2)}\n`
  )
}

describe('golden byte vectors (the frozen wire format)', () => {
  const golden = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>) : {}

  it('the fixture lists exactly the vectors below', () => {
    expect(Object.keys(golden).sort()).toEqual(Object.keys(vectors).sort())
  })

  for (const [name, v] of Object.entries(vectors)) {
    it(`${name}: encodes to the frozen bytes and decodes back`, () => {
      expect(hex(v.bytes)).toBe(golden[name])
      expect(v.decode(Uint8Array.from(Buffer.from(golden[name] ?? '', 'hex')))).toEqual(v.value)
    })
  }

  it('non-canonical variants of the golden masks are refused: F16 -0, a BITS magnitude below the minimum', () => {
    const bytes = (name: string) => Uint8Array.from(Buffer.from(golden[name] ?? '', 'hex'))
    // mask.f16: body.0's third score is 0, written +0 (0x0000); as -0 (0x8000) it is the same mask.
    const f16 = bytes('mask.f16')
    const third = f16.length - 2 * 18 + 2 * 2
    expect([f16[third], f16[third + 1]]).toEqual([0, 0])
    f16[third + 1] = 0x80
    expectCode(() => decodeMask(f16), 'MALFORMED')
    // mask.bits: the magnitude of the last layer (value) precedes its one byte of bits.
    const bits = bytes('mask.bits')
    const view = new DataView(bits.buffer)
    const at = bits.length - 1 - 4
    view.setFloat32(at, Math.fround(1e-6), true)
    expect(decodeMask(bits).layers[1]!.scores[0]).toBe(-Math.fround(1e-6))
    view.setFloat32(at, 5e-7, true)
    expectCode(() => decodeMask(bits), 'INVALID_FIELD')
  })

  it('the mask header is laid out as documented in mask-codec.ts', () => {
    const b = maskBits
    expect(Buffer.from(b.subarray(0, 4)).toString('latin1')).toBe('L2DM')
    expect([b[4], b[5], b[6], b[7]]).toEqual([1, 1, 0, 0])
    expect(b[8]).toBe(mask.taskKey.length)
    expect(Buffer.from(b.subarray(9, 9 + mask.taskKey.length)).toString()).toBe(mask.taskKey)
    // body.0 bits: scores >= 0 at 0,2,4,5,7,9,11,13,14 -> 0b10110101, 0b01101010
    const payload = b.length - (4 + 2 + 4 + 1)
    expect(b[payload + 4]).toBe(0b10110101)
    expect(b[payload + 5]).toBe(0b01101010)
  })
})
