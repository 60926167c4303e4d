import { contentId, decodeMask, encodeMask, encodeMeta, isProtocolError, readMaskHeader, type MaskMeta } from '@l2d2c/protocol'
import { MaskStoreError, type StoredMask } from './mask-store.js'

/**
 * Validates canonical mask bytes and derives everything a store keeps about them: the
 * stored CID and the BITS encoding with its CID (computed once, at put or load time).
 */
export function makeStoredMask (bytes: Uint8Array, meta: MaskMeta, backboneId: string | null): StoredMask {
  try {
    encodeMeta(meta) // validates: finite reward, safe integers, peer id syntax
    const header = readMaskHeader(bytes)
    if (backboneId !== null && header.backboneId !== backboneId) {
      throw new MaskStoreError(`mask for ${header.taskKey} is for backbone ${header.backboneId}, this store holds ${backboneId}`)
    }
    const mask = decodeMask(bytes)
    const bitsBytes = header.encoding === 'bits' ? bytes : encodeMask(mask, 'bits')
    return {
      taskKey: header.taskKey,
      backboneId: header.backboneId,
      encoding: header.encoding,
      cid: contentId(bytes).toString(),
      bitsCid: contentId(bitsBytes).toString(),
      bitsSize: bitsBytes.length,
      meta: { ...meta },
      bytes,
      bitsBytes
    }
  } catch (err) {
    if (err instanceof MaskStoreError) throw err
    if (isProtocolError(err)) throw new MaskStoreError(`refusing an invalid mask (${err.code}): ${err.message}`, { cause: err })
    throw err
  }
}

export function infoOf (m: StoredMask): Omit<StoredMask, 'bytes' | 'bitsBytes'> {
  const { bytes: _bytes, bitsBytes: _bits, ...info } = m
  return info
}
