/**
 * What the mask exchange may send over a limited connection: one that runs through a Circuit
 * Relay v2 relay, which resets it once its data limit (both directions together; 128 KiB by
 * default) or its duration limit (2 min) runs out (docs/protocol.md §5.6). Queries are a few
 * hundred bytes; a DELTA mask (3–4 kB for the CT-graph network) or a BITS mask (13.9 kB) fits
 * well inside; F16 and F32 masks are 16 and 32 times BITS and never cross a relay. Both sides
 * apply the same rule: the fetcher never asks for an encoding whose bound does not fit the
 * connection's remaining limits, and the holder refuses to send one that does not.
 *
 * Pure: the remaining limits come in as plain values (libp2p's `connection.limits`, which
 * counts what already crossed the connection, handshake and identify included).
 */
import { MAX_CONTROL_MESSAGE_BYTES, MIN_CHUNK_BYTES, type MaskEncoding } from '@l2d2c/protocol'

/** A limited connection's remaining limits (libp2p's `ConnectionLimits`); absent: no such limit. */
export interface RemainingLimits {
  readonly bytes?: bigint
  readonly seconds?: number
}

export const RELAY_BUDGET = {
  /**
   * The encodings sent over a limited connection: the binary ones, which carry the policy
   * exactly in a few kB. F16 and F32 carry the real-valued scores at 16 and 32 times the
   * size; a node that asks for them wants them whole, over a direct connection.
   */
  encodings: ['delta', 'bits'] as readonly MaskEncoding[],
  /**
   * Left unused for what else crosses the connection while and after a transfer runs (a ping
   * every 10 s costs about 130 B, identify pushes and DCUtR a few kB) and for the error of the
   * estimate: a transfer that would eat into it is not started, so a connection never dies of
   * its data limit in the middle of one.
   */
  reserveBytes: 16 * 1024,
  /**
   * Below the application frames, per stream: multistream-select's protocol lines and yamux's
   * open, window-update, close and acknowledge frames (12 B each), each in a noise message
   * (18 B: length prefix and tag). 512 B bounds them with room to spare.
   */
  perStreamBytes: 512,
  /**
   * Per application frame: its yamux header (12 B), the noise message around it (18 B), and
   * the varint length prefix the frame's own count may leave out (3 B for frames up to 2 MiB).
   */
  perFrameBytes: 33,
  /** A noise message carries at most this many bytes; each more costs another 18 B. */
  noiseMessageBytes: 65_535,
  noiseMessageOverheadBytes: 18,
  /**
   * A transfer is started only with at least this long left before the relay closes the
   * connection: the holder's deadline for a 14 kB mask is about 5 s (server.ts SERVER_LIMITS).
   */
  minSecondsLeft: 10
} as const

/** The bytes `frames` application frames (payload sizes) cost on the wire of one stream, overhead included. */
export function limitedWireBytes(frames: readonly number[]): number {
  let total = RELAY_BUDGET.perStreamBytes
  for (const n of frames)
    total +=
      n +
      RELAY_BUDGET.perFrameBytes +
      RELAY_BUDGET.noiseMessageOverheadBytes * Math.floor(n / RELAY_BUDGET.noiseMessageBytes)
  return total
}

/**
 * A bound on what fetching a mask of at most `maskBytes` costs on the wire, before the holder
 * said how it chunks it: the request, the transfer header (control messages, at most 4 KiB
 * each) and the mask in chunks of the smallest size a holder may use, each chunk with its
 * protobuf fields (64 B at most).
 */
export function fetchWireBound(maskBytes: number): number {
  const chunks = Math.max(1, Math.ceil(maskBytes / MIN_CHUNK_BYTES))
  const chunkFrames = Array.from({ length: chunks }, (_, i) =>
    i < chunks - 1 ? MIN_CHUNK_BYTES + 64 : maskBytes - (chunks - 1) * MIN_CHUNK_BYTES + 64
  )
  return limitedWireBytes([MAX_CONTROL_MESSAGE_BYTES, MAX_CONTROL_MESSAGE_BYTES, ...chunkFrames])
}

/** A query and its offer: two control messages at most. */
export const QUERY_WIRE_BOUND = limitedWireBytes([MAX_CONTROL_MESSAGE_BYTES, MAX_CONTROL_MESSAGE_BYTES])

/** Every refusal a holder sends for this rule says this, so the fetcher can tell it from others. */
export const RELAY_REFUSAL_MARK = 'over a relayed connection'

export type RelayVerdict = { readonly fits: true } | { readonly fits: false; readonly reason: string }

/**
 * Whether `wireBytes` more may cross a limited connection with `limits` left, keeping the
 * reserve, with enough time left; the reason says what is short.
 */
export function fitsLimits(limits: RemainingLimits, wireBytes: number): RelayVerdict {
  if (limits.seconds !== undefined && limits.seconds < RELAY_BUDGET.minSecondsLeft)
    return {
      fits: false,
      reason: `the relayed connection closes in ${limits.seconds} s (its relay's duration limit); a transfer needs ${RELAY_BUDGET.minSecondsLeft} s`
    }
  if (limits.bytes !== undefined && BigInt(wireBytes + RELAY_BUDGET.reserveBytes) > limits.bytes)
    return {
      fits: false,
      reason: `the relayed connection has ${limits.bytes} bytes left of its relay's data limit; this needs ${wireBytes} plus a ${RELAY_BUDGET.reserveBytes}-byte reserve`
    }
  return { fits: true }
}

/**
 * What a fetch may accept over a limited connection: of the `accept`ed encodings (in the
 * fetcher's order of preference) the compact ones whose transfer bound (`maskBound(e)`, the
 * most bytes the mask can take in `e`) fits the remaining limits. Empty with the reason why
 * when none does: the fetch is not sent.
 */
export function encodingsOverRelay(
  limits: RemainingLimits,
  accept: readonly MaskEncoding[],
  maskBound: (encoding: MaskEncoding) => number
): { readonly accept: readonly MaskEncoding[]; readonly reason: string | null } {
  const compact = accept.filter(e => RELAY_BUDGET.encodings.includes(e))
  if (compact.length === 0)
    return {
      accept: [],
      reason: `${accept.join(' and ')} ${accept.length > 1 ? 'are' : 'is'} not sent over a relayed connection (only ${RELAY_BUDGET.encodings.join(' and ')}): waiting for a direct connection or another provider`
    }
  const reasons: string[] = []
  const fitting = compact.filter(e => {
    const v = fitsLimits(limits, fetchWireBound(maskBound(e)))
    if (!v.fits) reasons.push(`${e}: ${v.reason}`)
    return v.fits
  })
  return fitting.length > 0
    ? { accept: fitting, reason: null }
    : {
        accept: [],
        reason: `${reasons.join('; ')}: waiting for a direct connection, a fresh relayed one or another provider`
      }
}
