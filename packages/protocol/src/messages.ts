import { l2d2c as pb } from '../gen/l2d2c.js'
import { parseContentId } from './cid.js'
import {
  MAX_ANNOUNCED_ADDRS,
  MAX_ANNOUNCED_MASKS,
  MAX_ANNOUNCEMENT_BYTES,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_MESSAGE_BYTES,
  MAX_CHUNKS,
  MAX_CONTROL_MESSAGE_BYTES,
  MAX_MASK_BYTES,
  MAX_MULTIADDR_BYTES,
  MESSAGE_VERSION,
  MIN_CHUNK_BYTES
} from './constants.js'
import { ProtocolError } from './errors.js'
import { encodingCode, encodingFromCode, type MaskEncoding } from './mask-codec.js'
import { assertBackboneId, assertFinite, assertPeerIdText, assertTaskKey, toSafeInteger } from './validate.js'

/**
 * Typed views of the protobuf messages (proto/l2d2c.proto) and their hostile-input-safe
 * codecs. The rest of the code base only sees these plain objects: numbers instead of Longs,
 * string enums, validated fields. Every decoder: checks the byte limit of its message kind
 * first, turns any parse failure into ProtocolError('MALFORMED'), then validates every field
 * with its message's read function. Every encoder runs that same read function on what it is
 * about to send, so it throws the decoder's ProtocolError instead of emitting a frame a peer
 * would refuse, and whatever it does send decodes back to its input.
 */

export type OfferStatus = 'has-mask' | 'no-mask' | 'backbone-mismatch' | 'busy'
export type TransferStatus =
  | 'ok'
  | 'not-found'
  | 'backbone-mismatch'
  | 'busy'
  | 'unsupported-encoding'
  | 'bad-request'
  | 'internal-error'
export type NodeRole = 'learner' | 'evaluator'

export interface MaskMeta {
  /** Mean evaluation return measured by the holder (self-reported). */
  reward: number
  stepsTrained: number
  /** Peer id of the node that trained it ('' if unknown). */
  origin: string
  createdAtMs: number
}

export interface MaskQuery {
  requestId: number
  taskKey: string
  /** The querier's own reward on the task, or null when it has none yet. */
  reward: number | null
  backboneId: string
}

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

export type FetchTarget = { cid: Uint8Array } | { taskKey: string }

export interface MaskFetch {
  requestId: number
  target: FetchTarget
  encoding: MaskEncoding
  backboneId: string
}

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

export interface MaskSummary {
  taskKey: string
  /** CID (binary) of the BITS encoding. */
  cid: Uint8Array
  reward: number
  stepsTrained: number
  encodedSize: number
  encodings: MaskEncoding[]
  origin: string
}

export interface InventoryAnnouncement {
  backboneId: string
  masks: MaskSummary[]
  sequence: number
  timestampMs: number
  role: NodeRole
  /** Binary multiaddrs the publisher can be dialled on. */
  addrs: Uint8Array[]
  /** Environment steps the publisher has trained in total. */
  totalSteps: number
}

export interface InventoryRequest {
  requestId: number
}

// ---- enum mappings -------------------------------------------------------------------

const OFFER_STATUS: Record<OfferStatus, number> = {
  'has-mask': pb.OfferStatus.OFFER_STATUS_HAS_MASK,
  'no-mask': pb.OfferStatus.OFFER_STATUS_NO_MASK,
  'backbone-mismatch': pb.OfferStatus.OFFER_STATUS_BACKBONE_MISMATCH,
  busy: pb.OfferStatus.OFFER_STATUS_BUSY
}
const TRANSFER_STATUS: Record<TransferStatus, number> = {
  ok: pb.TransferStatus.TRANSFER_STATUS_OK,
  'not-found': pb.TransferStatus.TRANSFER_STATUS_NOT_FOUND,
  'backbone-mismatch': pb.TransferStatus.TRANSFER_STATUS_BACKBONE_MISMATCH,
  busy: pb.TransferStatus.TRANSFER_STATUS_BUSY,
  'unsupported-encoding': pb.TransferStatus.TRANSFER_STATUS_UNSUPPORTED_ENCODING,
  'bad-request': pb.TransferStatus.TRANSFER_STATUS_BAD_REQUEST,
  'internal-error': pb.TransferStatus.TRANSFER_STATUS_INTERNAL_ERROR
}
const ROLES: readonly NodeRole[] = ['learner', 'evaluator']

function reverse<T extends string>(m: Record<T, number>, value: number | null | undefined, what: string): T {
  for (const [k, v] of Object.entries(m) as Array<[T, number]>) if (v === value) return k
  throw new ProtocolError('UNKNOWN_ENUM', `unknown ${what} ${String(value)}`)
}

// ---- field rules ---------------------------------------------------------------------
//
// Each rule takes a field as the protobuf decoder hands it out (null/undefined = absent, uint64
// as Long) or as a caller passes it to an encoder, and returns the value or throws. Decoders
// apply them to what arrived; encoders apply the same decoder functions to what they are
// about to send, so an encoder never emits a frame its decoder refuses. The rules never round
// or clamp a valid value: whatever passes them comes back unchanged after encode and decode.

/** Known encodings in a list; values from a newer peer that we do not know are skipped. */
function decodeEncodingList(codes: number[] | null | undefined): MaskEncoding[] {
  const out: MaskEncoding[] = []
  for (const c of codes ?? []) {
    try {
      const e = encodingFromCode(c)
      if (!out.includes(e)) out.push(e)
    } catch {
      /* forward compatible: ignore encodings we do not know */
    }
  }
  return out
}

/** The encoder's side of decodeEncodingList: what it would skip or merge is refused instead. */
function encodingCodes(list: readonly MaskEncoding[], what: string): number[] {
  return list.map((e, i) => {
    if (list.indexOf(e) !== i) throw new ProtocolError('INVALID_FIELD', `${what} encodings list ${e} twice`)
    return encodingCode(e)
  })
}

function decodeWanted(code: number | null | undefined): MaskEncoding {
  if (code === null || code === undefined || code === 0) throw new ProtocolError('INVALID_FIELD', 'encoding is missing')
  return encodingFromCode(code)
}

function taskKeyOf(value: string | null | undefined, field?: string): string {
  const key = value ?? ''
  assertTaskKey(key, field)
  return key
}

function backboneIdOf(value: string | null | undefined): string {
  const id = value ?? ''
  assertBackboneId(id)
  return id
}

function peerIdOf(value: string | null | undefined, field: string): string {
  const id = value ?? ''
  assertPeerIdText(id, field)
  return id
}

/** uint32 fields: a decoded one always passes; a caller's -1 or 1.5 would not survive encoding. */
function uint32Of(value: number | null | undefined, field: string): number {
  const v = value ?? 0
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new ProtocolError('INVALID_FIELD', `${field} must be an integer in [0, 2^32), got ${v}`)
  return v
}

function requestIdOf(value: number | null | undefined): number {
  return uint32Of(value, 'request id')
}

function sizeOf(value: number | null | undefined, max: number, what: string): number {
  const v = uint32Of(value, what)
  if (v > max) throw new ProtocolError('TOO_LARGE', `${what} ${v} exceeds ${max}`)
  return v
}

function rewardOf(value: number | null | undefined, what: string): number {
  const v = value ?? 0
  assertFinite(v, what)
  return v
}

/**
 * protobufjs hands out Node Buffers that view the input frame; copy into a plain Uint8Array so
 * decoded messages never alias a stream buffer that may be reused, and compare as plain bytes.
 */
function plainBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b)
}

function optionalCid(bytes: Uint8Array | null | undefined): Uint8Array | null {
  if (bytes === null || bytes === undefined || bytes.length === 0) return null
  return plainBytes(parseContentId(bytes).bytes)
}

function requiredCid(bytes: Uint8Array | null | undefined, what: string): Uint8Array {
  const cid = optionalCid(bytes)
  if (cid === null) throw new ProtocolError('INVALID_FIELD', `${what} has no content id`)
  return cid
}

/** A caller's CID about to be sent: never empty (it would arrive as "no CID"), always CIDv1 raw sha2-256. */
function cidToSend(cid: Uint8Array): Uint8Array {
  return parseContentId(cid).bytes
}

/** What a holder claims about its mask: the same three fields in metadata, offers and summaries. */
interface Claims {
  reward: number
  stepsTrained: number
  origin: string
}

function claimsOf(m: { reward?: number | null; stepsTrained?: unknown; origin?: string | null }, what: string): Claims {
  return {
    reward: rewardOf(m.reward, `${what} reward`),
    stepsTrained: toSafeInteger(m.stepsTrained, `${what} steps trained`),
    origin: peerIdOf(m.origin, `${what} origin`)
  }
}

// ---- framing of one message ---------------------------------------------------------------

interface Decoder<T> {
  decode: (reader: Uint8Array) => T
}

function parse<T>(codec: Decoder<T>, bytes: Uint8Array, limit: number, what: string): T {
  if (bytes.length > limit)
    throw new ProtocolError('TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${limit}-byte limit`)
  try {
    return codec.decode(bytes)
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError('MALFORMED', `malformed ${what}: ${(err as Error).message}`, { cause: err })
  }
}

/** parse, then refuse a message without a version or from a newer protocol version. */
function parseMessage<T extends { version?: number | null }>(
  codec: Decoder<T>,
  bytes: Uint8Array,
  limit: number,
  what: string
): T {
  const m = parse(codec, bytes, limit, what)
  const v = m.version ?? 0
  if (v === 0) throw new ProtocolError('UNKNOWN_VERSION', `${what} has no version`)
  if (v > MESSAGE_VERSION)
    throw new ProtocolError('UNKNOWN_VERSION', `${what} version ${v} is newer than the supported ${MESSAGE_VERSION}`)
  return m
}

function finish(writer: { finish: () => Uint8Array }, limit: number, what: string): Uint8Array {
  const bytes = writer.finish()
  if (bytes.length > limit)
    throw new ProtocolError('TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${limit}-byte limit`)
  return bytes
}

// ---- MaskMeta -----------------------------------------------------------------------

function toPbMeta(m: MaskMeta): pb.IMaskMeta {
  return { reward: m.reward, stepsTrained: m.stepsTrained, origin: m.origin, createdAtMs: m.createdAtMs }
}

export function validateMeta(m: pb.IMaskMeta | null | undefined, what = 'mask metadata'): MaskMeta {
  return { ...claimsOf(m ?? {}, what), createdAtMs: toSafeInteger(m?.createdAtMs, `${what} creation time`) }
}

/** Throws ProtocolError unless `m` would travel (in a transfer header or a mask file) unchanged. */
export function assertMeta(m: MaskMeta, what = 'mask metadata'): void {
  validateMeta(toPbMeta(m), what)
}

// ---- MaskQuery ----------------------------------------------------------------------

function readQuery(m: pb.IMaskQuery): MaskQuery {
  const hasReward = m.reward !== null && m.reward !== undefined
  return {
    requestId: requestIdOf(m.requestId),
    taskKey: taskKeyOf(m.taskKey),
    reward: hasReward ? rewardOf(m.reward, 'query reward') : null,
    backboneId: backboneIdOf(m.backboneId)
  }
}

export function encodeQuery(q: MaskQuery): Uint8Array {
  const msg: pb.IMaskQuery = {
    version: MESSAGE_VERSION,
    requestId: q.requestId,
    taskKey: q.taskKey,
    backboneId: q.backboneId
  }
  if (q.reward !== null) msg.reward = q.reward
  readQuery(msg)
  return finish(pb.MaskQuery.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask query')
}

export function decodeQuery(bytes: Uint8Array): MaskQuery {
  return readQuery(parseMessage(pb.MaskQuery, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask query'))
}

// ---- MaskOffer ----------------------------------------------------------------------

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

// ---- MaskFetch ----------------------------------------------------------------------

function readFetch(m: pb.MaskFetch): MaskFetch {
  let target: FetchTarget
  if (m.target === 'cid') {
    target = { cid: requiredCid(m.cid, 'mask fetch') }
  } else if (m.target === 'taskKey') {
    target = { taskKey: taskKeyOf(m.taskKey) }
  } else {
    throw new ProtocolError('INVALID_FIELD', 'mask fetch names neither a content id nor a task key')
  }
  return {
    requestId: requestIdOf(m.requestId),
    target,
    encoding: decodeWanted(m.encoding),
    backboneId: backboneIdOf(m.backboneId)
  }
}

export function encodeFetch(f: MaskFetch): Uint8Array {
  const target = 'cid' in f.target ? { cid: cidToSend(f.target.cid) } : { taskKey: f.target.taskKey }
  // create(), not a plain object: readFetch needs the generated `target` oneof getter
  const msg = pb.MaskFetch.create({
    version: MESSAGE_VERSION,
    requestId: f.requestId,
    encoding: encodingCode(f.encoding),
    backboneId: f.backboneId,
    ...target
  })
  readFetch(msg)
  return finish(pb.MaskFetch.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask fetch')
}

export function decodeFetch(bytes: Uint8Array): MaskFetch {
  return readFetch(parseMessage(pb.MaskFetch, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask fetch'))
}

// ---- MaskTransferHeader and MaskChunk -------------------------------------------------

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

/** Chunks are not decoded back on encoding (that would copy 64 KiB); the two checks below are all the decoder makes. */
export function encodeChunk(c: MaskChunk): Uint8Array {
  if (c.data.length > MAX_CHUNK_BYTES)
    throw new ProtocolError('TOO_LARGE', `chunk of ${c.data.length} bytes exceeds ${MAX_CHUNK_BYTES}`)
  return finish(
    pb.MaskChunk.encode({ index: uint32Of(c.index, 'chunk index'), data: c.data }),
    MAX_CHUNK_MESSAGE_BYTES,
    'mask chunk'
  )
}

export function decodeChunk(bytes: Uint8Array): MaskChunk {
  const m = parse(pb.MaskChunk, bytes, MAX_CHUNK_MESSAGE_BYTES, 'mask chunk')
  const data = plainBytes(m.data ?? new Uint8Array(0))
  if (data.length > MAX_CHUNK_BYTES)
    throw new ProtocolError('TOO_LARGE', `chunk of ${data.length} bytes exceeds ${MAX_CHUNK_BYTES}`)
  return { index: uint32Of(m.index, 'chunk index'), data }
}

// ---- Inventory ----------------------------------------------------------------------

function toPbSummary(s: MaskSummary, i: number): pb.IMaskSummary {
  return {
    taskKey: s.taskKey,
    cid: cidToSend(s.cid),
    reward: s.reward,
    stepsTrained: s.stepsTrained,
    encodedSize: s.encodedSize,
    encodings: encodingCodes(s.encodings, `announced mask ${i}`),
    origin: s.origin
  }
}

function readSummary(s: pb.IMaskSummary, i: number): MaskSummary {
  const what = `announced mask ${i}`
  return {
    taskKey: taskKeyOf(s.taskKey, `${what} task key`),
    cid: requiredCid(s.cid, what),
    ...claimsOf(s, what),
    encodedSize: sizeOf(s.encodedSize, MAX_MASK_BYTES, `${what} encoded size`),
    encodings: decodeEncodingList(s.encodings)
  }
}

function readAnnouncement(m: pb.IInventoryAnnouncement): InventoryAnnouncement {
  const masks = m.masks ?? []
  if (masks.length > MAX_ANNOUNCED_MASKS)
    throw new ProtocolError('TOO_LARGE', `announcement lists ${masks.length} masks (max ${MAX_ANNOUNCED_MASKS})`)
  const addrs = m.addrs ?? []
  if (addrs.length > MAX_ANNOUNCED_ADDRS)
    throw new ProtocolError('TOO_LARGE', `announcement lists ${addrs.length} addresses (max ${MAX_ANNOUNCED_ADDRS})`)
  for (const a of addrs) {
    if (a.length === 0 || a.length > MAX_MULTIADDR_BYTES)
      throw new ProtocolError('INVALID_FIELD', 'announced address is empty or too long')
  }
  const role = (m.role ?? '') as NodeRole
  if (!ROLES.includes(role)) throw new ProtocolError('INVALID_FIELD', `unknown role ${JSON.stringify(m.role ?? '')}`)
  return {
    backboneId: backboneIdOf(m.backboneId),
    masks: masks.map(readSummary),
    sequence: toSafeInteger(m.sequence, 'announcement sequence'),
    timestampMs: toSafeInteger(m.timestampMs, 'announcement time'),
    role,
    addrs: addrs.map(plainBytes),
    totalSteps: toSafeInteger(m.totalSteps, 'announcement total steps')
  }
}

export function encodeAnnouncement(a: InventoryAnnouncement): Uint8Array {
  // checked before the summaries are converted, so a huge list fails fast
  if (a.masks.length > MAX_ANNOUNCED_MASKS)
    throw new ProtocolError('TOO_LARGE', `announcement lists ${a.masks.length} masks (max ${MAX_ANNOUNCED_MASKS})`)
  const msg: pb.IInventoryAnnouncement = {
    version: MESSAGE_VERSION,
    backboneId: a.backboneId,
    masks: a.masks.map(toPbSummary),
    sequence: a.sequence,
    timestampMs: a.timestampMs,
    role: a.role,
    addrs: a.addrs,
    totalSteps: a.totalSteps
  }
  readAnnouncement(msg)
  return finish(pb.InventoryAnnouncement.encode(msg), MAX_ANNOUNCEMENT_BYTES, 'announcement')
}

export function decodeAnnouncement(bytes: Uint8Array): InventoryAnnouncement {
  return readAnnouncement(parseMessage(pb.InventoryAnnouncement, bytes, MAX_ANNOUNCEMENT_BYTES, 'announcement'))
}

function readInventoryRequest(m: pb.IInventoryRequest): InventoryRequest {
  return { requestId: requestIdOf(m.requestId) }
}

export function encodeInventoryRequest(r: InventoryRequest): Uint8Array {
  const msg: pb.IInventoryRequest = { version: MESSAGE_VERSION, requestId: r.requestId }
  readInventoryRequest(msg)
  return finish(pb.InventoryRequest.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'inventory request')
}

export function decodeInventoryRequest(bytes: Uint8Array): InventoryRequest {
  return readInventoryRequest(parseMessage(pb.InventoryRequest, bytes, MAX_CONTROL_MESSAGE_BYTES, 'inventory request'))
}

/** Generated protobuf classes, for the file envelope and tests. Not for general use. */
export { pb as generated }
