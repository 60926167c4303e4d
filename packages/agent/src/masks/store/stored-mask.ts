import {
  assertMeta,
  contentId,
  decodeMask,
  encodeMask,
  isProtocolError,
  type CID,
  type DecodedMask,
  type MaskHeader,
  type MaskMeta,
  ProtocolError
} from '@l2d2c/protocol'
import type { DeltaBaseProvider } from '../initial-mask.js'
import { MaskStoreError, type StoredMask } from './mask-store.js'

/**
 * Validates canonical mask bytes and derives everything a store keeps about them: the
 * stored CID and the BITS encoding with its CID (computed once, at put or load time).
 * `verified` is what a caller that already decoded the bytes, checked their CID and backbone
 * (a mask file's reader) knows, so they are not decoded and hashed a second time.
 *
 * A DELTA mask is decoded against its task's base (`deltaBase`; without one it is refused) and
 * kept as its BITS encoding, which carries exactly the same mask: stores hold self-contained
 * encodings only, and the mask exchange produces DELTA from them when a peer asks for it
 * (docs/protocol.md §5.2.1 says why).
 */
export function makeStoredMask(
  bytes: Uint8Array,
  meta: MaskMeta,
  backboneId: string | null,
  verified?: { cid: CID; mask: DecodedMask },
  deltaBase?: DeltaBaseProvider
): StoredMask {
  try {
    assertMeta(meta) // finite reward, safe integers, peer id syntax
    const mask =
      verified?.mask ??
      decodeMask(bytes, {
        ...(backboneId !== null ? { expectedBackboneId: backboneId } : {}),
        deltaBase: header => deltaBaseOf(header, deltaBase)
      })
    if (mask.encoding === 'delta') {
      const bitsBytes = encodeMask(mask, 'bits')
      return makeStoredMask(bitsBytes, meta, backboneId, {
        cid: contentId(bitsBytes),
        mask: { ...mask, encoding: 'bits' }
      })
    }
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

function deltaBaseOf(header: MaskHeader, provider: DeltaBaseProvider | undefined) {
  const base = provider?.(header) ?? null
  if (base === null)
    throw new ProtocolError(
      'MISSING_BASE',
      `this store cannot rebuild the initial mask of ${header.taskKey} on backbone ${header.backboneId}, which a DELTA mask is coded against`
    )
  return base
}
