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
