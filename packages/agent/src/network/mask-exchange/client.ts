import {
  acceptedEncodings,
  decodeAnnouncement,
  decodeChunk,
  decodeOffer,
  decodeTransferHeader,
  encodeFetch,
  encodeInventoryRequest,
  encodeQuery,
  INVENTORY_PROTOCOL,
  MASK_PROTOCOL,
  MAX_ANNOUNCEMENT_BYTES,
  MAX_CHUNK_MESSAGE_BYTES,
  MAX_CONTROL_MESSAGE_BYTES,
  maxEncodedMaskSize,
  maxEncodedSizeFromBits,
  ProtocolError,
  QUERY_PROTOCOL,
  TransferAssembler,
  type InventoryAnnouncement,
  type MaskEncoding,
  type MaskFetch,
  type MaskMeta,
  type MaskOffer,
  type MaskQuery,
  type MaskTransferHeader,
  type TransferStatus
} from '@l2d2c/protocol'
import {
  abortStream,
  closeStream,
  framedStream,
  readFrame,
  toProtocolError,
  withDeadline,
  writeFrame,
  type FramedStream
} from '@l2d2c/protocol/framing'
import type { Connection, ConnectionLimits, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { errorMessage, errorName } from '../../errors.js'
import { peerIdOf } from '../peer-address.js'
import { encodingsOverRelay, fitsLimits, QUERY_WIRE_BOUND } from '../relay-budget.js'
import type { ProtocolDialer } from './components.js'
import type { LossInjector } from './loss.js'
import { framedLength, type Traffic, type TrafficProtocol } from './traffic.js'
import { equals as equalBytes } from 'multiformats/bytes'

/** Default deadlines of the requester side. */
export const DEFAULT_CLIENT = {
  queryTimeoutMs: 2_000,
  fetchTimeoutMs: 10_000,
  /**
   * The whole inventory exchange (dial, request, an answer of up to 512 KiB): what
   * `l2d2c masks --peer` waits for a peer, long enough for a dial over a slow link. Its own
   * figure, not the responder's bound on a request frame arriving (the same 5 s by chance).
   */
  inventoryTimeoutMs: 5_000
} as const

/** The remote answered a fetch with a non-OK status. */
export class RemoteRefusal extends Error {
  constructor(
    readonly status: TransferStatus,
    message: string
  ) {
    super(`remote refused: ${status}${message !== '' ? ` (${message})` : ''}`)
    this.name = 'RemoteRefusal'
  }
}

/**
 * The only connection to the peer is relayed (limited) and the request would not fit its
 * remaining limits, or asks for an encoding never sent over a relay (relay-budget.ts): it
 * was not sent. Says nothing against the peer.
 */
export class RelayLimitError extends Error {
  constructor(reason: string) {
    super(`only a relayed connection to this peer: ${reason}`)
    this.name = 'RelayLimitError'
  }
}

/**
 * Called before a request goes out on a limited (relayed) connection, with its remaining
 * limits: throws RelayLimitError when the request must not run on it. A request without one
 * never runs on a limited connection.
 */
type OnLimited = (limits: ConnectionLimits) => void

/** A query that loss injection chose not to send: the answer never comes. */
export const LOST = Symbol('lost')

export type DialTarget = PeerId | Multiaddr | Multiaddr[]

export interface FetchedMask {
  header: MaskTransferHeader
  /** Canonical mask bytes, already verified against header.cid. */
  bytes: Uint8Array
  meta: MaskMeta
  /** Application bytes received for the whole response (header + chunks + prefixes). */
  wireBytes: number
}

// Request ids only correlate an answer with its request on one stream: a counter suffices.
let nextRequestId = 0

export function newRequestId(): number {
  nextRequestId = (nextRequestId + 1) >>> 0
  return nextRequestId
}

/**
 * The requester side of the mask exchange. Every call is bounded by a deadline combined with
 * the caller's signal and fails with a ProtocolError (TIMEOUT, ABORTED, STREAM_CLOSED,
 * MALFORMED, ...) or RemoteRefusal, so a dead or slow peer never stalls the caller.
 */
export interface MaskExchangeClientComponents {
  /** Opens the request streams. */
  dialer: ProtocolDialer
  loss: Pick<LossInjector, 'shouldDrop'>
  traffic: Traffic
}

export class MaskExchangeClient {
  constructor(private readonly c: MaskExchangeClientComponents) {}

  /**
   * Opens a request stream. A direct connection is preferred (libp2p's dial picks an unlimited
   * one); when the only connection to the peer is relayed, the stream runs on it if the request
   * opted in with `onLimited` and fits (docs/protocol.md §5.6). A peer reached only through a
   * relay and not connected yet is dialled first: libp2p then refuses the stream on the new
   * limited connection (LimitedConnectionError), which is looked up and used the same way.
   */
  private async open(
    target: DialTarget,
    protocol: string,
    signal: AbortSignal,
    onLimited: OnLimited | undefined
  ): Promise<{ stream: Stream; relayed: boolean }> {
    const peer = onLimited === undefined ? undefined : peerTarget(target)
    const existing = peer === undefined ? undefined : this.onlyLimited(peer)
    if (existing !== undefined) return await this.openLimited(existing, protocol, signal, onLimited as OnLimited)
    try {
      // Optimistic protocol selection: the protocol id goes out with the request itself,
      // saving one round trip per request (a peer without the protocol then fails the
      // first read, which is handled like any other stream failure).
      return {
        stream: await this.c.dialer.dialProtocol(target, protocol, { signal, negotiateFully: false }),
        relayed: false
      }
    } catch (err) {
      const dialled =
        peer !== undefined && errorName(err) === 'LimitedConnectionError' ? this.onlyLimited(peer) : undefined
      if (dialled === undefined) throw dialError(err, signal)
      return await this.openLimited(dialled, protocol, signal, onLimited as OnLimited)
    }
  }

  /** The open limited connection with the most bytes left, if every open connection to `peer` is limited. */
  private onlyLimited(peer: PeerId): Connection | undefined {
    const open = this.c.dialer.getConnections(peer).filter(conn => conn.status === 'open')
    if (open.length === 0 || open.some(conn => conn.limits === undefined)) return undefined
    const left = (conn: Connection): bigint => conn.limits?.bytes ?? BigInt(Number.MAX_SAFE_INTEGER)
    return open.reduce((best, conn) => (left(conn) > left(best) ? conn : best))
  }

  private async openLimited(
    conn: Connection,
    protocol: string,
    signal: AbortSignal,
    onLimited: OnLimited
  ): Promise<{ stream: Stream; relayed: boolean }> {
    onLimited(conn.limits as ConnectionLimits)
    try {
      const stream = await conn.newStream(protocol, { signal, negotiateFully: false, runOnLimitedConnection: true })
      return { stream, relayed: true }
    } catch (err) {
      throw dialError(err, signal)
    }
  }

  /**
   * One request/response exchange: open a stream (optimistic protocol selection), send the
   * request frame, half-close, let `read` take the answer; the deadline (timeout and caller
   * signal) bounds all of it, and the stream is reset on any failure.
   */
  private async exchange<T>(
    target: DialTarget,
    protocol: string,
    traffic: TrafficProtocol,
    request: () => Uint8Array,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onLimited: OnLimited | undefined,
    read: (stream: Stream, signal: AbortSignal, received: (bytes: number) => void) => Promise<T>
  ): Promise<T> {
    const deadline = withDeadline(timeoutMs, signal)
    let stream: Stream | undefined
    try {
      const opened = await this.open(target, protocol, deadline.signal, onLimited)
      stream = opened.stream
      // built after `open`: over a relay, `onLimited` may have narrowed what it asks for
      const bytes = request()
      await writeFrame(stream, bytes, { signal: deadline.signal })
      this.c.traffic.sent(traffic, framedLength(bytes.length))
      if (opened.relayed) this.c.traffic.relayed('sent', framedLength(bytes.length))
      await closeStream(stream, { signal: deadline.signal })
      return await read(stream, deadline.signal, n => {
        this.c.traffic.received(traffic, n)
        if (opened.relayed) this.c.traffic.relayed('received', n)
      })
    } catch (err) {
      if (stream !== undefined) abortStream(stream)
      throw err
    } finally {
      deadline.clear()
    }
  }

  /** Sends a query; resolves with the offer, or LOST when loss injection dropped the query. */
  async query(
    target: DialTarget,
    query: MaskQuery,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {}
  ): Promise<MaskOffer | typeof LOST> {
    if (this.c.loss.shouldDrop('query', peerOf(target))) return LOST
    const t0 = performance.now()
    return await this.exchange(
      target,
      QUERY_PROTOCOL,
      'query',
      () => encodeQuery(query),
      opts.timeoutMs ?? DEFAULT_CLIENT.queryTimeoutMs,
      opts.signal,
      // a query and its offer are a few hundred bytes: they run over a relay with budget left
      limits => {
        const v = fitsLimits(limits, QUERY_WIRE_BOUND)
        if (!v.fits) throw new RelayLimitError(v.reason)
      },
      async (stream, signal, received) => {
        const bytes = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, signal })
        received(framedLength(bytes.length))
        const offer = decodeOffer(bytes)
        if (offer.requestId !== query.requestId)
          throw new ProtocolError('INVALID_FIELD', `offer answers request ${offer.requestId}, not ${query.requestId}`)
        if (offer.taskKey !== query.taskKey)
          throw new ProtocolError('INVALID_FIELD', `offer is for ${offer.taskKey}, asked ${query.taskKey}`)
        this.c.traffic.latency('query', performance.now() - t0)
        return offer
      }
    )
  }

  /**
   * Fetches a mask and verifies it against the CID in the transfer header and, when given,
   * against `expectedCid` (the id that was offered). `maxBytes` bounds the transfer by the size
   * the caller expects (fetchBound): a header announcing more is refused (TOO_LARGE) before a
   * chunk is read, so a peer cannot make the requester receive up to MAX_MASK_BYTES of junk.
   * Decoding and shape checks are the caller's (it knows the expected backbone and layers).
   *
   * `maskBound(e)` is the most bytes the mask can take in encoding `e`: with it, a peer reached
   * only through a relay is asked for the accepted encodings whose transfer fits the relayed
   * connection's remaining limits (relay-budget.ts), and when none does nothing is sent
   * (RelayLimitError). Without it, a fetch never runs on a relayed connection.
   */
  async fetch(
    target: DialTarget,
    request: MaskFetch,
    opts: {
      signal?: AbortSignal
      timeoutMs?: number
      expectedCid?: Uint8Array
      maxBytes?: number
      maskBound?: (encoding: MaskEncoding) => number
    } = {}
  ): Promise<FetchedMask> {
    if (this.c.loss.shouldDrop('fetch', peerOf(target)))
      throw new ProtocolError('TIMEOUT', 'fetch request lost (loss injection)')
    const t0 = performance.now()
    const maskBound = opts.maskBound
    let asked = request
    return await this.exchange(
      target,
      MASK_PROTOCOL,
      'mask',
      () => encodeFetch(asked),
      opts.timeoutMs ?? DEFAULT_CLIENT.fetchTimeoutMs,
      opts.signal,
      maskBound === undefined
        ? undefined
        : limits => {
            const over = encodingsOverRelay(limits, acceptedEncodings(request), maskBound)
            if (over.reason !== null) throw new RelayLimitError(over.reason)
            asked = narrowedFetch(request, over.accept)
          },
      async (stream, signal, received) => {
        // One framed reader for header and chunks: a reader buffers ahead, so a second one would
        // miss what the first already took. decodeTransferHeader refuses a header over the
        // control-message limit (TOO_LARGE) before parsing it.
        const framed = framedStream(stream, { maxBytes: MAX_CHUNK_MESSAGE_BYTES })
        try {
          return await this.receiveTransfer(framed, asked, opts.expectedCid, opts.maxBytes, signal, t0, received)
        } finally {
          framed.unwrap()
        }
      }
    )
  }

  private async receiveTransfer(
    framed: FramedStream,
    request: MaskFetch,
    expectedCid: Uint8Array | undefined,
    maxBytes: number | undefined,
    signal: AbortSignal,
    t0: number,
    received: (bytes: number) => void
  ): Promise<FetchedMask> {
    const headerBytes = await framed.read({ signal })
    let wireBytes = framedLength(headerBytes.length)
    const header = decodeTransferHeader(headerBytes)
    // A holder that could not decode the fetch refuses it with request id 0 (docs/protocol.md
    // §5.2): that refusal is the answer, so the status is read before the id is held against it.
    const refused = header.status !== 'ok'
    if (header.requestId !== request.requestId && !(refused && header.requestId === 0))
      throw new ProtocolError('INVALID_FIELD', `transfer answers request ${header.requestId}, not ${request.requestId}`)
    if (refused) throw new RemoteRefusal(header.status, header.message)
    // The holder picks among the accepted encodings (a holder without `accept`: `encoding`).
    const accepted = acceptedEncodings(request)
    if (header.encoding === null || !accepted.includes(header.encoding))
      throw new ProtocolError('INVALID_FIELD', `asked for ${accepted.join(' or ')}, got ${header.encoding ?? 'none'}`)
    // A BITS transfer must be the offered CID itself; other encodings are checked by the
    // caller once decoded (DELTA: its BITS re-encoding has that CID).
    if (
      expectedCid !== undefined &&
      header.encoding === 'bits' &&
      (header.cid === null || !equalBytes(header.cid, expectedCid))
    ) {
      throw new ProtocolError('CID_MISMATCH', 'the transfer is not the mask that was offered')
    }
    if (maxBytes !== undefined && header.totalSize > maxBytes)
      throw new ProtocolError(
        'TOO_LARGE',
        `the transfer announces ${header.totalSize} bytes, more than the ${maxBytes} this mask can take in ${header.encoding}`
      )
    const assembler = new TransferAssembler(header)
    while (!assembler.done) {
      const frame = await framed.read({ signal })
      wireBytes += framedLength(frame.length)
      assembler.push(decodeChunk(frame))
    }
    const bytes = assembler.finish()
    received(wireBytes)
    this.c.traffic.latency('fetch', performance.now() - t0)
    return { header, bytes, meta: assembler.header.meta, wireBytes }
  }

  /** Asks a peer for its inventory (what `l2d2c masks --peer` shows). */
  async inventory(
    target: DialTarget,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {}
  ): Promise<InventoryAnnouncement> {
    if (this.c.loss.shouldDrop('inventory', peerOf(target)))
      throw new ProtocolError('TIMEOUT', 'inventory request lost (loss injection)')
    return await this.exchange(
      target,
      INVENTORY_PROTOCOL,
      'inventory',
      () => encodeInventoryRequest({ requestId: newRequestId() }),
      opts.timeoutMs ?? DEFAULT_CLIENT.inventoryTimeoutMs,
      opts.signal,
      // an inventory may be 512 KiB, more than a relay lets through: never over a relay
      undefined,
      async (stream, signal, received) => {
        const bytes = await readFrame(stream, { maxBytes: MAX_ANNOUNCEMENT_BYTES, signal })
        received(framedLength(bytes.length))
        return decodeAnnouncement(bytes)
      }
    )
  }
}

/**
 * The most bytes a fetch of an offered mask may bring: the offer's BITS size turned into a
 * bound for the requested encoding, and, when the requester knows the task's layer table, the
 * exact size of that table (maxEncodedMaskSize), whichever is smaller.
 */
export function fetchBound(
  offeredBitsSize: number,
  encoding: MaskEncoding,
  table?: Parameters<typeof maxEncodedMaskSize>[0]
): number {
  const fromOffer = maxEncodedSizeFromBits(offeredBitsSize, encoding)
  return table === undefined ? fromOffer : Math.min(fromOffer, maxEncodedMaskSize(table, encoding))
}

/** `request` asking only for `accept` (in its order): one entry goes as `encoding` alone. */
function narrowedFetch(request: MaskFetch, accept: readonly MaskEncoding[]): MaskFetch {
  const { accept: _all, ...rest } = request
  const first = accept[0] as MaskEncoding
  if (accept.length === 1) return { ...rest, encoding: first }
  return { ...rest, encoding: accept.includes(request.encoding) ? request.encoding : first, accept }
}

/** The peer a target names, when it is a peer id (a multiaddr target is dialled as given). */
function peerTarget(target: DialTarget): PeerId | undefined {
  return Array.isArray(target) || 'getComponents' in target ? undefined : target
}

function peerOf(target: DialTarget): string | undefined {
  if (Array.isArray(target)) return target[0] !== undefined ? peerIdOf(target[0]) : undefined
  if ('getComponents' in target) return peerIdOf(target)
  return target.toString()
}

/**
 * Classifies a dial or protocol-negotiation failure so the caller can log why a peer was
 * skipped: the peer does not speak the protocol, cannot be reached, or is not who we think.
 */
function dialError(err: unknown, signal: AbortSignal): ProtocolError {
  const failure = toProtocolError(err, signal)
  if (signal.aborted || failure.code !== 'STREAM_CLOSED') return failure
  const message = errorMessage(err)
  // libp2p opens no protocol stream on a limited (relayed) connection unless the request opts
  // in: queries and fetches that fit do (docs/protocol.md §5.6), an inventory never does
  if (errorName(err) === 'LimitedConnectionError')
    return new ProtocolError(
      'STREAM_CLOSED',
      'only a relayed connection to this peer, and this request is not sent through relays (an inventory may exceed their data limit); waiting for a direct connection (hole punching)',
      { cause: err }
    )
  return errorName(err) === 'UnsupportedProtocolError'
    ? new ProtocolError('STREAM_CLOSED', `peer does not speak the protocol: ${message}`, { cause: err })
    : new ProtocolError('STREAM_CLOSED', `cannot reach peer (${errorName(err)}): ${message}`, { cause: err })
}
