import {
  abortStream, closeStream, decodeFetch, decodeInventoryRequest, decodeQuery, encodeAnnouncement, encodeOffer,
  encodeTransferHeader, INVENTORY_PROTOCOL, isProtocolError, MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES, QUERY_PROTOCOL, readFrame, SUPPORTED_ENCODINGS, withDeadline, writeFrame,
  type InventoryAnnouncement, type MaskOffer, type MaskTransferHeader, type TransferStatus
} from '@l2d2c/protocol'
import type { Connection, Stream } from '@libp2p/interface'
import type { Logger } from '../../logging/logger.js'
import type { SharingStrategy } from '../../sharing/strategy.js'
import type { L2d2cNode } from '../create-node.js'
import type { LocalMasks } from './local-masks.js'
import type { LossInjector } from './loss.js'
import type { Traffic } from './traffic.js'

/** Limits of the responder side, each with its reason. */
export const SERVER_LIMITS = {
  /** A request frame must arrive, and the answer leave, within this time: a silent or slow peer is cut. */
  handlerTimeoutMs: 5_000,
  /** A whole transfer (header + chunks) to one peer: F32 CT-graph masks take ~10 ms on loopback, 16 MiB at 1 MB/s ~16 s. */
  transferTimeoutMs: 30_000,
  /** Concurrent query streams per connection: a node asks one question per task at a time. */
  maxInboundQueryStreams: 8,
  /** Concurrent fetch streams per connection. */
  maxInboundMaskStreams: 4,
  maxInboundInventoryStreams: 2,
  /** Transfers served at once over all peers; beyond it we answer BUSY rather than queue. */
  maxConcurrentTransfers: 16
} as const

export interface MaskExchangeServerComponents {
  node: L2d2cNode
  masks: LocalMasks
  strategy: SharingStrategy
  loss: LossInjector
  traffic: Traffic
  logger: Logger
  /** The announcement this node would publish now (inventory answers reuse it). */
  announcement: () => InventoryAnnouncement
}

/**
 * The responder side of the mask exchange: answers queries with the sharing strategy, serves
 * masks by CID or task key in the requested encoding, lists the inventory. Every handler is
 * bounded (stream count, request size, deadline) and never throws into libp2p.
 */
export class MaskExchangeServer {
  private activeTransfers = 0
  private started = false
  /** Masks sent to peers (complete transfers), since start. */
  transfersServed = 0

  constructor (private readonly c: MaskExchangeServerComponents) {}

  async start (): Promise<void> {
    if (this.started) return
    const { node } = this.c
    await node.handle(QUERY_PROTOCOL, (stream, connection) => { void this.onQuery(stream, connection) }, { maxInboundStreams: SERVER_LIMITS.maxInboundQueryStreams })
    await node.handle(MASK_PROTOCOL, (stream, connection) => { void this.onFetch(stream, connection) }, { maxInboundStreams: SERVER_LIMITS.maxInboundMaskStreams })
    await node.handle(INVENTORY_PROTOCOL, (stream, connection) => { void this.onInventory(stream, connection) }, { maxInboundStreams: SERVER_LIMITS.maxInboundInventoryStreams })
    this.started = true
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await Promise.all([QUERY_PROTOCOL, MASK_PROTOCOL, INVENTORY_PROTOCOL].map(async p => { await this.c.node.unhandle(p) }))
  }

  private async onQuery (stream: Stream, connection: Connection): Promise<void> {
    const { masks, strategy, loss, traffic } = this.c
    const deadline = withDeadline(SERVER_LIMITS.handlerTimeoutMs)
    const peer = connection.remotePeer.toString()
    try {
      const bytes = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, signal: deadline.signal })
      traffic.received('query', bytes.length)
      const query = decodeQuery(bytes)
      const answer = strategy.answer(query, masks.held(query.taskKey), masks.backboneId)
      const offer: MaskOffer = answer.status === 'has-mask'
        ? { requestId: query.requestId, status: 'has-mask', taskKey: query.taskKey, reward: answer.mask.reward, stepsTrained: answer.mask.stepsTrained, cid: answer.mask.cid, encodedSize: answer.mask.encodedSize, encodings: [...answer.mask.encodings], backboneId: masks.backboneId, origin: answer.mask.origin }
        : { requestId: query.requestId, status: answer.status, taskKey: query.taskKey, reward: 0, stepsTrained: 0, cid: null, encodedSize: 0, encodings: [], backboneId: masks.backboneId, origin: '' }
      if (loss.shouldDrop('offer', peer)) { abortStream(stream); return }
      const out = encodeOffer(offer)
      await writeFrame(stream, out, { signal: deadline.signal })
      traffic.sent('query', out.length)
      await closeStream(stream, { signal: deadline.signal })
      this.c.logger.debug({ peer, task: query.taskKey, status: offer.status }, 'answered query')
    } catch (err) {
      abortStream(stream)
      this.c.logger.debug({ peer, err: describe(err) }, 'query stream failed')
    } finally {
      deadline.clear()
    }
  }

  private async onFetch (stream: Stream, connection: Connection): Promise<void> {
    const { masks, loss, traffic } = this.c
    const peer = connection.remotePeer.toString()
    const deadline = withDeadline(SERVER_LIMITS.transferTimeoutMs)
    const fail = async (requestId: number, status: TransferStatus, message: string): Promise<void> => {
      const header: MaskTransferHeader = { requestId, status, cid: null, encoding: null, totalSize: 0, chunkSize: 0, chunkCount: 0, meta: null, message }
      const out = encodeTransferHeader(header)
      await writeFrame(stream, out, { signal: deadline.signal })
      traffic.sent('mask', out.length)
      await closeStream(stream, { signal: deadline.signal })
      this.c.logger.debug({ peer, status, message }, 'refused fetch')
    }
    let counted = false
    // The request must arrive within the handler deadline; the transfer deadline bounds the rest.
    const arrival = withDeadline(SERVER_LIMITS.handlerTimeoutMs, deadline.signal)
    try {
      const bytes = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, signal: arrival.signal }).finally(arrival.clear)
      traffic.received('mask', bytes.length)
      let request
      try {
        request = decodeFetch(bytes)
      } catch (err) {
        if (isProtocolError(err)) { await fail(0, err.code === 'UNKNOWN_ENUM' ? 'unsupported-encoding' : 'bad-request', err.message); return }
        throw err
      }
      if (request.backboneId !== masks.backboneId) { await fail(request.requestId, 'backbone-mismatch', `this node's backbone is ${masks.backboneId}`); return }
      if (!SUPPORTED_ENCODINGS.includes(request.encoding)) { await fail(request.requestId, 'unsupported-encoding', `encoding ${request.encoding} is not supported`); return }
      if (this.activeTransfers >= SERVER_LIMITS.maxConcurrentTransfers) { await fail(request.requestId, 'busy', 'too many transfers in progress'); return }
      this.activeTransfers++
      counted = true
      const held = await masks.load(request.target, request.encoding)
      if (held === null) { await fail(request.requestId, 'not-found', 'no such mask here'); return }
      if (loss.shouldDrop('transfer', peer)) { abortStream(stream); return }
      // Origin left empty when this node trained the mask: the requester knows who answered (saves ~54 B).
      const origin = held.meta.origin === this.c.node.peerId.toString() ? '' : held.meta.origin
      const header = encodeTransferHeader({
        requestId: request.requestId,
        status: 'ok',
        cid: held.cid,
        encoding: request.encoding,
        totalSize: held.bytes.length,
        chunkSize: held.chunkSize,
        chunkCount: held.frames.length,
        meta: { ...held.meta, origin },
        message: ''
      })
      await writeFrame(stream, header, { signal: deadline.signal })
      traffic.sent('mask', header.length)
      // The chunk frames are cached per (mask version, encoding): only the header is encoded here.
      for (const frame of held.frames) {
        await writeFrame(stream, frame, { signal: deadline.signal })
        traffic.sent('mask', frame.length)
      }
      await closeStream(stream, { signal: deadline.signal })
      this.transfersServed++
      this.c.logger.debug({ peer, bytes: held.bytes.length, encoding: request.encoding }, 'served mask')
    } catch (err) {
      abortStream(stream)
      this.c.logger.debug({ peer, err: describe(err) }, 'fetch stream failed')
    } finally {
      if (counted) this.activeTransfers--
      deadline.clear()
    }
  }

  private async onInventory (stream: Stream, connection: Connection): Promise<void> {
    const { loss, traffic } = this.c
    const deadline = withDeadline(SERVER_LIMITS.handlerTimeoutMs)
    try {
      const bytes = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, signal: deadline.signal })
      traffic.received('inventory', bytes.length)
      decodeInventoryRequest(bytes)
      if (loss.shouldDrop('inventory', connection.remotePeer.toString())) { abortStream(stream); return }
      const out = encodeAnnouncement(this.c.announcement())
      await writeFrame(stream, out, { signal: deadline.signal })
      traffic.sent('inventory', out.length)
      await closeStream(stream, { signal: deadline.signal })
    } catch (err) {
      abortStream(stream)
      this.c.logger.debug({ peer: connection.remotePeer.toString(), err: describe(err) }, 'inventory stream failed')
    } finally {
      deadline.clear()
    }
  }
}

export function describe (err: unknown): string {
  if (isProtocolError(err)) return `${err.code}: ${err.message}`
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
