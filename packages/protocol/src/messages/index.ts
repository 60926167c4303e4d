/**
 * Typed views of the protobuf messages (proto/l2d2c.proto) and their hostile-input-safe
 * codecs, one module per wire message. The rest of the code base only sees these plain
 * objects: numbers instead of Longs, string enums, validated fields. The decoder/encoder
 * contract every module keeps is stated in common.ts; the wire format is docs/protocol.md.
 */
export { assertMeta, type MaskMeta, validateMeta } from './meta.js'
export { decodeQuery, encodeQuery, type MaskQuery } from './query.js'
export { decodeOffer, encodeOffer, type MaskOffer, type OfferStatus } from './offer.js'
export { acceptedEncodings, decodeFetch, encodeFetch, type FetchTarget, type MaskFetch } from './fetch.js'
export {
  decodeChunk,
  decodeTransferHeader,
  encodeChunk,
  encodeTransferHeader,
  isOkTransferHeader,
  type MaskChunk,
  type MaskTransferHeader,
  type OkTransferHeader,
  type TransferStatus
} from './transfer.js'
export {
  decodeAnnouncement,
  encodeAnnouncement,
  peekAnnouncementSequence,
  type InventoryAnnouncement,
  type MaskSummary,
  type NodeRole
} from './announcement.js'
export { decodeInventoryRequest, encodeInventoryRequest, type InventoryRequest } from './inventory-request.js'

/** Generated protobuf classes, for the file envelope and tests. Not for general use. */
export { l2d2c as generated } from '../../gen/l2d2c.js'
