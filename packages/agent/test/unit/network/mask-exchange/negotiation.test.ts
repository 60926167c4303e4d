import {
  chunkMask,
  contentIdBytes,
  decodeFetch,
  decodeMask,
  encodeChunk,
  encodeTransferHeader,
  MASK_PROTOCOL,
  MAX_CHUNK_BYTES,
  MAX_CONTROL_MESSAGE_BYTES,
  encodedMaskSize,
  encodeMask,
  encodeMaskCompact,
  isProtocolError,
  maskDigest,
  type MaskEncoding,
  type MaskFetch
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import type { Stream } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../../src/logging/logger.js'
import { deltaBaseOfMask, deltaBaseProvider, type DeltaBaseProvider } from '../../../../src/masks/initial-mask.js'
import { MemoryMaskStore } from '../../../../src/masks/store/memory-mask-store.js'
import { ServedMasks } from '../../../../src/masks/store/served-masks.js'
import { MaskExchangeClient, RemoteRefusal } from '../../../../src/network/mask-exchange/client.js'
import { LossInjector } from '../../../../src/network/mask-exchange/loss.js'
import { MaskExchangeServer } from '../../../../src/network/mask-exchange/server.js'
import { Traffic } from '../../../../src/network/mask-exchange/traffic.js'
import { SitePolicy } from '../../../../src/sharing/policy/site-policy.js'
import { l2d2cStrategy } from '../../../../src/sharing/policy/l2d2c-strategy.js'
import { fetchEncodings } from '../../../../src/sharing/candidate-fetch.js'
import { InMemoryWire, newPeerId } from '../../../helpers/in-memory-wire.js'
import { CT_BACKBONE, meta, nearInitialMask, TASK } from '../../../helpers/masks.js'

// Encoding negotiation (docs/protocol.md §5.2.1): which encoding a holder answers a fetch with,
// for requesters with and without an accept list, over an in-memory stream pair.

const TRAINED = nearInitialMask(0.06) // what a mask at mastery differs from its initial one by
const FAR = nearInitialMask(0.5, 2) // an adopted or LC/BLC-started mask: DELTA would exceed BITS
const BITS = encodeMask(TRAINED, 'bits')

async function holder(deltaBase: DeltaBaseProvider | null, mask = TRAINED) {
  const store = new MemoryMaskStore(CT_BACKBONE.id)
  await store.put(encodeMask(mask, 'f32'), meta(0.95))
  const served = new ServedMasks(store.index, CT_BACKBONE.id, Date.now, deltaBase)
  const wire = await InMemoryWire.create()
  const server = new MaskExchangeServer({
    registrar: wire.registrar,
    peerId: await newPeerId(),
    masks: served,
    strategy: l2d2cStrategy(),
    loss: LossInjector.none(),
    traffic: new Traffic(),
    logger: silentLogger,
    policy: new SitePolicy(),
    announcement: () => ({
      backboneId: CT_BACKBONE.id,
      masks: [],
      sequence: 1,
      timestampMs: 1,
      role: 'learner',
      addrs: [],
      totalSteps: 0
    })
  })
  await server.start()
  const traffic = new Traffic()
  const client = new MaskExchangeClient({ dialer: wire.dialer, loss: LossInjector.none(), traffic })
  const fetch = async (f: Partial<MaskFetch>) =>
    await client.fetch(
      wire.registrar as never,
      { requestId: 5, target: { cid: contentIdBytes(BITS) }, encoding: 'bits', backboneId: CT_BACKBONE.id, ...f },
      { expectedCid: contentIdBytes(encodeMask(mask, 'bits')) }
    )
  return { store, served, fetch, traffic }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof RemoteRefusal) return err.status
    return isProtocolError(err) ? err.code : String(err)
  }
  return 'none'
}

describe('encoding negotiation', () => {
  it('a holder that can rebuild the base answers [delta, bits] with DELTA, the same mask in about a third of the bytes', async () => {
    const { fetch, traffic } = await holder(deltaBaseProvider())
    const got = await fetch({ accept: ['delta', 'bits'] })
    expect(got.header.encoding).toBe('delta')
    expect(got.bytes.length).toBeLessThan(BITS.length / 2)
    expect(got.bytes).toEqual(encodeMaskCompact(decodeMask(BITS), { base: deltaBaseOfMask(TRAINED) }))
    const mask = decodeMask(got.bytes, { expectedCid: got.header.cid!, deltaBase: deltaBaseOfMask(TRAINED) })
    // The offered (BITS) CID is what the DELTA transfer decodes to.
    expect(contentIdBytes(encodeMask(mask, 'bits'))).toEqual(contentIdBytes(BITS))
    expect(maskDigest(mask)).toBe(maskDigest(TRAINED))
    expect(traffic.snapshot().bytes.mask.received).toBeLessThan(BITS.length / 2)
  })

  it('picks the smallest accepted encoding, whatever the order; equal sizes go to the earlier one', async () => {
    const { served } = await holder(deltaBaseProvider())
    const target = { taskKey: TASK }
    const pick = async (accept: MaskEncoding[]) => (await served.load(target, accept))!.encoding
    expect(await pick(['bits', 'delta'])).toBe('delta')
    expect(await pick(['f32', 'f16', 'bits'])).toBe('bits')
    expect(await pick(['f32', 'f16'])).toBe('f16')
    expect(await pick(['f32'])).toBe('f32')
  })

  it('old requesters (no accept list) get exactly the encoding they name, as before', async () => {
    const { fetch } = await holder(deltaBaseProvider())
    for (const encoding of ['bits', 'f16', 'f32'] as const) {
      const got = await fetch({ encoding })
      expect(got.header.encoding).toBe(encoding)
    }
    expect((await fetch({ encoding: 'bits' })).bytes).toEqual(BITS)
  })

  it('a holder that cannot rebuild the base answers [delta, bits] with BITS, and refuses DELTA alone', async () => {
    const { fetch, served } = await holder(null)
    expect((await fetch({ accept: ['delta', 'bits'] })).header.encoding).toBe('bits')
    expect(await refusal(fetch({ encoding: 'delta' }))).toBe('unsupported-encoding')
    expect(served.held(TASK)!.encodings).toEqual(['bits', 'f16', 'f32'])
    expect(served.sizes(TASK)).not.toHaveProperty('delta')
  })

  it('a mask far from its initial one goes as BITS: DELTA is never larger', async () => {
    const { fetch, served } = await holder(deltaBaseProvider(), FAR)
    const got = await fetch({ accept: ['delta', 'bits'], target: { taskKey: TASK } })
    expect(got.header.encoding).toBe('bits')
    expect(await refusal(fetch({ accept: ['delta', 'f32'], encoding: 'f32', target: { taskKey: TASK } }))).toBe('none')
    expect(await refusal(fetch({ encoding: 'delta', target: { taskKey: TASK } }))).toBe('unsupported-encoding')
    // Offered (the base is rebuilt) but not produced for this mask: its sizes leave DELTA out.
    expect(served.held(TASK)!.encodings).toContain('delta')
    expect(served.sizes(TASK)).not.toHaveProperty('delta')
  })

  it('reports the size of every encoding it serves a mask in (masks --json)', async () => {
    const { served } = await holder(deltaBaseProvider())
    const sizes = served.sizes(TASK)!
    expect(sizes.bits).toBe(BITS.length)
    expect(sizes.f16).toBe(encodedMaskSize(TRAINED, 'f16'))
    expect(sizes.f32).toBe(encodedMaskSize(TRAINED, 'f32'))
    expect(sizes.delta).toBe(encodeMaskCompact(TRAINED, { base: deltaBaseOfMask(TRAINED) }).length)
    expect(served.held(TASK)!.encodings).toEqual(['delta', 'bits', 'f16', 'f32'])
    expect(served.sizes('ctgraph/d2b2/img2/leaf01')).toBeNull()
  })

  it('the requester refuses an answer in an encoding it did not accept', async () => {
    // A holder that answers DELTA whatever it is asked.
    const delta = encodeMaskCompact(TRAINED, { base: deltaBaseOfMask(TRAINED) })
    const wire = await InMemoryWire.create()
    await wire.registrar.handle(MASK_PROTOCOL, async (stream: Stream) => {
      const f = decodeFetch(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }))
      const chunks = chunkMask(delta, MAX_CHUNK_BYTES)
      const header = encodeTransferHeader({
        requestId: f.requestId,
        status: 'ok',
        cid: contentIdBytes(delta),
        encoding: 'delta',
        totalSize: delta.length,
        chunkSize: MAX_CHUNK_BYTES,
        chunkCount: chunks.length,
        meta: meta(0.95),
        message: ''
      })
      for (const frame of [header, ...chunks.map(encodeChunk)]) await writeFrame(stream, frame)
      await closeStream(stream)
    })
    const client = new MaskExchangeClient({ dialer: wire.dialer, loss: LossInjector.none(), traffic: new Traffic() })
    const ask = (f: Partial<MaskFetch>) =>
      client.fetch(wire.registrar as never, {
        requestId: 8,
        target: { taskKey: TASK },
        encoding: 'bits',
        backboneId: CT_BACKBONE.id,
        ...f
      })
    expect(await refusal(ask({}))).toBe('INVALID_FIELD')
    expect(await refusal(ask({ accept: ['f16', 'bits'] }))).toBe('INVALID_FIELD')
    expect((await ask({ accept: ['delta', 'bits'] })).header.encoding).toBe('delta')
  })

  it('the requester asks for DELTA then BITS only when it can decode DELTA, and names BITS for older holders', () => {
    expect(fetchEncodings('delta', true)).toEqual({ encoding: 'bits', accept: ['delta', 'bits'] })
    expect(fetchEncodings('delta', false)).toEqual({ encoding: 'bits', accept: ['bits'] })
    expect(fetchEncodings('f32', true)).toEqual({ encoding: 'f32', accept: ['f32'] })
  })
})
