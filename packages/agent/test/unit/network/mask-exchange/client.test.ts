import {
  contentIdBytes,
  decodeFetch,
  decodeQuery,
  encodeChunk,
  encodeMask,
  encodeOffer,
  encodeTransferHeader,
  chunkMask,
  isProtocolError,
  MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES,
  QUERY_PROTOCOL,
  type MaskFetch,
  type MaskOffer,
  type MaskQuery
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import type { Stream } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { fetchBound, LOST, MaskExchangeClient, RemoteRefusal } from '../../../../src/network/mask-exchange/client.js'
import { LossInjector } from '../../../../src/network/mask-exchange/loss.js'
import { Traffic } from '../../../../src/network/mask-exchange/traffic.js'
import { closed, InMemoryWire, newPeerId } from '../../../helpers/in-memory-wire.js'
import { BACKBONE, syntheticMask, TASK } from '../../../helpers/masks.js'

// The requester's checks on what a peer answers, over an in-memory stream pair: the "peer" is
// a hand-written handler that answers wrongly on purpose.

const QUERY: MaskQuery = { requestId: 11, taskKey: TASK, reward: null, backboneId: BACKBONE }
const FETCH: MaskFetch = { requestId: 12, target: { taskKey: TASK }, encoding: 'bits', backboneId: BACKBONE }
const BITS = encodeMask(syntheticMask(1), 'bits')

function offerFor(q: MaskQuery, over: Partial<MaskOffer> = {}): MaskOffer {
  return {
    requestId: q.requestId,
    status: 'has-mask',
    taskKey: q.taskKey,
    reward: 0.9,
    stepsTrained: 1,
    cid: contentIdBytes(BITS),
    encodedSize: BITS.length,
    encodings: ['bits'],
    backboneId: BACKBONE,
    origin: '',
    ...over
  }
}

async function requester(loss = LossInjector.none()) {
  const wire = await InMemoryWire.create()
  const traffic = new Traffic()
  const client = new MaskExchangeClient({ dialer: wire.dialer, loss, traffic })
  return { wire, traffic, client, peer: await newPeerId() }
}

/** A peer that reads the request and answers with `answer`'s frames, then half-closes. */
async function answering(
  wire: InMemoryWire,
  protocol: string,
  answer: (request: Uint8Array) => Uint8Array[]
): Promise<void> {
  await wire.registrar.handle(protocol, async (stream: Stream) => {
    const request = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES })
    for (const frame of answer(request)) await writeFrame(stream, frame)
    await closeStream(stream)
  })
}

/** The failure a call ends with: a ProtocolError's code, or the error's name. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (err) {
    const e = err as Error
    return { code: isProtocolError(err) ? err.code : e.name, message: e.message }
  }
  return { code: 'none', message: '' }
}

describe('MaskExchangeClient (in-memory streams)', () => {
  it('returns the offer that answers its query, and counts both frames', async () => {
    const { wire, client, traffic, peer } = await requester()
    await answering(wire, QUERY_PROTOCOL, bytes => [encodeOffer(offerFor(decodeQuery(bytes)))])
    expect(await client.query(peer, QUERY)).toMatchObject({ requestId: 11, status: 'has-mask', reward: 0.9 })
    const t = traffic.snapshot()
    expect(t.messages.query).toEqual({ sent: 1, received: 1 })
    expect(t.latencies.query?.count).toBe(1)
  })

  it('refuses an offer that answers another request id', async () => {
    const { wire, client, peer } = await requester()
    await answering(wire, QUERY_PROTOCOL, bytes => {
      const q = decodeQuery(bytes)
      return [encodeOffer(offerFor(q, { requestId: q.requestId + 1 }))]
    })
    expect(await failure(client.query(peer, QUERY))).toMatchObject({
      code: 'INVALID_FIELD',
      message: expect.stringMatching(/offer answers request 12, not 11/)
    })
  })

  it('refuses an offer for another task than the one asked', async () => {
    const { wire, client, peer } = await requester()
    await answering(wire, QUERY_PROTOCOL, bytes => [
      encodeOffer(offerFor(decodeQuery(bytes), { taskKey: 'ctgraph/d2b2/img1/leaf01' }))
    ])
    expect(await failure(client.query(peer, QUERY))).toMatchObject({
      code: 'INVALID_FIELD',
      message: expect.stringMatching(/offer is for ctgraph\/d2b2\/img1\/leaf01/)
    })
  })

  it('gives up on a silent peer at its deadline and resets the stream', async () => {
    const { wire, client, peer } = await requester()
    await wire.registrar.handle(QUERY_PROTOCOL, async () => {
      await new Promise(() => {}) // reads nothing, answers nothing
    })
    const t0 = performance.now()
    expect((await failure(client.query(peer, QUERY, { timeoutMs: 50 }))).code).toBe('TIMEOUT')
    expect(performance.now() - t0).toBeLessThan(1_000)
    await closed(wire.inbound[0]!)
    expect(wire.inbound[0]!.status).not.toBe('open')
  })

  it("ends at once when the caller's signal aborts", async () => {
    const { wire, client, peer } = await requester()
    await wire.registrar.handle(QUERY_PROTOCOL, async () => {
      await new Promise(() => {})
    })
    const stop = new AbortController()
    const pending = client.query(peer, QUERY, { signal: stop.signal, timeoutMs: 60_000 })
    stop.abort()
    expect((await failure(pending)).code).toBe('ABORTED')
  })

  it('says when the peer does not speak the protocol', async () => {
    const { client, peer } = await requester()
    expect(await failure(client.query(peer, QUERY))).toMatchObject({
      code: 'STREAM_CLOSED',
      message: expect.stringMatching(/peer does not speak the protocol/)
    })
  })

  it('a query lost to loss injection is never sent', async () => {
    const { wire, client, peer } = await requester(new LossInjector({ probability: 1 }, () => 0))
    await answering(wire, QUERY_PROTOCOL, bytes => [encodeOffer(offerFor(decodeQuery(bytes)))])
    expect(await client.query(peer, QUERY)).toBe(LOST)
    expect(wire.inbound).toHaveLength(0)
  })

  /** A holder answering fetches with a header and the chunks of `bytes`. */
  const holder = async (wire: InMemoryWire, header: (f: MaskFetch) => Parameters<typeof encodeTransferHeader>[0]) => {
    await answering(wire, MASK_PROTOCOL, bytes => {
      const f = decodeFetch(bytes)
      const h = header(f)
      return [encodeTransferHeader(h), ...(h.status === 'ok' ? chunkMask(BITS).map(encodeChunk) : [])]
    })
  }
  const ok = (f: MaskFetch) => ({
    requestId: f.requestId,
    status: 'ok' as const,
    cid: contentIdBytes(BITS),
    encoding: 'bits' as const,
    totalSize: BITS.length,
    chunkSize: 65_536,
    chunkCount: 1,
    meta: { reward: 0.9, stepsTrained: 1, origin: '', createdAtMs: 0 },
    message: ''
  })

  it('fetches a mask whose bytes match the offered CID', async () => {
    const { wire, client, peer } = await requester()
    await holder(wire, ok)
    const fetched = await client.fetch(peer, FETCH, { expectedCid: contentIdBytes(BITS) })
    expect(Buffer.compare(fetched.bytes, BITS)).toBe(0)
    expect(fetched.meta.reward).toBe(0.9)
  })

  it('refuses a transfer for another request, another encoding, or another CID than offered', async () => {
    for (const [header, code, pattern] of [
      [(f: MaskFetch) => ({ ...ok(f), requestId: f.requestId + 1 }), 'INVALID_FIELD', /transfer answers request/],
      [(f: MaskFetch) => ({ ...ok(f), encoding: 'f16' as const }), 'INVALID_FIELD', /asked for bits, got f16/],
      [ok, 'CID_MISMATCH', /not the mask that was offered/]
    ] as const) {
      const { wire, client, peer } = await requester()
      await holder(wire, header)
      const expectedCid = code === 'CID_MISMATCH' ? contentIdBytes(Uint8Array.of(1)) : contentIdBytes(BITS)
      expect(await failure(client.fetch(peer, FETCH, { expectedCid }))).toMatchObject({
        code,
        message: expect.stringMatching(pattern)
      })
    }
  })

  it("reports a holder's refusal with its status", async () => {
    const { wire, client, peer } = await requester()
    await holder(wire, f => ({
      requestId: f.requestId,
      status: 'busy',
      cid: null,
      encoding: null,
      totalSize: 0,
      chunkSize: 0,
      chunkCount: 0,
      meta: null,
      message: 'too many transfers in progress'
    }))
    const err = await client.fetch(peer, FETCH).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteRefusal)
    expect(err).toMatchObject({ status: 'busy', message: 'remote refused: busy (too many transfers in progress)' })
  })

  it('refuses a transfer larger than the bound before reading a chunk, and accepts one within it', async () => {
    const { wire, client, peer } = await requester()
    // a liar announcing 100 times the mask it offered, then sending junk chunks
    const big = BITS.length * 100
    const chunks = Math.ceil(big / 65_536)
    let written = 0
    let liarDone = (): void => {}
    const liarFinished = new Promise<void>(resolve => {
      liarDone = resolve
    })
    await wire.registrar.handle(MASK_PROTOCOL, async (stream: Stream) => {
      try {
        const f = decodeFetch(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }))
        await writeFrame(stream, encodeTransferHeader({ ...ok(f), totalSize: big, chunkCount: chunks }))
        for (; written < chunks; written++)
          await writeFrame(stream, encodeChunk({ index: written, data: new Uint8Array(65_536) }))
        await closeStream(stream)
      } catch {
        // the requester reset the stream: what it should do
      } finally {
        liarDone()
      }
    })
    const err = await failure(client.fetch(peer, FETCH, { maxBytes: fetchBound(BITS.length, 'bits') }))
    expect(err).toMatchObject({ code: 'TOO_LARGE', message: expect.stringContaining(`${big} bytes`) })
    await liarFinished
    expect(written, 'the requester read the junk instead of resetting').toBeLessThan(chunks)

    const honest = await requester()
    await holder(honest.wire, ok)
    const fetched = await honest.client.fetch(honest.peer, FETCH, { maxBytes: BITS.length })
    expect(fetched.bytes.length).toBe(BITS.length)
  })

  it('fetchBound: the offer bounds BITS exactly, other encodings by their ratio, the layer table tightens it', () => {
    const mask = syntheticMask(1)
    expect(fetchBound(BITS.length, 'bits')).toBe(BITS.length)
    expect(fetchBound(BITS.length, 'f32')).toBe(32 * BITS.length)
    expect(fetchBound(BITS.length, 'f32', mask)).toBe(encodeMask(mask, 'f32').length)
    expect(fetchBound(BITS.length, 'delta', mask)).toBe(BITS.length)
    // an offer that understates the size wins: the transfer must match what was offered
    expect(fetchBound(10, 'bits', mask)).toBe(10)
  })

  it('a transfer cut after its header fails instead of hanging', async () => {
    const { wire, client, peer } = await requester()
    await wire.registrar.handle(MASK_PROTOCOL, async (stream: Stream) => {
      const f = decodeFetch(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }))
      await writeFrame(
        stream,
        encodeTransferHeader({ ...ok(f), chunkSize: 1024, chunkCount: Math.ceil(BITS.length / 1024) })
      )
      stream.abort(new Error('holder died'))
    })
    expect((await failure(client.fetch(peer, FETCH, { timeoutMs: 2_000 }))).code).toBe('STREAM_CLOSED')
  })
})
