import type { l2d2c as pb } from '../../gen/l2d2c.js'
import { toSafeInteger } from '../validate.js'
import { claimsOf } from './common.js'

/**
 * MaskMeta: what a holder claims about a mask it serves. Not a message of its own: it travels
 * inside an ok MaskTransferHeader and is stored in a mask file's header (mask-file.ts), and
 * both read it with validateMeta.
 */
export interface MaskMeta {
  /** Mean evaluation return measured by the holder (self-reported). */
  reward: number
  stepsTrained: number
  /** Peer id of the node that trained it ('' if unknown). */
  origin: string
  createdAtMs: number
}

export function toPbMeta(m: MaskMeta): pb.IMaskMeta {
  return { reward: m.reward, stepsTrained: m.stepsTrained, origin: m.origin, createdAtMs: m.createdAtMs }
}

/** The read function of MaskMeta: the decoded fields, or a ProtocolError naming `what`. */
export function validateMeta(m: pb.IMaskMeta | null | undefined, what = 'mask metadata'): MaskMeta {
  return { ...claimsOf(m ?? {}, what), createdAtMs: toSafeInteger(m?.createdAtMs, `${what} creation time`) }
}

/** Throws ProtocolError unless `m` would travel (in a transfer header or a mask file) unchanged. */
export function assertMeta(m: MaskMeta, what = 'mask metadata'): void {
  validateMeta(toPbMeta(m), what)
}
