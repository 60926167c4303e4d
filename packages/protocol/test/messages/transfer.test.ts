import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contentIdBytes,
  decodeChunk,
  decodeTransferHeader,
  encodeChunk,
  encodeTransferHeader,
  generated as pb,
  type MaskMeta,
  type MaskTransferHeader,
  type TransferStatus
} from '../../src/index.js'
import { cidArb, metaArb, peerIdArb, requestIdArb, rewardArb, stepsArb } from '../arbitraries.js'
import { expectCode } from '../helpers.js'
import { anyCidArb, anyEncodingArb, encodesFaithfully, num, orOdd, str } from './faithful.js'

const headerArb: fc.Arbitrary<MaskTransferHeader> = fc.oneof(
  fc
    .record({ totalSize: fc.integer({ min: 1, max: 1 << 22 }), chunkSize: fc.integer({ min: 1024, max: 65536 }) })
    .chain(({ totalSize, chunkSize }) =>
      fc.record({
        requestId: requestIdArb,
        status: fc.constant('ok' as const),
        cid: cidArb,
        encoding: fc.constantFrom('bits' as const, 'f16' as const, 'f32' as const),
        totalSize: fc.constant(totalSize),
        chunkSize: fc.constant(chunkSize),
        chunkCount: fc.constant(Math.ceil(totalSize / chunkSize)),
        meta: metaArb,
        message: fc.constant('')
      })
    ),
  fc.record({
    requestId: requestIdArb,
    status: fc.constantFrom(
      'not-found' as const,
      'backbone-mismatch' as const,
      'busy' as const,
      'unsupported-encoding' as const,
      'bad-request' as const,
      'internal-error' as const,
      'refused' as const
    ),
    cid: fc.constant(null),
    encoding: fc.constant(null),
    totalSize: fc.constant(0),
    chunkSize: fc.constant(0),
    chunkCount: fc.constant(0),
    meta: fc.constant(null),
    message: fc.string({ maxLength: 100 })
  })
)

const anyMetaArb: fc.Arbitrary<MaskMeta> = fc.record({
  reward: num(rewardArb),
  stepsTrained: num(stepsArb),
  origin: str(peerIdArb),
  createdAtMs: num(fc.nat({ max: 2 ** 45 }))
})

const anyHeaderArb: fc.Arbitrary<MaskTransferHeader> = orOdd(
  headerArb,
  fc.record({
    requestId: num(requestIdArb),
    status: orOdd<TransferStatus>(
      fc.constantFrom('ok', 'not-found', 'busy', 'internal-error', 'refused'),
      fc.constant('teapot')
    ),
    cid: fc.option(anyCidArb, { nil: null }),
    encoding: fc.option(anyEncodingArb, { nil: null }),
    totalSize: num(fc.nat({ max: 1 << 22 })),
    chunkSize: num(fc.integer({ min: 1024, max: 65536 })),
    chunkCount: num(fc.nat({ max: 5000 })),
    meta: fc.option(anyMetaArb, { nil: null }),
    message: fc.string({ unit: 'grapheme', maxLength: 600 })
  })
)

describe('MaskTransferHeader', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(headerArb, h => {
        expect(decodeTransferHeader(encodeTransferHeader(h))).toEqual(h)
      }),
      { numRuns: 300 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged (the status message may only be cut to 512 characters)', () => {
    encodesFaithfully(anyHeaderArb, encodeTransferHeader, decodeTransferHeader, (h, got) => {
      expect(got.message.length).toBeLessThanOrEqual(512)
      expect(h.message.startsWith(got.message)).toBe(true)
      if (h.message.length <= 512) expect(got.message).toBe(h.message)
      return { ...h, message: got.message }
    })
  })

  it('refuses a refusal that carries the fields of a transfer', () => {
    expectCode(
      () =>
        encodeTransferHeader({
          requestId: 1,
          status: 'busy',
          cid: null,
          encoding: 'bits',
          totalSize: 0,
          chunkSize: 0,
          chunkCount: 0,
          meta: null,
          message: ''
        }),
      'INVALID_FIELD'
    )
  })

  it('refuses an unknown status', () => {
    expectCode(
      () => decodeTransferHeader(pb.MaskTransferHeader.encode({ version: 1, status: 0 }).finish()),
      'UNKNOWN_ENUM'
    )
  })

  it('refuses inconsistent transfer headers', () => {
    const base = {
      version: 1,
      status: 1,
      cid: contentIdBytes(Uint8Array.of(1)),
      encoding: 1,
      totalSize: 100_000,
      chunkSize: 65536
    }
    expectCode(
      () => decodeTransferHeader(pb.MaskTransferHeader.encode({ ...base, chunkCount: 3 }).finish()),
      'INCONSISTENT_SHAPE'
    )
    expectCode(
      () => decodeTransferHeader(pb.MaskTransferHeader.encode({ ...base, chunkSize: 1 << 20, chunkCount: 1 }).finish()),
      'TOO_LARGE'
    )
    expectCode(
      () =>
        decodeTransferHeader(pb.MaskTransferHeader.encode({ ...base, totalSize: 2 ** 31, chunkCount: 32768 }).finish()),
      'TOO_LARGE'
    )
    expectCode(
      () => decodeTransferHeader(pb.MaskTransferHeader.encode({ ...base, totalSize: 0, chunkCount: 0 }).finish()),
      'INVALID_FIELD'
    )
    expect(decodeTransferHeader(pb.MaskTransferHeader.encode({ ...base, chunkCount: 2 }).finish()).chunkCount).toBe(2)
  })
})

describe('MaskChunk', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1000 }), fc.uint8Array({ maxLength: 2048 }), (index, data) => {
        expect(decodeChunk(encodeChunk({ index, data }))).toEqual({ index, data })
      }),
      { numRuns: 200 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged', () => {
    encodesFaithfully(
      fc.record({ index: num(fc.nat({ max: 1000 })), data: fc.uint8Array({ maxLength: 64 }) }),
      encodeChunk,
      decodeChunk
    )
  })

  it('turns a protobuf parse failure into MALFORMED', () => {
    expectCode(() => decodeChunk(Uint8Array.of(0x12, 0x05, 1, 2)), 'MALFORMED')
  })
})
