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
  ProtocolError,
  readMaskFile,
  readMaskHeader,
  type DecodedMask,
  type Mask,
  type MaskHeader
} from '../src/index.js'
import { baseFor, mulberry32, syntheticBase, trainedLikeMask } from './arbitraries.js'

/**
 * A small seeded fuzzer for every decoder: random frames and mutations (bit flips, byte
 * overwrites, insertions, deletions, truncations, splices, varint bombs) of valid frames.
 * A decoder passes when every input either decodes or throws ProtocolError.
 */

export interface DecoderUnderTest {
  name: string
  decode: (bytes: Uint8Array) => unknown
  seeds: Uint8Array[]
  /**
   * Canonical encodings: what the encoder makes of a decoded input, which must be the input
   * itself (one encoding per mask: anything else would be a second content id for it).
   */
  reencode?: (decoded: unknown, input: Uint8Array) => Uint8Array
}

const smallMask: Mask = {
  taskKey: 'ctgraph/d2b2/img1/leaf01',
  backboneId: '0123456789abcdef0123456789abcdef',
  layers: [
    { name: 'body.0', shape: [4, 6], scores: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)) },
    { name: 'policy', shape: [3, 4], scores: Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)) }
  ]
}
const cid = contentIdBytes(encodeMask(smallMask, 'bits'))
const meta = {
  reward: 0.97,
  stepsTrained: 12_800,
  origin: '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM',
  createdAtMs: 1_790_000_000_000
}

/** DELTA seeds: a few hundred weights (DELTA is never larger than BITS, so tiny layers cannot be DELTA). */
const deltaLayers = [
  { name: 'body.0', shape: [16, 24] },
  { name: 'policy', shape: [3, 24] }
]
const deltaBase = syntheticBase(smallMask.taskKey, smallMask.backboneId, deltaLayers)
const wideLayers = [{ name: 'body.0', shape: [48, 48] }]
const deltaSeeds = [
  encodeMask(trainedLikeMask(smallMask.taskKey, smallMask.backboneId, deltaLayers, deltaBase), 'delta', {
    base: deltaBase
  }),
  // Every weight as it started: eight zero counts per layer.
  encodeMask(trainedLikeMask(smallMask.taskKey, smallMask.backboneId, deltaLayers, deltaBase, 1, [0]), 'delta', {
    base: deltaBase
  }),
  // Half of class 0 flipped: a two-byte count.
  encodeMask(
    trainedLikeMask(
      smallMask.taskKey,
      smallMask.backboneId,
      wideLayers,
      syntheticBase(smallMask.taskKey, smallMask.backboneId, wideLayers),
      2,
      [0.5, 0.1, 0.05, 0.01]
    ),
    'delta',
    { base: syntheticBase(smallMask.taskKey, smallMask.backboneId, wideLayers) }
  )
]

/** Largest table the DELTA fuzzer builds a base for: a real node refuses foreign tables before this point. */
const FUZZ_BASE_MAX_WEIGHTS = 50_000
let deltaInput: Uint8Array | null = null

/**
 * The base provider of the DELTA fuzz target: the synthetic base of whatever header it is
 * shown, so mutated task keys and layer tables still reach the payload. It checks the order of
 * the decoder's work: it is consulted (and the scores allocated) only once the header is valid
 * and the input has exactly the length it announces; a plain Error fails the fuzz run.
 */
function fuzzDeltaBase(header: MaskHeader): ReturnType<typeof baseFor> {
  if (deltaInput === null || header.encodedSize !== deltaInput.length)
    throw new Error(`base asked for before the length was checked (${header.encodedSize} vs ${deltaInput?.length})`)
  if (header.weights > FUZZ_BASE_MAX_WEIGHTS)
    throw new ProtocolError('TOO_LARGE', `fuzz base provider: ${header.weights} weights is beyond its limit`)
  return baseFor(header)
}

function decodeDelta(bytes: Uint8Array): unknown {
  deltaInput = bytes
  try {
    return decodeMask(bytes, { deltaBase: fuzzDeltaBase })
  } finally {
    deltaInput = null
  }
}

export const decoders: DecoderUnderTest[] = [
  {
    name: 'MaskQuery',
    decode: decodeQuery,
    seeds: [encodeQuery({ requestId: 9, taskKey: smallMask.taskKey, reward: 0.5, backboneId: smallMask.backboneId })]
  },
  {
    name: 'MaskOffer',
    decode: decodeOffer,
    seeds: [
      encodeOffer({
        requestId: 9,
        status: 'has-mask',
        taskKey: smallMask.taskKey,
        reward: 0.99,
        stepsTrained: 25_600,
        cid,
        encodedSize: 13_866,
        encodings: ['bits', 'f16', 'f32'],
        backboneId: smallMask.backboneId,
        origin: meta.origin
      }),
      encodeOffer({
        requestId: 9,
        status: 'no-mask',
        taskKey: smallMask.taskKey,
        reward: 0,
        stepsTrained: 0,
        cid: null,
        encodedSize: 0,
        encodings: [],
        backboneId: smallMask.backboneId,
        origin: ''
      })
    ]
  },
  {
    name: 'MaskFetch',
    decode: decodeFetch,
    seeds: [
      encodeFetch({ requestId: 3, target: { cid }, encoding: 'bits', backboneId: smallMask.backboneId }),
      encodeFetch({
        requestId: 3,
        target: { taskKey: smallMask.taskKey },
        encoding: 'f32',
        backboneId: smallMask.backboneId
      })
    ]
  },
  {
    name: 'MaskTransferHeader',
    decode: decodeTransferHeader,
    seeds: [
      encodeTransferHeader({
        requestId: 3,
        status: 'ok',
        cid,
        encoding: 'bits',
        totalSize: 200_000,
        chunkSize: 65_536,
        chunkCount: 4,
        meta,
        message: ''
      }),
      encodeTransferHeader({
        requestId: 3,
        status: 'not-found',
        cid: null,
        encoding: null,
        totalSize: 0,
        chunkSize: 0,
        chunkCount: 0,
        meta: null,
        message: 'no such mask'
      })
    ]
  },
  { name: 'MaskChunk', decode: decodeChunk, seeds: [encodeChunk({ index: 2, data: encodeMask(smallMask, 'f16') })] },
  {
    name: 'InventoryAnnouncement',
    decode: decodeAnnouncement,
    seeds: [
      encodeAnnouncement({
        backboneId: smallMask.backboneId,
        masks: [
          {
            taskKey: smallMask.taskKey,
            cid,
            reward: 0.9,
            stepsTrained: 100,
            encodedSize: 13_866,
            encodings: ['bits'],
            origin: meta.origin
          }
        ],
        sequence: 4,
        timestampMs: meta.createdAtMs,
        role: 'learner',
        addrs: [Uint8Array.of(4, 127, 0, 0, 1, 6, 0x0f, 0xa0)],
        totalSteps: 51_200
      })
    ]
  },
  { name: 'InventoryRequest', decode: decodeInventoryRequest, seeds: [encodeInventoryRequest({ requestId: 77 })] },
  {
    name: 'mask (canonical encoding)',
    decode: decodeMask,
    seeds: (['bits', 'f16', 'f32'] as const).map(e => encodeMask(smallMask, e)),
    reencode: m => encodeMask(m as DecodedMask, (m as DecodedMask).encoding)
  },
  {
    name: 'mask (DELTA, with a base provider)',
    decode: decodeDelta,
    seeds: deltaSeeds,
    reencode: (m, input) => encodeMask(m as DecodedMask, 'delta', { base: baseFor(readMaskHeader(input)) })
  },
  { name: 'mask header', decode: readMaskHeader, seeds: [encodeMask(smallMask, 'bits'), ...deltaSeeds] },
  { name: 'mask file', decode: readMaskFile, seeds: [encodeMaskFile(encodeMask(smallMask, 'bits'), meta)] }
]

function mutate(seed: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n)
  let b = Uint8Array.from(seed)
  const rounds = 1 + int(4)
  for (let r = 0; r < rounds; r++) {
    switch (int(10)) {
      case 0:
        if (b.length > 0) {
          const i = int(b.length)
          b[i]! ^= 1 << int(8)
        }
        break
      case 1:
        if (b.length > 0) b[int(b.length)] = int(256)
        break
      case 2: {
        const i = int(b.length + 1)
        b = Uint8Array.from([...b.subarray(0, i), int(256), ...b.subarray(i)])
        break
      }
      case 3:
        if (b.length > 0) {
          const i = int(b.length)
          b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + 1)])
        }
        break
      case 4:
        b = b.subarray(0, int(b.length + 1))
        break
      case 5: {
        const i = int(b.length + 1)
        b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(int(b.length + 1))])
        break
      }
      case 6: {
        const i = int(b.length + 1)
        b = Uint8Array.from([
          ...b.subarray(0, i),
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0x01,
          ...b.subarray(i)
        ])
        break
      }
      case 7:
        // binary16 -0 (little-endian), which no F16 encoder writes
        if (b.length > 1) b.set([0x00, 0x80], int(b.length - 1))
        break
      case 8:
        // a positive float32 below the smallest BITS/DELTA magnitude an encoder writes
        if (b.length > 4) new DataView(b.buffer, b.byteOffset).setFloat32(int(b.length - 4), rnd() * 1e-6, true)
        break
      default:
        if (b.length > 4) {
          const i = int(b.length - 4)
          new DataView(b.buffer, b.byteOffset).setUint32(i, int(2 ** 32), true)
        }
        break
    }
  }
  return b
}

function randomFrame(rnd: () => number): Uint8Array {
  const len = rnd() < 0.8 ? Math.floor(rnd() * 64) : Math.floor(rnd() * 4096)
  const b = new Uint8Array(len)
  for (let i = 0; i < len; i++) b[i] = Math.floor(rnd() * 256)
  return b
}

export interface FuzzReport {
  name: string
  frames: number
  decoded: number
  refused: Record<string, number>
}

/** Feeds `frames` inputs to one decoder; throws on the first non-ProtocolError exception. */
export function fuzzDecoder(d: DecoderUnderTest, frames: number, seed: number): FuzzReport {
  const rnd = mulberry32(seed)
  const report: FuzzReport = { name: d.name, frames, decoded: 0, refused: {} }
  for (let i = 0; i < frames; i++) {
    const input = rnd() < 0.25 ? randomFrame(rnd) : mutate(d.seeds[Math.floor(rnd() * d.seeds.length)]!, rnd)
    let decoded: unknown
    try {
      decoded = d.decode(input)
      report.decoded++
    } catch (err) {
      if (!(err instanceof ProtocolError)) {
        const hex = Buffer.from(input).toString('hex')
        throw new Error(`${d.name} threw ${(err as Error)?.name}: ${(err as Error)?.message} on input ${hex}`)
      }
      report.refused[err.code] = (report.refused[err.code] ?? 0) + 1
      continue
    }
    if (d.reencode !== undefined && !sameBytes(d.reencode(decoded, input), input))
      throw new Error(`${d.name} decoded an input its encoder would not write: ${Buffer.from(input).toString('hex')}`)
  }
  return report
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
