import { contentIdBytesOf, parseContentId } from '../cid.js'
import { MESSAGE_VERSION } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { encodingCode, encodingFromCode, type MaskEncoding } from '../mask-codec.js'
import { assertBackboneId, assertFinite, assertPeerIdText, assertTaskKey, toSafeInteger } from '../validate.js'

/**
 * What every message module shares: the field rules and the parse/finish steps around the
 * generated protobuf codec.
 *
 * The contract every message module keeps: its decoder checks the byte limit of its message
 * kind first, turns any parse failure into ProtocolError('MALFORMED'), then validates every
 * field with the message's one read function. Its encoder runs that same read function on
 * what it is about to send, so it throws the decoder's ProtocolError instead of emitting a
 * frame a peer would refuse, and whatever it does send decodes back to its input.
 */

// ---- enums ----------------------------------------------------------------------------

/** The string for a wire enum value; UNKNOWN_ENUM for a value (0 included) the table lacks. */
export function reverse<T extends string>(m: Record<T, number>, value: number | null | undefined, what: string): T {
  for (const [k, v] of Object.entries(m) as Array<[T, number]>) if (v === value) return k
  throw new ProtocolError('UNKNOWN_ENUM', `unknown ${what} ${String(value)}`)
}

// ---- field rules ---------------------------------------------------------------------
//
// Each rule takes a field as the protobuf decoder hands it out (null/undefined = absent, uint64
// as Long) or as a caller passes it to an encoder, and returns the value or throws. Decoders
// apply them to what arrived; encoders apply the same decoder functions to what they are
// about to send, so an encoder never emits a frame its decoder refuses. The rules never round
// or clamp a valid value: whatever passes them comes back unchanged after encode and decode.

/** Known encodings in a list; values from a newer peer that we do not know are skipped. */
export function decodeEncodingList(codes: number[] | null | undefined): MaskEncoding[] {
  const out: MaskEncoding[] = []
  for (const c of codes ?? []) {
    try {
      const e = encodingFromCode(c)
      if (!out.includes(e)) out.push(e)
    } catch {
      /* forward compatible: ignore encodings we do not know */
    }
  }
  return out
}

/** The encoder's side of decodeEncodingList: what it would skip or merge is refused instead. */
export function encodingCodes(list: readonly MaskEncoding[], what: string): number[] {
  return list.map((e, i) => {
    if (list.indexOf(e) !== i) throw new ProtocolError('INVALID_FIELD', `${what} encodings list ${e} twice`)
    return encodingCode(e)
  })
}

/** A single encoding that must be present (a fetch's wish, an ok transfer's encoding). */
export function decodeWanted(code: number | null | undefined): MaskEncoding {
  if (code === null || code === undefined || code === 0) throw new ProtocolError('INVALID_FIELD', 'encoding is missing')
  return encodingFromCode(code)
}

export function taskKeyOf(value: string | null | undefined, field?: string): string {
  const key = value ?? ''
  assertTaskKey(key, field)
  return key
}

export function backboneIdOf(value: string | null | undefined): string {
  const id = value ?? ''
  assertBackboneId(id)
  return id
}

export function peerIdOf(value: string | null | undefined, field: string): string {
  const id = value ?? ''
  assertPeerIdText(id, field)
  return id
}

/** uint32 fields: a decoded one always passes; a caller's -1 or 1.5 would not survive encoding. */
export function uint32Of(value: number | null | undefined, field: string): number {
  const v = value ?? 0
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new ProtocolError('INVALID_FIELD', `${field} must be an integer in [0, 2^32), got ${v}`)
  return v
}

export function requestIdOf(value: number | null | undefined): number {
  return uint32Of(value, 'request id')
}

export function sizeOf(value: number | null | undefined, max: number, what: string): number {
  const v = uint32Of(value, what)
  if (v > max) throw new ProtocolError('TOO_LARGE', `${what} ${v} exceeds ${max}`)
  return v
}

export function rewardOf(value: number | null | undefined, what: string): number {
  const v = value ?? 0
  assertFinite(v, what)
  return v
}

/**
 * protobufjs hands out Node Buffers that view the input frame; copy into a plain Uint8Array so
 * decoded messages never alias a stream buffer that may be reused, and compare as plain bytes.
 */
export function plainBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b)
}

export function optionalCid(bytes: Uint8Array | null | undefined): Uint8Array | null {
  if (bytes === null || bytes === undefined || bytes.length === 0) return null
  return plainBytes(contentIdBytesOf(bytes))
}

export function requiredCid(bytes: Uint8Array | null | undefined, what: string): Uint8Array {
  const cid = optionalCid(bytes)
  if (cid === null) throw new ProtocolError('INVALID_FIELD', `${what} has no content id`)
  return cid
}

/** A caller's CID about to be sent: never empty (it would arrive as "no CID"), always CIDv1 raw sha2-256. */
export function cidToSend(cid: Uint8Array): Uint8Array {
  return parseContentId(cid).bytes
}

/** What a holder claims about its mask: the same three fields in metadata, offers and summaries. */
export interface Claims {
  reward: number
  stepsTrained: number
  origin: string
}

export function claimsOf(
  m: { reward?: number | null; stepsTrained?: unknown; origin?: string | null },
  what: string
): Claims {
  return {
    reward: rewardOf(m.reward, `${what} reward`),
    stepsTrained: toSafeInteger(m.stepsTrained, `${what} steps trained`),
    origin: peerIdOf(m.origin, `${what} origin`)
  }
}

// ---- framing of one message ---------------------------------------------------------------

interface Decoder<T> {
  decode: (reader: Uint8Array) => T
}

/** Size check, then protobuf parse; a parse failure becomes MALFORMED. */
export function parse<T>(codec: Decoder<T>, bytes: Uint8Array, limit: number, what: string): T {
  if (bytes.length > limit)
    throw new ProtocolError('TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${limit}-byte limit`)
  try {
    return codec.decode(bytes)
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError('MALFORMED', `malformed ${what}: ${(err as Error).message}`, { cause: err })
  }
}

/** parse, then refuse a message without a version or from a newer protocol version. */
export function parseMessage<T extends { version?: number | null }>(
  codec: Decoder<T>,
  bytes: Uint8Array,
  limit: number,
  what: string
): T {
  const m = parse(codec, bytes, limit, what)
  const v = m.version ?? 0
  if (v === 0) throw new ProtocolError('UNKNOWN_VERSION', `${what} has no version`)
  if (v > MESSAGE_VERSION)
    throw new ProtocolError('UNKNOWN_VERSION', `${what} version ${v} is newer than the supported ${MESSAGE_VERSION}`)
  return m
}

/** The encoded bytes, refused (TOO_LARGE) when over the limit the receiving decoder applies. */
export function finish(writer: { finish: () => Uint8Array }, limit: number, what: string): Uint8Array {
  const bytes = writer.finish()
  if (bytes.length > limit)
    throw new ProtocolError('TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${limit}-byte limit`)
  return bytes
}
