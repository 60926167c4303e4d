import {
  decodeMask,
  isProtocolError,
  type DecodedMask,
  type LayerSpec,
  type MaskEncoding,
  type MaskMeta
} from '@l2d2c/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { describeError } from '../errors.js'
import { fetchBound, newRequestId, RemoteRefusal, type MaskExchangeClient } from '../network/mask-exchange/client.js'
import type { ReceivedOffer } from './policy/strategy.js'

/** A fetched candidate whose bytes passed every check (docs/protocol.md §9, steps 1–4). */
export interface VerifiedCandidate {
  readonly kind: 'verified'
  readonly offer: ReceivedOffer
  readonly cid: string
  readonly mask: DecodedMask
  /** The bytes as fetched (in the requested encoding): what a review holds and stores. */
  readonly bytes: Uint8Array
  readonly encoding: MaskEncoding
  /** The holder's metadata, with the origin filled in (empty on the wire means the holder). */
  readonly meta: MaskMeta
  /** When the verified mask was in hand (the round's latency figure). */
  readonly inHandAt: number
}

/**
 * A fetch that gave nothing usable. `lie`: the peer sent bytes that contradict its own offer
 * (another CID, or a mask that is not for this task, backbone and layer table): a
 * verification failure. `slow`: our round stopped waiting for it (its grace ran out): says
 * nothing about the peer. `busy`: the holder's rate limit or transfer slots: backpressure, not
 * a failure. Otherwise a fetch failure (refused, timed out, stream closed).
 */
export interface FailedCandidate {
  readonly kind: 'failed'
  readonly offer: ReceivedOffer
  readonly cid: string
  readonly cause: 'lie' | 'slow' | 'busy' | 'failure'
  /** The bytes hashed to the offered CID: the content itself is bad, whoever serves it. */
  readonly contentVerified: boolean
  readonly reason: string
}

export type FetchedCandidate = VerifiedCandidate | FailedCandidate

/**
 * Protocol errors of a fetch that mean the bytes contradict the offer (TOO_LARGE: more bytes
 * than the offered mask can take, client.ts fetchBound).
 */
const LIES = new Set(['CID_MISMATCH', 'MALFORMED', 'INCONSISTENT_SHAPE', 'TRAILING_BYTES', 'TRUNCATED', 'TOO_LARGE'])

/**
 * Fetches one offered mask by its CID and verifies it: the transfer (client.ts: request id,
 * header, chunk sizes, CID), then the mask itself for this backbone, task and layer table.
 * `cut` aborts it when the round stops waiting; `signal` is the caller's stop.
 */
export async function fetchCandidate(
  c: { client: Pick<MaskExchangeClient, 'fetch'>; backboneId: string; now: () => number },
  r: ReceivedOffer,
  o: {
    cid: string
    taskKey: string
    layers: readonly LayerSpec[]
    encoding: MaskEncoding
    timeoutMs: number
    cut: AbortSignal
    signal?: AbortSignal
  }
): Promise<FetchedCandidate> {
  const failed = (cause: FailedCandidate['cause'], reason: string, contentVerified = false): FailedCandidate => ({
    kind: 'failed',
    offer: r,
    cid: o.cid,
    cause,
    contentVerified,
    reason
  })
  const cid = r.offer.cid as Uint8Array
  let fetched: Awaited<ReturnType<MaskExchangeClient['fetch']>>
  try {
    fetched = await c.client.fetch(
      peerIdFromString(r.peerId),
      { requestId: newRequestId(), target: { cid }, encoding: o.encoding, backboneId: c.backboneId },
      {
        timeoutMs: o.timeoutMs,
        expectedCid: cid,
        // never more bytes than the offered mask can take in this encoding
        maxBytes: fetchBound(r.offer.encodedSize, o.encoding, {
          taskKey: o.taskKey,
          backboneId: c.backboneId,
          layers: o.layers
        }),
        signal: o.cut
      }
    )
  } catch (err) {
    if (o.cut.aborted && o.signal?.aborted !== true) return failed('slow', 'the round stopped waiting for it')
    if (err instanceof RemoteRefusal) return failed(err.status === 'busy' ? 'busy' : 'failure', err.message)
    const lie = isProtocolError(err) && LIES.has(err.code)
    return failed(lie ? 'lie' : 'failure', describeError(err))
  }
  let mask: DecodedMask
  try {
    mask = decodeMask(fetched.bytes, {
      expectedBackboneId: c.backboneId,
      expectedTaskKey: o.taskKey,
      expectedLayers: o.layers
    })
  } catch (err) {
    return failed('lie', describeError(err), true)
  }
  return {
    kind: 'verified',
    offer: r,
    cid: o.cid,
    mask,
    bytes: fetched.bytes,
    encoding: o.encoding,
    meta: { ...fetched.meta, origin: fetched.meta.origin === '' ? r.peerId : fetched.meta.origin },
    inHandAt: c.now()
  }
}
