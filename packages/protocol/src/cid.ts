import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { utf8Encode } from './bytes.js'
import { TASK_KEY_CID_PREFIX } from './constants.js'
import { ProtocolError } from './errors.js'
import { assertTaskKey } from './validate.js'

/** Multicodec code of "raw" (the CID names opaque bytes: our canonical mask encoding). */
export const RAW_CODEC = 0x55
/** Multihash code of sha2-256. */
export const SHA2_256 = 0x12

/** CIDv1 (raw, sha2-256) of some bytes, computed synchronously. */
export function contentId(bytes: Uint8Array): CID {
  const hash = createHash('sha256').update(bytes).digest()
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256, new Uint8Array(hash.buffer, hash.byteOffset, hash.byteLength)))
}

/** The binary form of contentId(bytes) (what goes in protobuf `bytes cid` fields). */
export function contentIdBytes(bytes: Uint8Array): Uint8Array {
  return contentId(bytes).bytes
}

/**
 * The DHT key under which holders of a task's mask provide themselves: the CIDv1 (raw,
 * sha2-256) of the UTF-8 bytes TASK_KEY_CID_PREFIX + task key. A wire convention: every
 * implementation must derive the same key to find the same providers.
 */
export function taskContentId(taskKey: string): CID {
  assertTaskKey(taskKey)
  return contentId(utf8Encode(TASK_KEY_CID_PREFIX + taskKey))
}

/**
 * Parses a CID from its binary form and checks it is one we accept: CIDv1, raw codec,
 * sha2-256 with a 32-byte digest. Anything else is refused, so a peer cannot make us hash
 * with another function or accept a truncated digest.
 */
export function parseContentId(bytes: Uint8Array): CID {
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch (err) {
    throw new ProtocolError('CID_MISMATCH', `invalid CID bytes: ${(err as Error).message}`, { cause: err })
  }
  if (
    cid.version !== 1 ||
    cid.code !== RAW_CODEC ||
    cid.multihash.code !== SHA2_256 ||
    cid.multihash.digest.length !== 32
  ) {
    throw new ProtocolError('CID_MISMATCH', `unsupported CID ${cid.toString()}: expected CIDv1 raw sha2-256`)
  }
  return cid
}

/** The 4 bytes every accepted binary CID starts with: version 1, raw, sha2-256, 32-byte digest. */
const CONTENT_ID_PREFIX = [0x01, RAW_CODEC, SHA2_256, 0x20] as const
/** Length of an accepted binary CID: the prefix and the digest. */
export const CONTENT_ID_BYTES = CONTENT_ID_PREFIX.length + 32

/**
 * The binary form of an accepted CID, checked without building a CID object: the canonical
 * 36-byte form is recognised by its prefix (every field of it is a one-byte varint); anything
 * else goes through parseContentId, which accepts or refuses it as always. Decoders call this
 * once per announced mask, where CID.decode cost more than the rest of the decoding.
 */
export function contentIdBytesOf(bytes: Uint8Array): Uint8Array {
  if (
    bytes.length === CONTENT_ID_BYTES &&
    bytes[0] === CONTENT_ID_PREFIX[0] &&
    bytes[1] === CONTENT_ID_PREFIX[1] &&
    bytes[2] === CONTENT_ID_PREFIX[2] &&
    bytes[3] === CONTENT_ID_PREFIX[3]
  )
    return bytes
  return parseContentId(bytes).bytes
}

/** Parses a CID from its string form (base32 `bafk...` as printed by the CLI). */
export function parseContentIdString(text: string): CID {
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (err) {
    throw new ProtocolError('CID_MISMATCH', `invalid CID "${text}": ${(err as Error).message}`, { cause: err })
  }
  return parseContentId(cid.bytes)
}

/** Throws CID_MISMATCH unless `bytes` hash to `expected` (binary or parsed CID). */
export function verifyContentId(bytes: Uint8Array, expected: Uint8Array | CID): CID {
  const want = expected instanceof Uint8Array ? parseContentId(expected) : expected
  const got = contentId(bytes)
  const wantText = want.toString()
  // (CID.equals is a type guard, so format the message before comparing.)
  if (!got.equals(want)) {
    throw new ProtocolError('CID_MISMATCH', `content id mismatch: expected ${wantText}, got ${got.toString()}`)
  }
  return got
}

export { CID }
