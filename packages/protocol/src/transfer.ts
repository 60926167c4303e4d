import { verifyContentId } from './cid.js'
import { MAX_CHUNK_BYTES, MIN_CHUNK_BYTES } from './constants.js'
import { ProtocolError } from './errors.js'
import {
  isOkTransferHeader,
  type MaskChunk,
  type MaskTransferHeader,
  type OkTransferHeader
} from './messages/transfer.js'

/** Splits a canonical mask encoding into transfer chunks of at most `chunkSize` bytes. */
export function chunkMask(bytes: Uint8Array, chunkSize: number = MAX_CHUNK_BYTES): MaskChunk[] {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_BYTES || chunkSize > MAX_CHUNK_BYTES) {
    throw new ProtocolError('INVALID_FIELD', `chunk size must be ${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES}`)
  }
  const chunks: MaskChunk[] = []
  for (let offset = 0, index = 0; offset < bytes.length; offset += chunkSize, index++) {
    chunks.push({ index, data: bytes.subarray(offset, offset + chunkSize) })
  }
  return chunks
}

/**
 * Reassembles a chunked transfer described by an 'ok' header. Chunks must arrive in order,
 * each exactly chunkSize bytes except the last; memory grows only with bytes actually
 * received (never with the size a peer claims). finish() verifies the content id.
 */
export class TransferAssembler {
  private readonly parts: Uint8Array[] = []
  readonly header: OkTransferHeader

  constructor(header: MaskTransferHeader) {
    if (!isOkTransferHeader(header))
      throw new ProtocolError('INVALID_FIELD', 'cannot assemble a transfer whose status is not ok')
    this.header = header
  }

  get done(): boolean {
    return this.parts.length === this.header.chunkCount
  }

  push(chunk: MaskChunk): void {
    const { chunkCount, chunkSize, totalSize } = this.header
    if (this.done)
      throw new ProtocolError('TRAILING_BYTES', `chunk ${chunk.index} after the announced ${chunkCount} chunks`)
    if (chunk.index !== this.parts.length)
      throw new ProtocolError('INCONSISTENT_SHAPE', `chunk ${chunk.index} out of order, expected ${this.parts.length}`)
    const last = chunk.index === chunkCount - 1
    const expected = last ? totalSize - chunkSize * (chunkCount - 1) : chunkSize
    if (chunk.data.length !== expected) {
      throw new ProtocolError(
        'INCONSISTENT_SHAPE',
        `chunk ${chunk.index} has ${chunk.data.length} bytes, expected ${expected}`
      )
    }
    this.parts.push(chunk.data)
  }

  /** The reassembled bytes, after checking completeness and the content id. */
  finish(): Uint8Array {
    if (!this.done)
      throw new ProtocolError(
        'TRUNCATED',
        `transfer ended after ${this.parts.length} of ${this.header.chunkCount} chunks`
      )
    // Once done, push's per-chunk length checks guarantee the parts add up to totalSize.
    const out = new Uint8Array(this.header.totalSize)
    let o = 0
    for (const p of this.parts) {
      out.set(p, o)
      o += p.length
    }
    verifyContentId(out, this.header.cid)
    return out
  }
}
