import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contentIdBytes,
  decodeAnnouncement,
  decodeChunk,
  decodeFetch,
  decodeInventoryRequest,
  decodeOffer,
  decodeQuery,
  decodeTransferHeader,
  encodeAnnouncement,
  encodeChunk,
  encodeFetch,
  encodeInventoryRequest,
  encodeOffer,
  encodeQuery,
  encodeTransferHeader,
  generated as pb,
  MAX_ANNOUNCED_MASKS,
  MAX_CONTROL_MESSAGE_BYTES,
  ProtocolError,
  type InventoryAnnouncement,
  type MaskEncoding,
  type MaskFetch,
  type MaskMeta,
  type MaskOffer,
  type MaskQuery,
  type MaskSummary,
  type MaskTransferHeader,
  type OfferStatus,
  type TransferStatus
} from '../src/index.js'
import {
  backboneIdArb,
  cidArb,
  encodingsArb,
  metaArb,
  peerIdArb,
  requestIdArb,
  rewardArb,
  stepsArb,
  summaryArb,
  taskKeyArb
} from './arbitraries.js'
import { expectCode } from './helpers.js'

const queryArb: fc.Arbitrary<MaskQuery> = fc.record({
  requestId: requestIdArb,
  taskKey: taskKeyArb,
  reward: fc.option(rewardArb, { nil: null }),
  backboneId: backboneIdArb
})

const offerArb: fc.Arbitrary<MaskOffer> = fc.oneof(
  fc.record({
    requestId: requestIdArb,
    status: fc.constant('has-mask' as const),
    taskKey: taskKeyArb,
    reward: rewardArb,
    stepsTrained: stepsArb,
    cid: cidArb,
    encodedSize: fc.nat({ max: 1 << 20 }),
    encodings: encodingsArb,
    backboneId: backboneIdArb,
    origin: peerIdArb
  }),
  fc.record({
    requestId: requestIdArb,
    status: fc.constantFrom('no-mask' as const, 'backbone-mismatch' as const, 'busy' as const),
    taskKey: taskKeyArb,
    reward: fc.constant(0),
    stepsTrained: fc.constant(0),
    cid: fc.constant(null),
    encodedSize: fc.constant(0),
    encodings: fc.constant([] as MaskEncoding[]),
    backboneId: backboneIdArb,
    origin: fc.constant('')
  })
)

const fetchArb: fc.Arbitrary<MaskFetch> = fc.record({
  requestId: requestIdArb,
  target: fc.oneof(
    cidArb.map(cid => ({ cid })),
    taskKeyArb.map(taskKey => ({ taskKey }))
  ),
  encoding: fc.constantFrom('bits' as const, 'f16' as const, 'f32' as const),
  backboneId: backboneIdArb
})

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
      'internal-error' as const
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

const announcementArb: fc.Arbitrary<InventoryAnnouncement> = fc.record({
  backboneId: backboneIdArb,
  masks: fc.array(summaryArb, { maxLength: 20 }),
  sequence: stepsArb,
  timestampMs: fc.nat({ max: 2 ** 45 }),
  role: fc.constantFrom('learner' as const, 'evaluator' as const),
  addrs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 4 }),
  totalSteps: stepsArb
})

describe('messages: property round trips', () => {
  it('MaskQuery', () => {
    fc.assert(
      fc.property(queryArb, q => {
        expect(decodeQuery(encodeQuery(q))).toEqual(q)
      }),
      { numRuns: 300 }
    )
  })
  it('MaskOffer', () => {
    fc.assert(
      fc.property(offerArb, o => {
        expect(decodeOffer(encodeOffer(o))).toEqual(o)
      }),
      { numRuns: 300 }
    )
  })
  it('MaskFetch', () => {
    fc.assert(
      fc.property(fetchArb, f => {
        expect(decodeFetch(encodeFetch(f))).toEqual(f)
      }),
      { numRuns: 300 }
    )
  })
  it('MaskTransferHeader', () => {
    fc.assert(
      fc.property(headerArb, h => {
        expect(decodeTransferHeader(encodeTransferHeader(h))).toEqual(h)
      }),
      { numRuns: 300 }
    )
  })
  it('MaskChunk', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1000 }), fc.uint8Array({ maxLength: 2048 }), (index, data) => {
        expect(decodeChunk(encodeChunk({ index, data }))).toEqual({ index, data })
      }),
      { numRuns: 200 }
    )
  })
  it('InventoryAnnouncement', () => {
    fc.assert(
      fc.property(announcementArb, a => {
        expect(decodeAnnouncement(encodeAnnouncement(a))).toEqual(a)
      }),
      { numRuns: 200 }
    )
  })
  it('InventoryRequest', () => {
    fc.assert(
      fc.property(requestIdArb, id => {
        expect(decodeInventoryRequest(encodeInventoryRequest({ requestId: id }))).toEqual({ requestId: id })
      }),
      { numRuns: 100 }
    )
  })
})

// ---- hostile inputs: an encoder either refuses (ProtocolError) or sends what decodes back unchanged ----

const oddNumberArb = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    -1,
    -0,
    0.5,
    1.5,
    2 ** 31,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 64,
    Number.MAX_VALUE,
    NaN,
    Infinity,
    -Infinity
  )
)
/** Mostly valid values (so the round-trip branch is exercised), sometimes anything. */
const orOdd = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> })
const num = (valid: fc.Arbitrary<number>): fc.Arbitrary<number> => orOdd(valid, oddNumberArb)
const str = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> => orOdd(valid, fc.string({ maxLength: 300 }))
const anyCidArb = orOdd(cidArb, fc.uint8Array({ maxLength: 40 }))
const anyEncodingArb = orOdd<MaskEncoding>(
  fc.constantFrom('bits', 'f16', 'f32'),
  fc.constantFrom('delta', 'toString', 'gzip')
)
const anyEncodingsArb = orOdd<MaskEncoding[]>(
  encodingsArb,
  fc.array(fc.constantFrom('bits', 'f16', 'f32', 'delta', 'toString', 'gzip'), { maxLength: 4 })
)
const anyMetaArb: fc.Arbitrary<MaskMeta> = fc.record({
  reward: num(rewardArb),
  stepsTrained: num(stepsArb),
  origin: str(peerIdArb),
  createdAtMs: num(fc.nat({ max: 2 ** 45 }))
})

const anyQueryArb: fc.Arbitrary<MaskQuery> = fc.record({
  requestId: num(requestIdArb),
  taskKey: str(taskKeyArb),
  reward: fc.option(num(rewardArb), { nil: null }),
  backboneId: str(backboneIdArb)
})
const anyOfferArb: fc.Arbitrary<MaskOffer> = orOdd(
  offerArb,
  fc.record({
    requestId: num(requestIdArb),
    status: orOdd<OfferStatus>(
      fc.constantFrom('has-mask', 'no-mask', 'backbone-mismatch', 'busy'),
      fc.constantFrom('sold-out', 'toString')
    ),
    taskKey: str(taskKeyArb),
    reward: num(rewardArb),
    stepsTrained: num(stepsArb),
    cid: fc.option(anyCidArb, { nil: null }),
    encodedSize: num(fc.nat({ max: 1 << 20 })),
    encodings: anyEncodingsArb,
    backboneId: str(backboneIdArb),
    origin: str(peerIdArb)
  })
)
const anyFetchArb: fc.Arbitrary<MaskFetch> = fc.record({
  requestId: num(requestIdArb),
  target: fc.oneof(
    anyCidArb.map(cid => ({ cid })),
    str(taskKeyArb).map(taskKey => ({ taskKey }))
  ),
  encoding: anyEncodingArb,
  backboneId: str(backboneIdArb)
})
const anyHeaderArb: fc.Arbitrary<MaskTransferHeader> = orOdd(
  headerArb,
  fc.record({
    requestId: num(requestIdArb),
    status: orOdd<TransferStatus>(fc.constantFrom('ok', 'not-found', 'busy', 'internal-error'), fc.constant('teapot')),
    cid: fc.option(anyCidArb, { nil: null }),
    encoding: fc.option(anyEncodingArb, { nil: null }),
    totalSize: num(fc.nat({ max: 1 << 22 })),
    chunkSize: num(fc.integer({ min: 1024, max: 65536 })),
    chunkCount: num(fc.nat({ max: 5000 })),
    meta: fc.option(anyMetaArb, { nil: null }),
    message: fc.string({ unit: 'grapheme', maxLength: 600 })
  })
)
const anySummaryArb: fc.Arbitrary<MaskSummary> = fc.record({
  taskKey: str(taskKeyArb),
  cid: anyCidArb,
  reward: num(rewardArb),
  stepsTrained: num(stepsArb),
  encodedSize: num(fc.nat({ max: 1 << 20 })),
  encodings: anyEncodingsArb,
  origin: str(peerIdArb)
})
const anyAnnouncementArb: fc.Arbitrary<InventoryAnnouncement> = fc.record({
  backboneId: str(backboneIdArb),
  masks: fc.array(anySummaryArb, { maxLength: 4 }),
  sequence: num(stepsArb),
  timestampMs: num(fc.nat({ max: 2 ** 45 })),
  role: orOdd<InventoryAnnouncement['role']>(fc.constantFrom('learner', 'evaluator'), fc.constant('king')),
  addrs: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 3 }),
  totalSteps: num(stepsArb)
})

/** -0 and 0 are the same integer (protobuf sends both as 0); everything else must match exactly. */
function zeroSigned(v: unknown): unknown {
  if (Object.is(v, -0)) return 0
  if (Array.isArray(v)) return v.map(zeroSigned)
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, zeroSigned(x)]))
  return v
}

describe('messages: an encoder refuses what it cannot send faithfully', () => {
  /** Runs the property and checks both outcomes occurred, so neither branch is vacuous. */
  function encodesFaithfully<T>(
    arb: fc.Arbitrary<T>,
    encode: (x: T) => Uint8Array,
    decode: (b: Uint8Array) => T,
    expected: (x: T, decoded: T) => T = x => x
  ): void {
    let refused = 0
    let sent = 0
    fc.assert(
      fc.property(arb, x => {
        let bytes: Uint8Array
        try {
          bytes = encode(x)
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError)
          refused++
          return
        }
        const decoded = decode(bytes) // an emitted frame is never refused by its own decoder
        expect(zeroSigned(decoded)).toEqual(zeroSigned(expected(x, decoded)))
        sent++
      }),
      { numRuns: 400 }
    )
    expect(refused).toBeGreaterThan(0)
    expect(sent).toBeGreaterThan(0)
  }

  it('MaskQuery', () => {
    encodesFaithfully(anyQueryArb, encodeQuery, decodeQuery)
  })
  it('MaskOffer', () => {
    encodesFaithfully(anyOfferArb, encodeOffer, decodeOffer)
  })
  it('MaskFetch', () => {
    encodesFaithfully(anyFetchArb, encodeFetch, decodeFetch)
  })
  it('MaskTransferHeader (the status message may only be cut to 512 characters)', () => {
    encodesFaithfully(anyHeaderArb, encodeTransferHeader, decodeTransferHeader, (h, got) => {
      expect(got.message.length).toBeLessThanOrEqual(512)
      expect(h.message.startsWith(got.message)).toBe(true)
      if (h.message.length <= 512) expect(got.message).toBe(h.message)
      return { ...h, message: got.message }
    })
  })
  it('MaskChunk', () => {
    encodesFaithfully(
      fc.record({ index: num(fc.nat({ max: 1000 })), data: fc.uint8Array({ maxLength: 64 }) }),
      encodeChunk,
      decodeChunk
    )
  })
  it('InventoryAnnouncement', () => {
    encodesFaithfully(anyAnnouncementArb, encodeAnnouncement, decodeAnnouncement)
  })
  it('InventoryRequest', () => {
    encodesFaithfully(fc.record({ requestId: num(requestIdArb) }), encodeInventoryRequest, decodeInventoryRequest)
  })

  it('names the offending field', () => {
    const offer: MaskOffer = {
      requestId: 1,
      status: 'no-mask',
      taskKey: 'a',
      reward: 0,
      stepsTrained: 0,
      cid: null,
      encodedSize: 0,
      encodings: [],
      backboneId: 'b',
      origin: ''
    }
    expectCode(() => encodeOffer({ ...offer, stepsTrained: -1 }), 'INVALID_FIELD')
    expect(() => encodeOffer({ ...offer, stepsTrained: -1 })).toThrow(/offer steps trained/)
    expectCode(() => encodeOffer({ ...offer, encodedSize: 2 ** 30 }), 'TOO_LARGE')
    expectCode(() => encodeOffer({ ...offer, encodings: ['bits', 'bits'] }), 'INVALID_FIELD')
    expectCode(() => encodeOffer({ ...offer, cid: new Uint8Array(0) }), 'CID_MISMATCH')
    expectCode(() => encodeQuery({ requestId: -1, taskKey: 'a', reward: null, backboneId: 'b' }), 'INVALID_FIELD')
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
})

describe('messages: validation', () => {
  const q: MaskQuery = { requestId: 7, taskKey: 'ctgraph/d2b2/img1/leaf00', reward: 0.5, backboneId: 'abc' }

  it('refuses missing and future versions', () => {
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ requestId: 1, taskKey: 'a', backboneId: 'b' }).finish()),
      'UNKNOWN_VERSION'
    )
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 2, requestId: 1, taskKey: 'a', backboneId: 'b' }).finish()),
      'UNKNOWN_VERSION'
    )
    expectCode(
      () =>
        decodeAnnouncement(pb.InventoryAnnouncement.encode({ version: 9, backboneId: 'b', role: 'learner' }).finish()),
      'UNKNOWN_VERSION'
    )
  })

  it('refuses unknown status enums and ignores unknown encodings in lists', () => {
    expectCode(
      () =>
        decodeOffer(
          pb.MaskOffer.encode({ version: 1, status: 42 as pb.OfferStatus, taskKey: 'a', backboneId: 'b' }).finish()
        ),
      'UNKNOWN_ENUM'
    )
    expectCode(
      () => decodeTransferHeader(pb.MaskTransferHeader.encode({ version: 1, status: 0 }).finish()),
      'UNKNOWN_ENUM'
    )
    const offer = decodeOffer(
      pb.MaskOffer.encode({
        version: 1,
        status: 2,
        taskKey: 'a',
        backboneId: 'b',
        encodings: [1, 77 as pb.MaskEncoding, 3, 3]
      }).finish()
    )
    expect(offer.encodings).toEqual(['bits', 'f32'])
  })

  it('refuses non-finite rewards, bad identifiers and missing fields', () => {
    expectCode(() => encodeQuery({ ...q, reward: NaN }), 'NON_FINITE')
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 1, taskKey: 'a', backboneId: 'b', reward: Infinity }).finish()),
      'NON_FINITE'
    )
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 1, taskKey: '', backboneId: 'b' }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () => decodeQuery(pb.MaskQuery.encode({ version: 1, taskKey: 'a', backboneId: '' }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () => decodeOffer(pb.MaskOffer.encode({ version: 1, status: 1, taskKey: 'a', backboneId: 'b' }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () =>
        decodeOffer(
          pb.MaskOffer.encode({
            version: 1,
            status: 1,
            taskKey: 'a',
            backboneId: 'b',
            cid: Uint8Array.of(1, 2, 3)
          }).finish()
        ),
      'CID_MISMATCH'
    )
    expectCode(
      () => decodeFetch(pb.MaskFetch.encode({ version: 1, backboneId: 'b', encoding: 1 }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () => decodeFetch(pb.MaskFetch.encode({ version: 1, backboneId: 'b', taskKey: 'a' }).finish()),
      'INVALID_FIELD'
    )
    expectCode(
      () => decodeAnnouncement(pb.InventoryAnnouncement.encode({ version: 1, backboneId: 'b', role: 'king' }).finish()),
      'INVALID_FIELD'
    )
  })

  it('refuses a CID that is not CIDv1 raw sha2-256', () => {
    const cidV1 = contentIdBytes(Uint8Array.of(1))
    const dagPb = cidV1.slice()
    dagPb[1] = 0x70
    expectCode(
      () => decodeFetch(pb.MaskFetch.encode({ version: 1, backboneId: 'b', encoding: 1, cid: dagPb }).finish()),
      'CID_MISMATCH'
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

  it('refuses oversized frames before parsing them', () => {
    expectCode(() => decodeQuery(new Uint8Array(MAX_CONTROL_MESSAGE_BYTES + 1)), 'TOO_LARGE')
    expectCode(
      () =>
        encodeAnnouncement({
          backboneId: 'b',
          masks: Array.from({ length: MAX_ANNOUNCED_MASKS + 1 }, () => ({
            taskKey: 'a',
            cid: contentIdBytes(Uint8Array.of(1)),
            reward: 1,
            stepsTrained: 1,
            encodedSize: 1,
            encodings: [],
            origin: ''
          })),
          sequence: 0,
          timestampMs: 0,
          role: 'learner',
          addrs: [],
          totalSteps: 0
        }),
      'TOO_LARGE'
    )
  })

  it('turns protobuf parse failures into MALFORMED', () => {
    expectCode(() => decodeQuery(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f)), 'MALFORMED')
    expectCode(() => decodeChunk(Uint8Array.of(0x12, 0x05, 1, 2)), 'MALFORMED')
  })

  it('refuses uint64 values beyond 2^53 instead of rounding them', () => {
    const bytes = pb.MaskOffer.encode({
      version: 1,
      status: 2,
      taskKey: 'a',
      backboneId: 'b',
      stepsTrained: '18446744073709551615' as unknown as number
    }).finish()
    expectCode(() => decodeOffer(bytes), 'INVALID_FIELD')
  })
})
