import {
  contentIdBytes,
  decodeAnnouncement,
  decodeOffer,
  decodeTransferHeader,
  encodeFetch,
  encodeInventoryRequest,
  encodeMask,
  encodeQuery,
  INVENTORY_PROTOCOL,
  isProtocolError,
  MASK_PROTOCOL,
  MAX_ANNOUNCEMENT_BYTES,
  MAX_CONTROL_MESSAGE_BYTES,
  QUERY_PROTOCOL,
  type InventoryAnnouncement,
  type MaskFetch,
  type MaskTransferHeader
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import { describe, expect, it } from 'vitest'
import type { Logger } from '../../../../src/logging/logger.js'
import { MemoryMaskStore } from '../../../../src/masks/store/memory-mask-store.js'
import { ServedMasks } from '../../../../src/masks/store/served-masks.js'
import { MaskExchangeServer, SERVER_LIMITS } from '../../../../src/network/mask-exchange/server.js'
import { LossInjector } from '../../../../src/network/mask-exchange/loss.js'
import { Traffic } from '../../../../src/network/mask-exchange/traffic.js'
import { DEFAULT_PEER_LIMITS, type PeerLimits } from '../../../../src/network/mask-exchange/peer-limits.js'
import { l2d2cStrategy } from '../../../../src/sharing/policy/l2d2c-strategy.js'
import { SitePolicy } from '../../../../src/sharing/policy/site-policy.js'
import { closed, InMemoryWire, newPeerId } from '../../../helpers/in-memory-wire.js'
import { BACKBONE, meta, syntheticMask, TASK } from '../../../helpers/masks.js'

// The responder's refusal and failure paths, over an in-memory stream pair: each takes
// milliseconds, where the same check over TCP needs two libp2p nodes.

const ANNOUNCEMENT: InventoryAnnouncement = {
  backboneId: BACKBONE,
  masks: [],
  sequence: 7,
  timestampMs: 1,
  role: 'learner',
  addrs: [],
  totalSteps: 42
}

/** A logger that keeps each line as "level message: fields". */
function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (a: object | string, b?: string): void => {
      lines.push(typeof a === 'string' ? `${level} ${a}` : `${level} ${b ?? ''}: ${JSON.stringify(a)}`)
    }
  const logger: Logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger
  }
  return logger
}

async function serving(
  over: {
    masks?: Pick<ServedMasks, 'backboneId' | 'held' | 'load' | 'serves'>
    loss?: LossInjector
    limits?: Partial<PeerLimits>
    serve?: string[]
    now?: () => number
  } = {}
) {
  const wire = await InMemoryWire.create()
  const store = new MemoryMaskStore(BACKBONE)
  const served = new ServedMasks(store.index, BACKBONE)
  const traffic = new Traffic()
  const lines: string[] = []
  const server = new MaskExchangeServer(
    {
      registrar: wire.registrar,
      peerId: await newPeerId(),
      masks: over.masks ?? served,
      strategy: l2d2cStrategy(),
      loss: over.loss ?? LossInjector.none(),
      traffic,
      logger: recordingLogger(lines),
      announcement: () => ANNOUNCEMENT,
      policy: new SitePolicy({
        ...new SitePolicy().describe(),
        ...(over.serve !== undefined ? { serve: over.serve } : {})
      }),
      ...(over.now !== undefined ? { now: over.now } : {})
    },
    { ...DEFAULT_PEER_LIMITS, ...over.limits }
  )
  await server.start()
  return { wire, store, traffic, lines, server }
}

/** Sends one request frame as a requester would and reads the first answer frame. */
async function request(wire: InMemoryWire, protocol: string, frame: Uint8Array, maxBytes = MAX_CONTROL_MESSAGE_BYTES) {
  const stream = await wire.dialer.dialProtocol(wire.registrar as never, protocol)
  await writeFrame(stream, frame)
  await closeStream(stream)
  return await readFrame(stream, { maxBytes, timeoutMs: 2_000 })
}

async function fetchHeader(wire: InMemoryWire, f: Partial<MaskFetch> = {}): Promise<MaskTransferHeader> {
  const fetch: MaskFetch = { requestId: 9, target: { taskKey: TASK }, encoding: 'bits', backboneId: BACKBONE, ...f }
  return decodeTransferHeader(await request(wire, MASK_PROTOCOL, encodeFetch(fetch)))
}

/** The reason a failed exchange gives (a ProtocolError's code). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return isProtocolError(err) ? err.code : String(err)
  }
  return 'no failure'
}

describe('MaskExchangeServer (in-memory streams)', () => {
  it('registers its three protocols on start and removes them on stop, idempotently', async () => {
    const { wire, server } = await serving()
    for (const p of [QUERY_PROTOCOL, MASK_PROTOCOL, INVENTORY_PROTOCOL]) expect(wire.handles(p)).toBe(true)
    await server.start()
    await server.stop()
    await server.stop()
    for (const p of [QUERY_PROTOCOL, MASK_PROTOCOL, INVENTORY_PROTOCOL]) expect(wire.handles(p)).toBe(false)
  })

  it('answers a query with an offer for the held mask, and no-mask otherwise', async () => {
    const { wire, store } = await serving()
    const ask = async (reward: number | null) =>
      decodeOffer(
        await request(wire, QUERY_PROTOCOL, encodeQuery({ requestId: 3, taskKey: TASK, reward, backboneId: BACKBONE }))
      )
    expect(await ask(null)).toMatchObject({ requestId: 3, status: 'no-mask' })
    await store.put(encodeMask(syntheticMask(1), 'f32'), meta(0.9))
    expect(await ask(null)).toMatchObject({ requestId: 3, status: 'has-mask', taskKey: TASK, reward: 0.9 })
    expect(await ask(0.85)).toMatchObject({ status: 'no-mask' }) // 0.9 x 0.9 < 0.85: not clearly better
  })

  it('cuts an oversize request frame unread: no answer, nothing counted', async () => {
    const { wire, traffic, lines } = await serving()
    const stream = await wire.dialer.dialProtocol(wire.registrar as never, QUERY_PROTOCOL)
    await writeFrame(stream, new Uint8Array(MAX_CONTROL_MESSAGE_BYTES + 1))
    expect(await failure(readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, timeoutMs: 2_000 }))).toBe(
      'STREAM_CLOSED'
    )
    await closed(wire.inbound[0]!)
    expect(traffic.snapshot().messages.query).toEqual({ sent: 0, received: 0 })
    expect(lines.join('\n')).toMatch(/query stream failed.*TOO_LARGE/)
  })

  it('resets the stream on a malformed query', async () => {
    const { wire, traffic, lines } = await serving()
    expect(await failure(request(wire, QUERY_PROTOCOL, Uint8Array.of(0xff, 0xff, 0xff)))).toBe('STREAM_CLOSED')
    expect(traffic.snapshot().messages.query).toEqual({ sent: 0, received: 1 })
    expect(lines.join('\n')).toMatch(/query stream failed.*MALFORMED/)
  })

  it('refuses a malformed fetch request as bad-request, and an unknown encoding as unsupported-encoding', async () => {
    const { wire } = await serving()
    const bad = decodeTransferHeader(await request(wire, MASK_PROTOCOL, Uint8Array.of(0xff, 0xff, 0xff)))
    expect(bad).toMatchObject({ requestId: 0, status: 'bad-request' })
    // The fetch with its encoding field (5, varint) set again to 99: a later field wins in protobuf.
    const valid = encodeFetch({ requestId: 4, target: { taskKey: TASK }, encoding: 'bits', backboneId: BACKBONE })
    const unknown = Uint8Array.from([...valid, 0x28, 99])
    const header = decodeTransferHeader(await request(wire, MASK_PROTOCOL, unknown))
    expect(header).toMatchObject({ requestId: 0, status: 'unsupported-encoding' })
  })

  it('refuses a fetch for another backbone, an encoding it does not serve, or a mask it does not hold', async () => {
    const { wire } = await serving()
    expect(await fetchHeader(wire, { backboneId: 'ffffffffffffffffffffffffffffffff' })).toMatchObject({
      requestId: 9,
      status: 'backbone-mismatch',
      message: `this node's backbone is ${BACKBONE}`
    })
    expect(await fetchHeader(wire, { encoding: 'delta' })).toMatchObject({ status: 'unsupported-encoding' })
    expect(await fetchHeader(wire)).toMatchObject({ requestId: 9, status: 'not-found' })
  })

  it('answers busy beyond the concurrent-transfer limit instead of queueing', async () => {
    const { waiting, masks } = heldLoads()
    // (All from one in-memory peer: the per-peer cap is lifted to reach the global one.)
    const { wire } = await serving({ masks, limits: { transfersPerPeer: 100 } })
    const accepted = Array.from({ length: SERVER_LIMITS.maxConcurrentTransfers }, async () => await fetchHeader(wire))
    await expect.poll(() => waiting.length).toBe(SERVER_LIMITS.maxConcurrentTransfers)
    expect(await fetchHeader(wire)).toMatchObject({ status: 'busy' })
    for (const release of waiting) release()
    for (const h of await Promise.all(accepted)) expect(h.status).toBe('not-found')
    // The slots are free again.
    const next = fetchHeader(wire)
    await expect.poll(() => waiting.length).toBe(SERVER_LIMITS.maxConcurrentTransfers + 1)
    waiting.at(-1)!()
    expect((await next).status).toBe('not-found')
  })

  it('serves a held mask in the asked encoding, and counts the transfer', async () => {
    const { wire, store, server } = await serving()
    await store.put(encodeMask(syntheticMask(1), 'f32'), meta(0.9))
    const header = await fetchHeader(wire)
    expect(header).toMatchObject({ requestId: 9, status: 'ok', encoding: 'bits' })
    expect(header.totalSize).toBe(encodeMask(syntheticMask(1), 'bits').length)
    await expect.poll(() => server.transfersServed).toBe(1)
  })

  it('answers an inventory request with the current announcement', async () => {
    const { wire } = await serving()
    const bytes = await request(
      wire,
      INVENTORY_PROTOCOL,
      encodeInventoryRequest({ requestId: 1 }),
      MAX_ANNOUNCEMENT_BYTES
    )
    expect(decodeAnnouncement(bytes)).toMatchObject({ sequence: 7, totalSteps: 42 })
  })

  it('a response lost to loss injection resets the stream: the requester sees no answer', async () => {
    const { wire } = await serving({ loss: new LossInjector({ probability: 1 }, () => 0) })
    expect(
      await failure(
        request(wire, QUERY_PROTOCOL, encodeQuery({ requestId: 1, taskKey: TASK, reward: null, backboneId: BACKBONE }))
      )
    ).toBe('STREAM_CLOSED')
  })

  it('answers busy to a peer that asks more often than its rate limit, and serves it again once it waited', async () => {
    const clock = { t: 1_000_000 }
    const { wire, store, server } = await serving({
      limits: { query: { burst: 3, perSecond: 1 }, fetch: { burst: 2, perSecond: 1 } },
      now: () => clock.t
    })
    await store.put(encodeMask(syntheticMask(1), 'f32'), meta(0.9))
    const ask = async () =>
      decodeOffer(
        await request(
          wire,
          QUERY_PROTOCOL,
          encodeQuery({ requestId: 5, taskKey: TASK, reward: null, backboneId: BACKBONE })
        )
      ).status
    expect([await ask(), await ask(), await ask(), await ask()]).toEqual(['has-mask', 'has-mask', 'has-mask', 'busy'])
    expect((await fetchHeader(wire)).status).toBe('ok')
    expect((await fetchHeader(wire)).status).toBe('ok')
    expect(await fetchHeader(wire)).toMatchObject({
      status: 'busy',
      message: expect.stringMatching(/too many fetches/)
    })
    expect(server.limiters.query.refused).toBe(1)
    expect(server.limiters.fetch.refused).toBe(1)
    clock.t += 1_000
    expect(await ask()).toBe('has-mask')
    expect((await fetchHeader(wire)).status).toBe('ok')
  })

  it('resets an inventory request over the rate limit (its answer has no status)', async () => {
    const { wire } = await serving({ limits: { inventory: { burst: 1, perSecond: 0.001 } } })
    const inv = () =>
      request(wire, INVENTORY_PROTOCOL, encodeInventoryRequest({ requestId: 1 }), MAX_ANNOUNCEMENT_BYTES)
    expect(decodeAnnouncement(await inv()).sequence).toBe(7)
    expect(await failure(inv())).toBe('STREAM_CLOSED')
  })

  it('holds at most transfersPerPeer transfers for one peer at once', async () => {
    const { waiting, masks } = heldLoads()
    const { wire } = await serving({ masks })
    const accepted = Array.from({ length: DEFAULT_PEER_LIMITS.transfersPerPeer }, async () => await fetchHeader(wire))
    await expect.poll(() => waiting.length).toBe(DEFAULT_PEER_LIMITS.transfersPerPeer)
    expect(await fetchHeader(wire)).toMatchObject({ status: 'busy', message: 'too many transfers in progress' })
    for (const release of waiting) release()
    for (const h of await Promise.all(accepted)) expect(h.status).toBe('not-found')
  })

  it('refuses queries and fetches for tasks the site does not serve, by task key and by content id', async () => {
    const { wire, store, server } = await serving({ serve: ['minigrid/**'] })
    await store.put(encodeMask(syntheticMask(1), 'f32'), meta(0.9))
    const offer = decodeOffer(
      await request(
        wire,
        QUERY_PROTOCOL,
        encodeQuery({ requestId: 6, taskKey: TASK, reward: null, backboneId: BACKBONE })
      )
    )
    expect(offer).toMatchObject({ requestId: 6, status: 'refused', cid: null })
    expect(await fetchHeader(wire)).toMatchObject({ status: 'refused' })
    const cid = contentIdBytes(encodeMask(syntheticMask(1), 'bits'))
    expect(await fetchHeader(wire, { target: { cid } })).toMatchObject({ status: 'refused' })
    expect(server.refusedByPolicy).toBe(3)
    // Another backbone still learns the mismatch (a diagnosis, not a policy matter).
    const other = decodeOffer(
      await request(
        wire,
        QUERY_PROTOCOL,
        encodeQuery({ requestId: 7, taskKey: TASK, reward: null, backboneId: 'ffffffffffffffffffffffffffffffff' })
      )
    )
    expect(other.status).toBe('backbone-mismatch')
  })
})

/** A store whose loads wait until released: every accepted fetch holds a transfer slot meanwhile. */
function heldLoads() {
  const waiting: Array<() => void> = []
  const masks = {
    backboneId: BACKBONE,
    held: () => null,
    serves: () => true,
    load: () =>
      new Promise<null>(resolve => {
        waiting.push(() => {
          resolve(null)
        })
      })
  }
  return { waiting, masks }
}
