import {
  contentIdBytes,
  decodeMask,
  encodeMask,
  isProtocolError,
  ProtocolError,
  type DecodedMask,
  type LayerSpec,
  type MaskEncoding,
  type MaskMeta
} from '@l2d2c/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { equals as sameBytes } from 'multiformats/bytes'
import type { DeltaBaseProvider } from '../masks/initial-mask.js'
import { describeError } from '../errors.js'
import {
  fetchBound,
  newRequestId,
  RelayLimitError,
  RemoteRefusal,
  type MaskExchangeClient
} from '../network/mask-exchange/client.js'
import { RELAY_REFUSAL_MARK } from '../network/relay-budget.js'
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
 * a failure. `relay-limit`: the only connection to the holder is relayed and the mask does not
 * fit what its relay still lets through (never asked, or refused by the holder): the network's
 * shape, not the peer's fault. Otherwise a fetch failure (refused, timed out, stream closed).
 */
export interface FailedCandidate {
  readonly kind: 'failed'
  readonly offer: ReceivedOffer
  readonly cid: string
  readonly cause: 'lie' | 'slow' | 'busy' | 'relay-limit' | 'failure'
  /** The bytes hashed to the offered CID: the content itself is bad, whoever serves it. */
  readonly contentVerified: boolean
  readonly reason: string
}

export type FetchedCandidate = VerifiedCandidate | FailedCandidate

/**
 * A fetch's `encoding` and `accept` list for the configured encoding: 'delta' accepts DELTA
 * then BITS (BITS also being what a holder without the list serves) when this node can decode
 * DELTA, else BITS alone; any other encoding is asked for alone, as before the negotiation
 * (docs/protocol.md §5.2.1).
 */
export function fetchEncodings(
  configured: MaskEncoding,
  canDecodeDelta: boolean
): { encoding: MaskEncoding; accept: readonly MaskEncoding[] } {
  if (configured !== 'delta') return { encoding: configured, accept: [configured] }
  return canDecodeDelta ? { encoding: 'bits', accept: ['delta', 'bits'] } : { encoding: 'bits', accept: ['bits'] }
}

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
  c: {
    client: Pick<MaskExchangeClient, 'fetch'>
    backboneId: string
    now: () => number
    /** The DELTA bases this node can rebuild; without it, DELTA is not asked for. */
    deltaBase?: DeltaBaseProvider
  },
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
  const deltaBase = c.deltaBase
  const { encoding, accept } = fetchEncodings(o.encoding, deltaBase !== undefined)
  // never more bytes than the offered mask can take in encoding `e`
  const maskBound = (e: MaskEncoding): number =>
    fetchBound(r.offer.encodedSize, e, { taskKey: o.taskKey, backboneId: c.backboneId, layers: o.layers })
  let fetched: Awaited<ReturnType<MaskExchangeClient['fetch']>>
  try {
    fetched = await c.client.fetch(
      peerIdFromString(r.peerId),
      {
        requestId: newRequestId(),
        target: { cid },
        encoding,
        backboneId: c.backboneId,
        // A one-entry list says no more than `encoding`: left out, the request is what it was.
        ...(accept.length > 1 ? { accept } : {})
      },
      {
        timeoutMs: o.timeoutMs,
        expectedCid: cid,
        maxBytes: Math.max(...accept.map(maskBound)),
        // a holder reached only through a relay is asked for what fits the relay's limits
        maskBound,
        signal: o.cut
      }
    )
  } catch (err) {
    if (o.cut.aborted && o.signal?.aborted !== true) return failed('slow', 'the round stopped waiting for it')
    if (err instanceof RelayLimitError) return failed('relay-limit', err.message)
    if (err instanceof RemoteRefusal)
      return failed(err.status === 'busy' ? 'busy' : overRelay(err) ? 'relay-limit' : 'failure', err.message)
    const lie = isProtocolError(err) && LIES.has(err.code)
    return failed(lie ? 'lie' : 'failure', describeError(err))
  }
  let mask: DecodedMask
  try {
    mask = decodeMask(fetched.bytes, {
      expectedBackboneId: c.backboneId,
      expectedTaskKey: o.taskKey,
      expectedLayers: o.layers,
      ...(deltaBase !== undefined ? { deltaBase: h => deltaBase(h) ?? missingBase(o.taskKey) } : {})
    })
    // The offer names the mask by its BITS CID: a DELTA transfer decodes to exactly the
    // scores BITS carries, so its BITS re-encoding must hash to that CID.
    if (mask.encoding === 'delta' && !sameBytes(contentIdBytes(encodeMask(mask, 'bits')), cid))
      throw new ProtocolError('CID_MISMATCH', 'the DELTA transfer is not the mask that was offered')
  } catch (err) {
    // A DELTA transfer that is not the offered mask is the peer's fault (its bytes did not
    // hash to the offer), not bad content: like a CID mismatch of the transfer.
    return failed('lie', describeError(err), !(isProtocolError(err) && err.code === 'CID_MISMATCH'))
  }
  return {
    kind: 'verified',
    offer: r,
    cid: o.cid,
    mask,
    bytes: fetched.bytes,
    encoding: mask.encoding,
    meta: { ...fetched.meta, origin: fetched.meta.origin === '' ? r.peerId : fetched.meta.origin },
    inHandAt: c.now()
  }
}

/**
 * A holder's refusal to send over a relayed connection (server.ts relayRefusal): a refusal
 * status with its message, recognised by that message (the status enum has no value for it,
 * and a new value would break older peers' decoders).
 */
function overRelay(err: RemoteRefusal): boolean {
  return err.status === 'refused' && err.message.includes(RELAY_REFUSAL_MARK)
}

function missingBase(taskKey: string): never {
  throw new ProtocolError('MISSING_BASE', `cannot rebuild the initial mask of ${taskKey} to decode a DELTA transfer`)
}
