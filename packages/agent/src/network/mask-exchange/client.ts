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
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { errorMessage, errorName } from '../../errors.js'
import { peerIdOf } from '../peer-address.js'
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

  private async open(target: DialTarget, protocol: string, signal: AbortSignal): Promise<Stream> {
    try {
      // Optimistic protocol selection: the protocol id goes out with the request itself,
      // saving one round trip per request (a peer without the protocol then fails the
      // first read, which is handled like any other stream failure).
      return await this.c.dialer.dialProtocol(target, protocol, { signal, negotiateFully: false })
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
    request: Uint8Array,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    read: (stream: Stream, signal: AbortSignal) => Promise<T>
  ): Promise<T> {
    const deadline = withDeadline(timeoutMs, signal)
    let stream: Stream | undefined
    try {
      stream = await this.open(target, protocol, deadline.signal)
      await writeFrame(stream, request, { signal: deadline.signal })
      this.c.traffic.sent(traffic, framedLength(request.length))
      await closeStream(stream, { signal: deadline.signal })
      return await read(stream, deadline.signal)
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
      encodeQuery(query),
      opts.timeoutMs ?? DEFAULT_CLIENT.queryTimeoutMs,
      opts.signal,
      async (stream, signal) => {
        const bytes = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, signal })
        this.c.traffic.received('query', framedLength(bytes.length))
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
   */
  async fetch(
    target: DialTarget,
    request: MaskFetch,
    opts: { signal?: AbortSignal; timeoutMs?: number; expectedCid?: Uint8Array; maxBytes?: number } = {}
  ): Promise<FetchedMask> {
    if (this.c.loss.shouldDrop('fetch', peerOf(target)))
      throw new ProtocolError('TIMEOUT', 'fetch request lost (loss injection)')
    const t0 = performance.now()
    return await this.exchange(
      target,
      MASK_PROTOCOL,
      'mask',
      encodeFetch(request),
      opts.timeoutMs ?? DEFAULT_CLIENT.fetchTimeoutMs,
      opts.signal,
      async (stream, signal) => {
        // One framed reader for header and chunks: a reader buffers ahead, so a second one would
        // miss what the first already took. decodeTransferHeader refuses a header over the
        // control-message limit (TOO_LARGE) before parsing it.
        const framed = framedStream(stream, { maxBytes: MAX_CHUNK_MESSAGE_BYTES })
        try {
          return await this.receiveTransfer(framed, request, opts.expectedCid, opts.maxBytes, signal, t0)
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
    t0: number
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
    this.c.traffic.received('mask', wireBytes)
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
      encodeInventoryRequest({ requestId: newRequestId() }),
      opts.timeoutMs ?? DEFAULT_CLIENT.inventoryTimeoutMs,
      opts.signal,
      async (stream, signal) => {
        const bytes = await readFrame(stream, { maxBytes: MAX_ANNOUNCEMENT_BYTES, signal })
        this.c.traffic.received('inventory', framedLength(bytes.length))
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
  // libp2p opens no protocol stream on a limited (relayed) connection unless the protocol
  // opts in; the mask exchange does not, so a transfer never hits a relay's data limit
  if (errorName(err) === 'LimitedConnectionError')
    return new ProtocolError(
      'STREAM_CLOSED',
      'only a relayed connection to this peer: masks are not sent through relays (their data limit would cut the transfer); waiting for a direct connection (hole punching) or another provider',
      { cause: err }
    )
  return errorName(err) === 'UnsupportedProtocolError'
    ? new ProtocolError('STREAM_CLOSED', `peer does not speak the protocol: ${message}`, { cause: err })
    : new ProtocolError('STREAM_CLOSED', `cannot reach peer (${errorName(err)}): ${message}`, { cause: err })
}
