import {
  assertMeta,
  contentId,
  decodeMask,
  encodeMask,
  isProtocolError,
  type CID,
  type DecodedMask,
  type MaskMeta
} from '@l2d2c/protocol'
import { MaskStoreError, type StoredMask } from './mask-store.js'

/**
 * Validates canonical mask bytes and derives everything a store keeps about them: the
 * stored CID and the BITS encoding with its CID (computed once, at put or load time).
 * `verified` is what a caller that already decoded the bytes, checked their CID and backbone
 * (a mask file's reader) knows, so they are not decoded and hashed a second time.
 */
export function makeStoredMask(
  bytes: Uint8Array,
  meta: MaskMeta,
  backboneId: string | null,
  verified?: { cid: CID; mask: DecodedMask }
): StoredMask {
  try {
    assertMeta(meta) // finite reward, safe integers, peer id syntax
    const mask = verified?.mask ?? decodeMask(bytes, backboneId !== null ? { expectedBackboneId: backboneId } : {})
    const bitsBytes = mask.encoding === 'bits' ? bytes : encodeMask(mask, 'bits')
    const storedCid = (verified?.cid ?? contentId(bytes)).toString()
    return {
      taskKey: mask.taskKey,
      backboneId: mask.backboneId,
      encoding: mask.encoding,
      cid: storedCid,
      bitsCid: bitsBytes === bytes ? storedCid : contentId(bitsBytes).toString(),
      bitsSize: bitsBytes.length,
      meta: { ...meta },
      bytes,
      bitsBytes
    }
  } catch (err) {
    if (isProtocolError(err) && err.code === 'BACKBONE_MISMATCH')
      throw new MaskStoreError(
        `refusing a mask of another backbone (this store holds ${backboneId ?? '?'}): ${err.message}`,
        { cause: err }
      )
    if (isProtocolError(err))
      throw new MaskStoreError(`refusing an invalid mask (${err.code}): ${err.message}`, { cause: err })
    throw err
  }
}

export function infoOf(m: StoredMask): Omit<StoredMask, 'bytes' | 'bitsBytes'> {
  const { bytes: _bytes, bitsBytes: _bits, ...info } = m
  return info
}
