import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  decodeFetch,
  decodeInventoryRequest,
  decodeQuery,
  encodeAnnouncement,
  encodeOffer,
  encodeTransferHeader,
  INVENTORY_PROTOCOL,
  isProtocolError,
  MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES,
  QUERY_PROTOCOL,
  acceptedEncodings,
  type InventoryAnnouncement,
  type MaskEncoding,
  type MaskFetch,
  type MaskOffer,
  type MaskTransferHeader,
  type TransferStatus
} from '@l2d2c/protocol'
import { abortStream, closeStream, readFrame, withDeadline, writeFrame } from '@l2d2c/protocol/framing'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '../../logging/logger.js'
import { describeError } from '../../errors.js'
import type { SitePolicy } from '../../sharing/policy/site-policy.js'
import type { Answer, SharingStrategy } from '../../sharing/policy/strategy.js'
import type { ServedMasks } from '../../masks/store/served-masks.js'
import { PeerRateLimiter } from '../../util/rate-limiter.js'
import { fitsLimits, limitedWireBytes, RELAY_BUDGET, RELAY_REFUSAL_MARK } from '../relay-budget.js'
import type { ProtocolRegistrar } from './components.js'
import type { LossInjector, OutboundKind } from './loss.js'
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './peer-limits.js'
import { framedLength, type Traffic, type TrafficProtocol } from './traffic.js'

/** Limits of the responder side, each with its reason. */
export const SERVER_LIMITS = {
  /** A request frame must arrive, and the answer leave, within this time: a silent or slow peer is cut. */
  handlerTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  /** A whole transfer (header + chunks) to one peer at most: 16 MiB at 1 MB/s takes ~16 s. */
  transferTimeoutMs: 30_000,
  /**
   * A transfer's deadline is 5 s plus its size at this rate (capped by transferTimeoutMs): a
   * peer that reads slowly holds a transfer slot no longer than its mask needs (a BITS CT-graph
   * mask: 5.2 s, F32: 11.7 s), instead of 30 s per slot.
   */
  minTransferBytesPerSecond: 64 * 1024,
  /** Concurrent query streams per connection: a node asks one question per task at a time. */
  maxInboundQueryStreams: 8,
  /** Concurrent fetch streams per connection. */
  maxInboundMaskStreams: 4,
  maxInboundInventoryStreams: 2,
  /** Transfers served at once over all peers; beyond it we answer BUSY rather than queue. */
  maxConcurrentTransfers: 16
} as const

export interface MaskExchangeServerComponents {
  /** Where the three handlers are registered. */
  registrar: ProtocolRegistrar
  /** This agent's peer id (a mask it trained is served with an empty origin). */
  peerId: PeerId
  masks: Pick<ServedMasks, 'backboneId' | 'held' | 'load' | 'serves'>
  strategy: SharingStrategy
  loss: Pick<LossInjector, 'shouldDrop'>
  traffic: Traffic
  logger: Logger
  /** The announcement this node would publish now (inventory answers reuse it). */
  announcement: () => InventoryAnnouncement
  /** Which tasks the site serves (others are refused). */
  policy: Pick<SitePolicy, 'serves'>
  now?: () => number
  /** Whether a peer is banned (peer-banner.ts): its streams are reset before a byte is read. */
  banned?: (peer: string) => boolean
}

/**
 * The responder side of the mask exchange: answers queries with the sharing strategy, serves
 * masks by CID or task key in the requested encoding, lists the inventory. Every handler is
 * bounded (stream count, request size, deadline) and never throws into libp2p.
 */
export class MaskExchangeServer {
  private activeTransfers = 0
  /** Transfers in progress per peer (entries removed at 0). */
  private readonly transfersOf = new Map<string, number>()
  private started = false
  /** Masks sent to peers (complete transfers), since start. */
  transfersServed = 0
  /** Requests refused by the per-peer rate limits (and the per-peer transfer cap), by kind. */
  readonly limiters: {
    readonly query: PeerRateLimiter
    readonly fetch: PeerRateLimiter
    readonly inventory: PeerRateLimiter
  }
  /** Queries and fetches refused by the sharing policy. */
  refusedByPolicy = 0
  /** Fetches refused because the mask would not fit the relayed connection they came over. */
  refusedOverRelay = 0
  private readonly limits: PeerLimits
  private readonly now: () => number

  constructor(
    private readonly c: MaskExchangeServerComponents,
    limits: PeerLimits = DEFAULT_PEER_LIMITS
  ) {
    this.limits = limits
    this.now = c.now ?? Date.now
    this.limiters = {
      query: new PeerRateLimiter(limits.query, limits.trackedPeers),
      fetch: new PeerRateLimiter(limits.fetch, limits.trackedPeers),
      inventory: new PeerRateLimiter(limits.inventory, limits.trackedPeers)
    }
  }

  async start(): Promise<void> {
    if (this.started) return
    const { registrar } = this.c
    await registrar.handle(
      QUERY_PROTOCOL,
      (stream, connection) => {
        void this.onQuery(stream, connection)
      },
      // queries and fetches may arrive over a relayed connection: what does not fit is refused
      // below (docs/protocol.md §5.6); inventories never run on one
      { maxInboundStreams: SERVER_LIMITS.maxInboundQueryStreams, runOnLimitedConnection: true }
    )
    await registrar.handle(
      MASK_PROTOCOL,
      (stream, connection) => {
        void this.onFetch(stream, connection)
      },
      { maxInboundStreams: SERVER_LIMITS.maxInboundMaskStreams, runOnLimitedConnection: true }
    )
    await registrar.handle(
      INVENTORY_PROTOCOL,
      (stream, connection) => {
        void this.onInventory(stream, connection)
      },
      { maxInboundStreams: SERVER_LIMITS.maxInboundInventoryStreams }
    )
    this.started = true
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await Promise.all(
      [QUERY_PROTOCOL, MASK_PROTOCOL, INVENTORY_PROTOCOL].map(async p => {
        await this.c.registrar.unhandle(p)
      })
    )
  }

  /**
   * The handler skeleton: read one request frame (it must arrive within the handler timeout),
   * count it, hand it to `handle` under the whole exchange's deadline; on any failure reset the
   * stream and log. Never throws into libp2p.
   */
  private async serve(
    stream: Stream,
    connection: Connection,
    kind: TrafficProtocol,
    timeoutMs: number,
    handle: (request: Uint8Array, peer: string, signal: AbortSignal) => Promise<void>
  ): Promise<void> {
    const peer = connection.remotePeer.toString()
    if (this.c.banned?.(peer) === true) {
      // (a stream opened before the peer's connections were closed)
      abortStream(stream)
      return
    }
    const deadline = withDeadline(timeoutMs)
    try {
      const bytes = await readFrame(stream, {
        maxBytes: MAX_CONTROL_MESSAGE_BYTES,
        signal: deadline.signal,
        timeoutMs: SERVER_LIMITS.handlerTimeoutMs
      })
      this.c.traffic.received(kind, framedLength(bytes.length))
      if (connection.limits !== undefined) this.c.traffic.relayed('received', framedLength(bytes.length))
      await handle(bytes, peer, deadline.signal)
    } catch (err) {
      abortStream(stream)
      this.c.logger.debug({ peer, err: describeError(err) }, `${kind} stream failed`)
    } finally {
      deadline.clear()
    }
  }

  /**
   * Sends a response (one or more frames) and half-closes, unless loss injection drops it: the
   * stream is then reset, which is what the requester would see of a lost answer. Every
   * outbound response goes through here, refusals included.
   */
  private async respond(
    stream: Stream,
    connection: Connection,
    kind: TrafficProtocol,
    loss: OutboundKind,
    peer: string,
    frames: readonly Uint8Array[],
    signal: AbortSignal
  ): Promise<boolean> {
    if (this.c.loss.shouldDrop(loss, peer)) {
      abortStream(stream)
      return false
    }
    let bytes = 0
    for (const frame of frames) {
      await writeFrame(stream, frame, { signal })
      bytes += framedLength(frame.length)
    }
    this.c.traffic.sent(kind, bytes)
    if (connection.limits !== undefined) this.c.traffic.relayed('sent', bytes)
    await closeStream(stream, { signal })
    return true
  }

  private async onQuery(stream: Stream, connection: Connection): Promise<void> {
    const { masks, strategy } = this.c
    await this.serve(stream, connection, 'query', SERVER_LIMITS.handlerTimeoutMs, async (bytes, peer, signal) => {
      const query = decodeQuery(bytes)
      // The rate limit first (a flood costs a decode and a small refusal), then the backbone
      // (a mismatch is a diagnosis, not a secret), then the site's policy, then the L2D2-C rules.
      const answer: Answer | { readonly status: 'busy' | 'refused' } = !this.limiters.query.take(peer, this.now())
        ? { status: 'busy' }
        : query.backboneId === masks.backboneId && !this.c.policy.serves(query.taskKey)
          ? { status: 'refused' }
          : strategy.answer(query, masks.held(query.taskKey), masks.backboneId)
      if (answer.status === 'refused') this.refusedByPolicy++
      const offer: MaskOffer =
        answer.status === 'has-mask'
          ? {
              requestId: query.requestId,
              status: 'has-mask',
              taskKey: query.taskKey,
              reward: answer.mask.reward,
              stepsTrained: answer.mask.stepsTrained,
              cid: answer.mask.cid,
              encodedSize: answer.mask.encodedSize,
              encodings: [...answer.mask.encodings],
              backboneId: masks.backboneId,
              origin: answer.mask.origin
            }
          : {
              requestId: query.requestId,
              status: answer.status,
              taskKey: query.taskKey,
              reward: 0,
              stepsTrained: 0,
              cid: null,
              encodedSize: 0,
              encodings: [],
              backboneId: masks.backboneId,
              origin: ''
            }
      if (await this.respond(stream, connection, 'query', 'offer', peer, [encodeOffer(offer)], signal)) {
        this.c.logger.debug({ peer, task: query.taskKey, status: offer.status }, 'answered query')
      }
    })
  }

  private async onFetch(stream: Stream, connection: Connection): Promise<void> {
    const { masks } = this.c
    let counted: string | null = null
    await this.serve(stream, connection, 'mask', SERVER_LIMITS.transferTimeoutMs, async (bytes, peer, signal) => {
      // Refusals are outbound messages like any other: loss injection applies to them too.
      const refuse = async (requestId: number, status: TransferStatus, message: string): Promise<void> => {
        const header: MaskTransferHeader = {
          requestId,
          status,
          cid: null,
          encoding: null,
          totalSize: 0,
          chunkSize: 0,
          chunkCount: 0,
          meta: null,
          message
        }
        if (await this.respond(stream, connection, 'mask', 'transfer', peer, [encodeTransferHeader(header)], signal))
          this.c.logger.debug({ peer, status, message }, 'refused fetch')
      }
      let request: MaskFetch
      try {
        request = decodeFetch(bytes)
      } catch (err) {
        if (isProtocolError(err)) {
          await refuse(0, err.code === 'UNKNOWN_ENUM' ? 'unsupported-encoding' : 'bad-request', err.message)
          return
        }
        throw err
      }
      if (request.backboneId !== masks.backboneId) {
        await refuse(request.requestId, 'backbone-mismatch', `this node's backbone is ${masks.backboneId}`)
        return
      }
      // The encodings the requester accepts (just `encoding` from a requester without a list).
      const accepted = acceptedEncodings(request)
      if (!accepted.some(e => masks.serves(e))) {
        await refuse(request.requestId, 'unsupported-encoding', `encoding ${accepted.join(', ')} is not supported`)
        return
      }
      if (!this.limiters.fetch.take(peer, this.now())) {
        await refuse(request.requestId, 'busy', 'too many fetches from this peer; retry later')
        return
      }
      if (
        this.activeTransfers >= SERVER_LIMITS.maxConcurrentTransfers ||
        (this.transfersOf.get(peer) ?? 0) >= this.limits.transfersPerPeer
      ) {
        await refuse(request.requestId, 'busy', 'too many transfers in progress')
        return
      }
      if ('taskKey' in request.target && !this.c.policy.serves(request.target.taskKey)) {
        this.refusedByPolicy++
        await refuse(request.requestId, 'refused', 'this node does not serve that task')
        return
      }
      this.activeTransfers++
      this.transfersOf.set(peer, (this.transfersOf.get(peer) ?? 0) + 1)
      counted = peer
      // The smallest of the accepted encodings this node can produce for the mask (§5.2.1).
      const held = await masks.load(request.target, accepted).catch((err: unknown) => {
        if (isProtocolError(err) && err.code === 'UNSUPPORTED_ENCODING') return err
        throw err
      })
      if (held === null) {
        await refuse(request.requestId, 'not-found', 'no such mask here')
        return
      }
      if (held instanceof Error) {
        await refuse(request.requestId, 'unsupported-encoding', held.message)
        return
      }
      if (!this.c.policy.serves(held.taskKey)) {
        this.refusedByPolicy++
        await refuse(request.requestId, 'refused', 'this node does not serve that task')
        return
      }
      // Origin left empty when this node trained the mask: the requester knows who answered (saves ~54 B).
      const origin = held.meta.origin === this.c.peerId.toString() ? '' : held.meta.origin
      const header = encodeTransferHeader({
        requestId: request.requestId,
        status: 'ok',
        cid: held.cid,
        encoding: held.encoding,
        totalSize: held.totalSize,
        chunkSize: held.chunkSize,
        chunkCount: held.frames.length,
        meta: { ...held.meta, origin },
        message: ''
      })
      // Over a relayed connection only what fits its remaining limits (docs/protocol.md §5.6):
      // the requester should not have asked, but its view of the connection may be older.
      const overRelay = relayRefusal(connection, held.encoding, [header, ...held.frames])
      if (overRelay !== null) {
        this.refusedOverRelay++
        await refuse(request.requestId, 'refused', overRelay)
        return
      }
      // A slow reader holds the slot no longer than this mask needs (SERVER_LIMITS).
      const deadline = withDeadline(
        Math.min(
          SERVER_LIMITS.transferTimeoutMs,
          SERVER_LIMITS.handlerTimeoutMs + (1000 * held.totalSize) / SERVER_LIMITS.minTransferBytesPerSecond
        ),
        signal
      )
      try {
        // The chunk frames are cached per (mask version, encoding): only the header is encoded here.
        if (
          await this.respond(stream, connection, 'mask', 'transfer', peer, [header, ...held.frames], deadline.signal)
        ) {
          this.transfersServed++
          this.c.logger.debug({ peer, bytes: held.totalSize, encoding: held.encoding }, 'served mask')
        }
      } finally {
        deadline.clear()
      }
    }).finally(() => {
      if (counted === null) return
      this.activeTransfers--
      const n = (this.transfersOf.get(counted) ?? 1) - 1
      if (n > 0) this.transfersOf.set(counted, n)
      else this.transfersOf.delete(counted)
    })
  }

  private async onInventory(stream: Stream, connection: Connection): Promise<void> {
    await this.serve(stream, connection, 'inventory', SERVER_LIMITS.handlerTimeoutMs, async (bytes, peer, signal) => {
      decodeInventoryRequest(bytes)
      // The answer has no status to say "busy": over the limit, the stream is reset.
      if (!this.limiters.inventory.take(peer, this.now())) throw new Error('inventory requests over the rate limit')
      await this.respond(
        stream,
        connection,
        'inventory',
        'inventory',
        peer,
        [encodeAnnouncement(this.c.announcement())],
        signal
      )
    })
  }
}

/**
 * Why a transfer in `encoding` of these frames must not go over `connection`, or null when it
 * may: always on a direct connection; on a relayed one, a compact encoding whose frames fit the
 * remaining limits (relay-budget.ts).
 */
function relayRefusal(
  connection: Pick<Connection, 'limits'>,
  encoding: MaskEncoding,
  frames: readonly Uint8Array[]
): string | null {
  if (connection.limits === undefined) return null
  if (!RELAY_BUDGET.encodings.includes(encoding))
    return `${encoding} is not sent ${RELAY_REFUSAL_MARK} (only ${RELAY_BUDGET.encodings.join(' and ')}); fetch it over a direct connection`
  const v = fitsLimits(connection.limits, limitedWireBytes(frames.map(f => f.length)))
  return v.fits
    ? null
    : `not sent ${RELAY_REFUSAL_MARK}: ${v.reason}; fetch it over a direct connection or a fresh relayed one`
}
