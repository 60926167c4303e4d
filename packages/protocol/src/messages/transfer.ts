import { l2d2c as pb } from '../../gen/l2d2c.js'
import {
  MAX_CHUNK_BYTES,
  MAX_CHUNK_MESSAGE_BYTES,
  MAX_CHUNKS,
  MAX_CONTROL_MESSAGE_BYTES,
  MAX_MASK_BYTES,
  MESSAGE_VERSION,
  MIN_CHUNK_BYTES
} from '../constants.js'
import { ProtocolError } from '../errors.js'
import { encodingCode, type MaskEncoding } from '../mask-codec.js'
import {
  cidToSend,
  decodeWanted,
  finish,
  parse,
  parseMessage,
  plainBytes,
  requestIdOf,
  requiredCid,
  reverse,
  sizeOf,
  uint32Of
} from './common.js'
import { type MaskMeta, toPbMeta, validateMeta } from './meta.js'

/**
 * The response of /l2d2c/mask/1.0.0: one MaskTransferHeader, then (when its status is 'ok')
 * chunkCount MaskChunk messages whose data concatenate to the mask's canonical encoding.
 * Reassembly and the content-id check are in ../transfer.ts.
 */

export type TransferStatus =
  | 'ok'
  | 'not-found'
  | 'backbone-mismatch'
  | 'busy'
  | 'unsupported-encoding'
  | 'bad-request'
  | 'internal-error'
  | 'refused'

export interface MaskTransferHeader {
  requestId: number
  status: TransferStatus
  /** CID (binary) of the encoding that follows; null unless status is 'ok'. */
  cid: Uint8Array | null
  encoding: MaskEncoding | null
  totalSize: number
  chunkSize: number
  chunkCount: number
  meta: MaskMeta | null
  message: string
}

/** A header announcing a transfer: the fields that are null on a refusal are all present. */
export type OkTransferHeader = MaskTransferHeader & {
  status: 'ok'
  cid: Uint8Array
  encoding: MaskEncoding
  meta: MaskMeta
}

/** True for a header that announces a transfer (as decodeTransferHeader guarantees for status 'ok'). */
export function isOkTransferHeader(h: MaskTransferHeader): h is OkTransferHeader {
  return h.status === 'ok' && h.cid !== null && h.encoding !== null && h.meta !== null
}

export interface MaskChunk {
  index: number
  data: Uint8Array
}

const TRANSFER_STATUS: Record<TransferStatus, number> = {
  ok: pb.TransferStatus.TRANSFER_STATUS_OK,
  'not-found': pb.TransferStatus.TRANSFER_STATUS_NOT_FOUND,
  'backbone-mismatch': pb.TransferStatus.TRANSFER_STATUS_BACKBONE_MISMATCH,
  busy: pb.TransferStatus.TRANSFER_STATUS_BUSY,
  'unsupported-encoding': pb.TransferStatus.TRANSFER_STATUS_UNSUPPORTED_ENCODING,
  'bad-request': pb.TransferStatus.TRANSFER_STATUS_BAD_REQUEST,
  'internal-error': pb.TransferStatus.TRANSFER_STATUS_INTERNAL_ERROR,
  refused: pb.TransferStatus.TRANSFER_STATUS_REFUSED
}

/** Longest status message sent; longer ones are cut (it is a diagnostic, a refusal must still go out). */
const MAX_STATUS_MESSAGE_CHARS = 512

function readTransferHeader(m: pb.IMaskTransferHeader): MaskTransferHeader {
  const requestId = requestIdOf(m.requestId)
  const status = reverse(TRANSFER_STATUS, m.status, 'transfer status')
  const message = m.message ?? ''
  if (status !== 'ok') {
    return {
      requestId,
      status,
      cid: null,
      encoding: null,
      totalSize: 0,
      chunkSize: 0,
      chunkCount: 0,
      meta: null,
      message
    }
  }
  const encoding = decodeWanted(m.encoding)
  const totalSize = sizeOf(m.totalSize, MAX_MASK_BYTES, 'transfer size')
  const chunkSize = sizeOf(m.chunkSize, MAX_CHUNK_BYTES, 'chunk size')
  const chunkCount = sizeOf(m.chunkCount, MAX_CHUNKS, 'chunk count')
  if (totalSize === 0 || chunkSize === 0)
    throw new ProtocolError('INVALID_FIELD', 'transfer of zero bytes or with zero-sized chunks')
  if (chunkSize < Math.min(MIN_CHUNK_BYTES, totalSize))
    throw new ProtocolError('INVALID_FIELD', `chunk size ${chunkSize} is below the minimum ${MIN_CHUNK_BYTES}`)
  if (chunkCount !== Math.ceil(totalSize / chunkSize)) {
    throw new ProtocolError(
      'INCONSISTENT_SHAPE',
      `transfer of ${totalSize} bytes in ${chunkSize}-byte chunks needs ${Math.ceil(totalSize / chunkSize)} chunks, header says ${chunkCount}`
    )
  }
  return {
    requestId,
    status,
    cid: requiredCid(m.cid, 'transfer header'),
    encoding,
    totalSize,
    chunkSize,
    chunkCount,
    meta: validateMeta(m.meta, 'transfer metadata'),
    message
  }
}

/**
 * Encodes a transfer header. The message is the one field not sent verbatim: it is cut to
 * MAX_STATUS_MESSAGE_CHARS (never inside a surrogate pair).
 */
export function encodeTransferHeader(h: MaskTransferHeader): Uint8Array {
  const okFields =
    h.cid !== null ||
    h.encoding !== null ||
    h.meta !== null ||
    h.totalSize !== 0 ||
    h.chunkSize !== 0 ||
    h.chunkCount !== 0
  if (h.status !== 'ok' && okFields)
    throw new ProtocolError(
      'INVALID_FIELD',
      `a '${h.status}' transfer header carries no content id, encoding, sizes or metadata`
    )
  if (h.status === 'ok' && h.meta === null)
    throw new ProtocolError('INVALID_FIELD', 'an ok transfer header needs the mask metadata')
  let message = h.message.slice(0, MAX_STATUS_MESSAGE_CHARS)
  if (/[\uD800-\uDBFF]$/.test(message)) message = message.slice(0, -1)
  const msg: pb.IMaskTransferHeader = {
    version: MESSAGE_VERSION,
    requestId: h.requestId,
    status: TRANSFER_STATUS[h.status],
    totalSize: h.totalSize,
    chunkSize: h.chunkSize,
    chunkCount: h.chunkCount,
    message
  }
  if (h.cid !== null) msg.cid = cidToSend(h.cid)
  if (h.encoding !== null) msg.encoding = encodingCode(h.encoding)
  if (h.meta !== null) msg.meta = toPbMeta(h.meta)
  readTransferHeader(msg)
  return finish(pb.MaskTransferHeader.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'transfer header')
}

export function decodeTransferHeader(bytes: Uint8Array): MaskTransferHeader {
  return readTransferHeader(parseMessage(pb.MaskTransferHeader, bytes, MAX_CONTROL_MESSAGE_BYTES, 'transfer header'))
}

/**
 * The check both sides apply to a chunk. Chunks are not decoded back on encoding (that would
 * copy 64 KiB): a data length and a uint32 index are all there is to check.
 */
function checkChunk(index: number | null | undefined, data: Uint8Array): MaskChunk {
  if (data.length > MAX_CHUNK_BYTES)
    throw new ProtocolError('TOO_LARGE', `chunk of ${data.length} bytes exceeds ${MAX_CHUNK_BYTES}`)
  return { index: uint32Of(index, 'chunk index'), data }
}

export function encodeChunk(c: MaskChunk): Uint8Array {
  return finish(pb.MaskChunk.encode(checkChunk(c.index, c.data)), MAX_CHUNK_MESSAGE_BYTES, 'mask chunk')
}

/** MaskChunk carries no version field: it only ever follows an ok header of a known version. */
export function decodeChunk(bytes: Uint8Array): MaskChunk {
  const m = parse(pb.MaskChunk, bytes, MAX_CHUNK_MESSAGE_BYTES, 'mask chunk')
  return checkChunk(m.index, plainBytes(m.data ?? new Uint8Array(0)))
}
