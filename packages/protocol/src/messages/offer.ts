import { l2d2c as pb } from '../../gen/l2d2c.js'
import { MAX_CONTROL_MESSAGE_BYTES, MAX_MASK_BYTES, MESSAGE_VERSION } from '../constants.js'
import type { MaskEncoding } from '../mask-codec.js'
import {
  backboneIdOf,
  cidToSend,
  claimsOf,
  decodeEncodingList,
  encodingCodes,
  finish,
  optionalCid,
  parseMessage,
  requestIdOf,
  requiredCid,
  reverse,
  sizeOf,
  taskKeyOf
} from './common.js'

/**
 * The answer to a query: only 'has-mask' carries a mask's CID and claims. 'busy': the responder
 * limits how often a peer may ask; 'refused': its sharing policy does not serve the task.
 */
export type OfferStatus = 'has-mask' | 'no-mask' | 'backbone-mismatch' | 'busy' | 'refused'

/** MaskOffer: the response of /l2d2c/query/1.0.0. */
export interface MaskOffer {
  requestId: number
  status: OfferStatus
  taskKey: string
  reward: number
  stepsTrained: number
  /** CID (binary) of the BITS encoding; null unless status is 'has-mask'. */
  cid: Uint8Array | null
  /** Size of the BITS encoding in bytes. */
  encodedSize: number
  encodings: MaskEncoding[]
  backboneId: string
  origin: string
}

const OFFER_STATUS: Record<OfferStatus, number> = {
  'has-mask': pb.OfferStatus.OFFER_STATUS_HAS_MASK,
  'no-mask': pb.OfferStatus.OFFER_STATUS_NO_MASK,
  'backbone-mismatch': pb.OfferStatus.OFFER_STATUS_BACKBONE_MISMATCH,
  busy: pb.OfferStatus.OFFER_STATUS_BUSY,
  refused: pb.OfferStatus.OFFER_STATUS_REFUSED
}

function readOffer(m: pb.IMaskOffer): MaskOffer {
  const status = reverse(OFFER_STATUS, m.status, 'offer status')
  return {
    requestId: requestIdOf(m.requestId),
    status,
    taskKey: taskKeyOf(m.taskKey),
    ...claimsOf(m, 'offer'),
    cid: status === 'has-mask' ? requiredCid(m.cid, 'an offer with a mask') : optionalCid(m.cid),
    encodedSize: sizeOf(m.encodedSize, MAX_MASK_BYTES, 'offer encoded size'),
    encodings: decodeEncodingList(m.encodings),
    backboneId: backboneIdOf(m.backboneId)
  }
}

export function encodeOffer(o: MaskOffer): Uint8Array {
  const msg: pb.IMaskOffer = {
    version: MESSAGE_VERSION,
    requestId: o.requestId,
    status: OFFER_STATUS[o.status],
    taskKey: o.taskKey,
    reward: o.reward,
    stepsTrained: o.stepsTrained,
    encodedSize: o.encodedSize,
    encodings: encodingCodes(o.encodings, 'offer'),
    backboneId: o.backboneId,
    origin: o.origin
  }
  if (o.cid !== null) msg.cid = cidToSend(o.cid)
  readOffer(msg)
  return finish(pb.MaskOffer.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask offer')
}

export function decodeOffer(bytes: Uint8Array): MaskOffer {
  return readOffer(parseMessage(pb.MaskOffer, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask offer'))
}
