import { l2d2c as pb } from '../gen/l2d2c.js'
import { ByteReader, ByteWriter } from './bytes.js'
import { contentId, parseContentId, type CID } from './cid.js'
import { MASK_FILE_VERSION, MAX_MASK_FILE_BYTES, MAX_MASK_FILE_HEADER_BYTES } from './constants.js'
import { ProtocolError } from './errors.js'
import {
  assertMaskLength,
  decodeMask,
  readMaskHeader,
  type DecodeMaskOptions,
  type DecodedMask,
  type MaskHeader
} from './mask-codec.js'
import { assertMeta, type MaskMeta, validateMeta } from './messages/meta.js'

/**
 * A mask file on disk is the canonical mask encoding (exactly the bytes that cross the wire
 * and that the content id hashes) behind a small envelope that records the CID it must hash
 * to and the holder's metadata (not covered by the CID: reward and steps change, the mask
 * does not).
 *
 *   offset  size  field
 *   0       4     magic "L2DF"
 *   4       1     file format version (1)
 *   5       1     reserved (0)
 *   6       2     header length H (u16, little-endian, <= 4096)
 *   8       H     MaskFileHeader (protobuf: cid, meta)
 *   8+H     ...   canonical mask encoding (mask-codec.ts), to the end of the file
 */

const MAGIC = [0x4c, 0x32, 0x44, 0x46] // "L2DF"

export interface MaskFileContents {
  /** The CID recorded in the file. */
  cid: CID
  /** The CID of the mask bytes actually present. */
  computedCid: CID
  /**
   * Whether the two agree: false means the file is corrupt. When true, the mask bytes also
   * decode (readMaskFile checked them), so a valid CID means a usable mask.
   */
  cidValid: boolean
  meta: MaskMeta
  /** The canonical mask encoding. */
  maskBytes: Uint8Array
  /** Its parsed header (task key, backbone id, encoding, layer table). */
  header: MaskHeader
}

/**
 * A mask file for canonical mask bytes. The bytes are decoded and hashed first: never write a
 * file we could not read back (header, length, payload). A caller that has just decoded the
 * same bytes and computed their CID (a mask store's put) passes that CID as `verified`, and
 * the second decode and hash (~1 ms for an F32 CT-graph mask) is skipped; the bytes and the
 * CID are then the caller's responsibility. The metadata is always checked.
 */
export function encodeMaskFile(maskBytes: Uint8Array, meta: MaskMeta, verified?: { readonly cid: CID }): Uint8Array {
  // (A DELTA mask cannot be checked here without its base: its encoder passes `verified`.)
  if (verified === undefined) decodeMask(maskBytes)
  assertMeta(meta, 'mask file metadata')
  const cid = verified?.cid ?? contentId(maskBytes)
  const header = pb.MaskFileHeader.encode({ cid: cid.bytes, meta }).finish()
  if (header.length > MAX_MASK_FILE_HEADER_BYTES) throw new ProtocolError('TOO_LARGE', 'mask file header too large')
  const w = new ByteWriter(8 + header.length + maskBytes.length)
  w.raw(Uint8Array.from(MAGIC))
  w.u8(MASK_FILE_VERSION)
  w.u8(0)
  w.u16(header.length)
  w.raw(header)
  w.raw(maskBytes)
  return w.bytes
}

/**
 * Parses a mask file. Structural problems throw ProtocolError: a bad envelope or mask header,
 * mask bytes longer or shorter than their header announces, and (when the recorded CID
 * matches) a payload that does not decode (non-finite values, non-canonical padding; a DELTA
 * payload without `deltaBase` is MISSING_BASE). A content-id mismatch does not throw but is
 * reported as cidValid=false (and mask null), so tools can show what is wrong; use
 * readVerifiedMaskFile to refuse it.
 */
export function readMaskFile(
  bytes: Uint8Array,
  opts: Pick<DecodeMaskOptions, 'deltaBase'> = {}
): MaskFileContents & { mask: DecodedMask | null } {
  const { file, mask } = parseMaskFile(bytes, opts)
  return { ...file, mask }
}

/** Parses a mask file and decodes its mask, refusing a content-id mismatch. */
export function readVerifiedMaskFile(
  bytes: Uint8Array,
  opts: Omit<DecodeMaskOptions, 'expectedCid'> = {}
): MaskFileContents & { mask: DecodedMask } {
  const { file, mask } = parseMaskFile(bytes, opts)
  if (mask === null) {
    throw new ProtocolError(
      'CID_MISMATCH',
      `mask file content id mismatch: recorded ${file.cid.toString()}, content hashes to ${file.computedCid.toString()}`
    )
  }
  return { ...file, mask }
}

/** The shared reader: `mask` is the decoded payload when the CID matched, null otherwise. */
function parseMaskFile(
  bytes: Uint8Array,
  opts: Omit<DecodeMaskOptions, 'expectedCid'>
): { file: MaskFileContents; mask: DecodedMask | null } {
  if (bytes.length > MAX_MASK_FILE_BYTES)
    throw new ProtocolError('TOO_LARGE', `mask file of ${bytes.length} bytes exceeds ${MAX_MASK_FILE_BYTES}`)
  const r = new ByteReader(bytes)
  const magic = r.raw(4, 'file magic')
  if (magic.some((b, i) => b !== MAGIC[i])) throw new ProtocolError('MALFORMED', 'not an l2d2c mask file (bad magic)')
  const version = r.u8('file version')
  if (version !== MASK_FILE_VERSION)
    throw new ProtocolError(
      'UNKNOWN_VERSION',
      `mask file version ${version} is not supported (this implementation reads ${MASK_FILE_VERSION})`
    )
  if (r.u8('reserved byte') !== 0) throw new ProtocolError('MALFORMED', 'reserved byte of the mask file is set')
  const headerLength = r.u16('header length')
  if (headerLength > MAX_MASK_FILE_HEADER_BYTES)
    throw new ProtocolError(
      'TOO_LARGE',
      `mask file header of ${headerLength} bytes exceeds ${MAX_MASK_FILE_HEADER_BYTES}`
    )
  const headerBytes = r.raw(headerLength, 'file header')
  let header: ReturnType<typeof pb.MaskFileHeader.decode>
  try {
    header = pb.MaskFileHeader.decode(headerBytes)
  } catch (err) {
    throw new ProtocolError('MALFORMED', `malformed mask file header: ${(err as Error).message}`, { cause: err })
  }
  const cid = parseContentId(header.cid ?? new Uint8Array(0))
  const meta = validateMeta(header.meta, 'mask file metadata')
  const maskBytes = bytes.subarray(r.offset)
  const maskHeader = readMaskHeader(maskBytes)
  assertMaskLength(maskBytes, maskHeader)
  const computedCid = contentId(maskBytes)
  const cidValid = computedCid.equals(cid)
  // A matching CID only proves the bytes are the ones that were recorded, not that they
  // decode: a writer that skipped encodeMaskFile's checks could have hashed a bad payload.
  // A mismatching one is reported as such; its payload is corrupt whatever it decodes to.
  const mask = cidValid ? decodeMask(maskBytes, opts) : null
  return { file: { cid, computedCid, cidValid, meta, maskBytes, header: maskHeader }, mask }
}
