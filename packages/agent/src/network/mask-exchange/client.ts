import {
  abortStream, closeStream, decodeAnnouncement, decodeChunk, decodeOffer, decodeTransferHeader, encodeFetch, encodeInventoryRequest,
  encodeQuery, framedStream, INVENTORY_PROTOCOL, MASK_PROTOCOL, MAX_ANNOUNCEMENT_BYTES, MAX_CHUNK_MESSAGE_BYTES, MAX_CONTROL_MESSAGE_BYTES,
  ProtocolError, QUERY_PROTOCOL, readFrame, TransferAssembler, withDeadline, writeFrame,
  type InventoryAnnouncement, type MaskFetch, type MaskMeta, type MaskOffer, type MaskQuery, type MaskTransferHeader, type TransferStatus
} from '@l2d2c/protocol'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { L2d2cNode } from '../create-node.js'
import type { LossInjector } from './loss.js'
import type { Traffic } from './traffic.js'

/** Default deadlines of the requester side. */
export const CLIENT_DEFAULTS = {
  queryTimeoutMs: 2_000,
  fetchTimeoutMs: 10_000,
  inventoryTimeoutMs: 5_000
} as const

/** The remote answered a fetch with a non-OK status. */
export class RemoteRefusal extends Error {
  constructor (readonly status: TransferStatus, message: string) {
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

export function newRequestId (): number {
  nextRequestId = (nextRequestId + 1) >>> 0
  return nextRequestId
}

/**
 * The requester side of the mask exchange. Every call is bounded by a deadline combined with
 * the caller's signal and fails with a ProtocolError (TIMEOUT, ABORTED, STREAM_CLOSED,
 * MALFORMED, ...) or RemoteRefusal, so a dead or slow peer never stalls the caller.
 */
export class MaskExchangeClient {
  constructor (private readonly c: { node: L2d2cNode, loss: LossInjector, traffic: Traffic }) {}

  private async open (target: DialTarget, protocol: string, signal: AbortSignal): Promise<Stream> {
    try {
      // Optimistic protocol selection: the protocol id goes out with the request itself,
      // saving one round trip per request (a peer without the protocol then fails the
      // first read, which is handled like any other stream failure).
      return await this.c.node.dialProtocol(target, protocol, { signal, negotiateFully: false })
    } catch (err) {
      throw dialError(err, signal)
    }
  }

  /** Sends a query; resolves with the offer, or LOST when loss injection dropped the query. */
  async query (target: DialTarget, query: MaskQuery, opts: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<MaskOffer | typeof LOST> {
    if (this.c.loss.shouldDrop('query', peerOf(target))) return LOST
    const deadline = withDeadline(opts.timeoutMs ?? CLIENT_DEFAULTS.queryTimeoutMs, opts.signal)
    let stream: Stream | undefined
    const t0 = performance.now()
    try {
      stream = await this.open(target, QUERY_PROTOCOL, deadline.signal)
      const out = encodeQuery(query)
      await writeFrame(stream, out, { signal: deadline.signal })
      this.c.traffic.sent('query', out.length)
      await closeStream(stream, { signal: deadline.signal })
      const bytes = await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, signal: deadline.signal })
      this.c.traffic.received('query', bytes.length)
      const offer = decodeOffer(bytes)
      if (offer.requestId !== query.requestId) throw new ProtocolError('INVALID_FIELD', `offer answers request ${offer.requestId}, not ${query.requestId}`)
      if (offer.taskKey !== query.taskKey) throw new ProtocolError('INVALID_FIELD', `offer is for ${offer.taskKey}, asked ${query.taskKey}`)
      this.c.traffic.latency('query', performance.now() - t0)
      return offer
    } catch (err) {
      if (stream !== undefined) abortStream(stream)
      throw err
    } finally {
      deadline.clear()
    }
  }

  /**
   * Fetches a mask and verifies it against the CID in the transfer header and, when given,
   * against `expectedCid` (the id that was offered). Decoding and shape checks are the
   * caller's (it knows the expected backbone and layers).
   */
  async fetch (target: DialTarget, request: MaskFetch, opts: { signal?: AbortSignal, timeoutMs?: number, expectedCid?: Uint8Array } = {}): Promise<FetchedMask> {
    if (this.c.loss.shouldDrop('fetch', peerOf(target))) throw new ProtocolError('TIMEOUT', 'fetch request lost (loss injection)')
    const deadline = withDeadline(opts.timeoutMs ?? CLIENT_DEFAULTS.fetchTimeoutMs, opts.signal)
    let stream: Stream | undefined
    const t0 = performance.now()
    try {
      stream = await this.open(target, MASK_PROTOCOL, deadline.signal)
      const out = encodeFetch(request)
      await writeFrame(stream, out, { signal: deadline.signal })
      this.c.traffic.sent('mask', out.length)
      await closeStream(stream, { signal: deadline.signal })
      const framed = framedStream(stream, { maxBytes: MAX_CHUNK_MESSAGE_BYTES })
      const headerBytes = await framed.read({ signal: deadline.signal })
      let wireBytes = headerBytes.length + prefixLength(headerBytes.length)
      if (headerBytes.length > MAX_CONTROL_MESSAGE_BYTES) throw new ProtocolError('TOO_LARGE', 'transfer header too large')
      const header = decodeTransferHeader(headerBytes)
      if (header.requestId !== request.requestId) throw new ProtocolError('INVALID_FIELD', `transfer answers request ${header.requestId}, not ${request.requestId}`)
      if (header.status !== 'ok') throw new RemoteRefusal(header.status, header.message)
      if (header.encoding !== request.encoding) throw new ProtocolError('INVALID_FIELD', `asked for ${request.encoding}, got ${header.encoding ?? 'none'}`)
      if (opts.expectedCid !== undefined && request.encoding === 'bits' && !sameBytes(header.cid, opts.expectedCid)) {
        throw new ProtocolError('CID_MISMATCH', 'the transfer is not the mask that was offered')
      }
      const assembler = new TransferAssembler(header)
      while (!assembler.done) {
        const frame = await framed.read({ signal: deadline.signal })
        wireBytes += frame.length + prefixLength(frame.length)
        assembler.push(decodeChunk(frame))
      }
      framed.unwrap()
      const bytes = assembler.finish()
      this.c.traffic.received('mask', wireBytes)
      this.c.traffic.latency('fetch', performance.now() - t0)
      return { header, bytes, meta: header.meta as MaskMeta, wireBytes }
    } catch (err) {
      if (stream !== undefined) abortStream(stream)
      throw err
    } finally {
      deadline.clear()
    }
  }

  /** Asks a peer for its inventory (what `l2d2c masks --peer` shows). */
  async inventory (target: DialTarget, opts: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<InventoryAnnouncement> {
    const deadline = withDeadline(opts.timeoutMs ?? CLIENT_DEFAULTS.inventoryTimeoutMs, opts.signal)
    let stream: Stream | undefined
    try {
      stream = await this.open(target, INVENTORY_PROTOCOL, deadline.signal)
      const out = encodeInventoryRequest({ requestId: newRequestId() })
      await writeFrame(stream, out, { signal: deadline.signal })
      this.c.traffic.sent('inventory', out.length)
      await closeStream(stream, { signal: deadline.signal })
      const bytes = await readFrame(stream, { maxBytes: MAX_ANNOUNCEMENT_BYTES, signal: deadline.signal })
      this.c.traffic.received('inventory', bytes.length)
      return decodeAnnouncement(bytes)
    } catch (err) {
      if (stream !== undefined) abortStream(stream)
      throw err
    } finally {
      deadline.clear()
    }
  }
}

function peerOf (target: DialTarget): string | undefined {
  if (Array.isArray(target)) return target[0]?.getComponents().find(c => c.name === 'p2p')?.value
  if ('getComponents' in target) return target.getComponents().find(c => c.name === 'p2p')?.value
  return target.toString()
}

function prefixLength (n: number): number {
  let len = 1
  while (n >= 0x80) { n = Math.floor(n / 128); len++ }
  return len
}

function sameBytes (a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * Classifies a dial or protocol-negotiation failure so the caller can log why a peer was
 * skipped: the peer does not speak the protocol, cannot be reached, or is not who we think.
 */
function dialError (err: unknown, signal: AbortSignal): Error {
  if (err instanceof ProtocolError) return err
  if (signal.aborted) {
    const reason = signal.reason
    return reason instanceof ProtocolError ? reason : new ProtocolError('ABORTED', 'dial aborted', { cause: err })
  }
  const name = (err as Error)?.name ?? ''
  const message = (err as Error)?.message ?? String(err)
  if (name === 'UnsupportedProtocolError') return new ProtocolError('STREAM_CLOSED', `peer does not speak the protocol: ${message}`, { cause: err })
  if (name === 'TimeoutError') return new ProtocolError('TIMEOUT', `dial timed out: ${message}`, { cause: err })
  return new ProtocolError('STREAM_CLOSED', `cannot reach peer (${name}): ${message}`, { cause: err })
}
