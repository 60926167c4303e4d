import { l2d2c as pb } from '../gen/l2d2c.js'
import { parseContentId } from './cid.js'
import {
  MAX_ANNOUNCED_ADDRS, MAX_ANNOUNCED_MASKS, MAX_ANNOUNCEMENT_BYTES, MAX_CHUNK_BYTES, MAX_CHUNK_MESSAGE_BYTES, MAX_CHUNKS,
  MAX_CONTROL_MESSAGE_BYTES, MAX_MASK_BYTES, MAX_MULTIADDR_BYTES, MESSAGE_VERSION, MIN_CHUNK_BYTES
} from './constants.js'
import { ProtocolError } from './errors.js'
import { encodingCode, encodingFromCode, type MaskEncoding } from './mask-codec.js'
import { assertBackboneId, assertFinite, assertPeerIdText, assertTaskKey, toSafeInteger } from './validate.js'

/**
 * Typed views of the protobuf messages (proto/l2d2c.proto) and their hostile-input-safe
 * codecs. The rest of the code base only sees these plain objects: numbers instead of Longs,
 * string enums, validated fields. Every decoder: checks the byte limit of its message kind
 * first, turns any parse failure into ProtocolError('MALFORMED'), then validates every field.
 */

export type OfferStatus = 'has-mask' | 'no-mask' | 'backbone-mismatch' | 'busy'
export type TransferStatus = 'ok' | 'not-found' | 'backbone-mismatch' | 'busy' | 'unsupported-encoding' | 'bad-request' | 'internal-error'
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

function reverse<T extends string> (m: Record<T, number>, value: number | null | undefined, what: string): T {
  for (const [k, v] of Object.entries(m) as Array<[T, number]>) if (v === value) return k
  throw new ProtocolError('UNKNOWN_ENUM', `unknown ${what} ${String(value)}`)
}

/** Known encodings in a list; values from a newer peer that we do not know are skipped. */
function decodeEncodingList (codes: number[] | null | undefined): MaskEncoding[] {
  const out: MaskEncoding[] = []
  for (const c of codes ?? []) {
    try {
      const e = encodingFromCode(c)
      if (!out.includes(e)) out.push(e)
    } catch { /* forward compatible: ignore encodings we do not know */ }
  }
  return out
}

function decodeWanted (code: number | null | undefined): MaskEncoding {
  if (code === null || code === undefined || code === 0) throw new ProtocolError('INVALID_FIELD', 'encoding is missing')
  return encodingFromCode(code)
}

// ---- shared helpers -----------------------------------------------------------------

interface Decoder<T> { decode: (reader: Uint8Array) => T }

function parse<T> (codec: Decoder<T>, bytes: Uint8Array, limit: number, what: string): T {
  if (bytes.length > limit) throw new ProtocolError('TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${limit}-byte limit`)
  try {
    return codec.decode(bytes)
  } catch (err) {
    if (err instanceof ProtocolError) throw err
    throw new ProtocolError('MALFORMED', `malformed ${what}: ${(err as Error).message}`, { cause: err })
  }
}

function checkVersion (version: number | null | undefined, what: string): void {
  const v = version ?? 0
  if (v === 0) throw new ProtocolError('UNKNOWN_VERSION', `${what} has no version`)
  if (v > MESSAGE_VERSION) throw new ProtocolError('UNKNOWN_VERSION', `${what} version ${v} is newer than the supported ${MESSAGE_VERSION}`)
}

function checkRequestId (id: number | null | undefined): number {
  return (id ?? 0) >>> 0
}

/**
 * protobufjs hands out Node Buffers that view the input frame; copy into a plain Uint8Array so
 * decoded messages never alias a stream buffer that may be reused, and compare as plain bytes.
 */
function plainBytes (b: Uint8Array): Uint8Array {
  return new Uint8Array(b)
}

function optionalCid (bytes: Uint8Array | null | undefined): Uint8Array | null {
  if (bytes === null || bytes === undefined || bytes.length === 0) return null
  return plainBytes(parseContentId(bytes).bytes)
}

function requiredCid (bytes: Uint8Array | null | undefined, what: string): Uint8Array {
  const cid = optionalCid(bytes)
  if (cid === null) throw new ProtocolError('INVALID_FIELD', `${what} has no content id`)
  return cid
}

function checkReward (value: number | null | undefined, what: string): number {
  const v = value ?? 0
  assertFinite(v, what)
  return v
}

function checkSize (value: number | null | undefined, max: number, what: string): number {
  const v = (value ?? 0) >>> 0
  if (v > max) throw new ProtocolError('TOO_LARGE', `${what} ${v} exceeds ${max}`)
  return v
}

function finish (writer: { finish: () => Uint8Array }, limit: number, what: string): Uint8Array {
  const bytes = writer.finish()
  if (bytes.length > limit) throw new ProtocolError('TOO_LARGE', `${what} of ${bytes.length} bytes exceeds the ${limit}-byte limit`)
  return bytes
}

// ---- MaskMeta -----------------------------------------------------------------------

function toPbMeta (m: MaskMeta): pb.IMaskMeta {
  return { reward: m.reward, stepsTrained: m.stepsTrained, origin: m.origin, createdAtMs: m.createdAtMs }
}

export function validateMeta (m: pb.IMaskMeta | null | undefined, what = 'mask metadata'): MaskMeta {
  const origin = m?.origin ?? ''
  assertPeerIdText(origin, `${what} origin`)
  return {
    reward: checkReward(m?.reward, `${what} reward`),
    stepsTrained: toSafeInteger(m?.stepsTrained, `${what} steps trained`),
    origin,
    createdAtMs: toSafeInteger(m?.createdAtMs, `${what} creation time`)
  }
}

export function encodeMeta (m: MaskMeta): Uint8Array {
  validateMeta(toPbMeta(m))
  return pb.MaskMeta.encode(toPbMeta(m)).finish()
}

// ---- MaskQuery ----------------------------------------------------------------------

export function encodeQuery (q: MaskQuery): Uint8Array {
  assertTaskKey(q.taskKey)
  assertBackboneId(q.backboneId)
  if (q.reward !== null) assertFinite(q.reward, 'query reward')
  const msg: pb.IMaskQuery = { version: MESSAGE_VERSION, requestId: q.requestId >>> 0, taskKey: q.taskKey, backboneId: q.backboneId }
  if (q.reward !== null) msg.reward = q.reward
  return finish(pb.MaskQuery.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask query')
}

export function decodeQuery (bytes: Uint8Array): MaskQuery {
  const m = parse(pb.MaskQuery, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask query')
  checkVersion(m.version, 'mask query')
  const taskKey = m.taskKey ?? ''
  assertTaskKey(taskKey)
  const backboneId = m.backboneId ?? ''
  assertBackboneId(backboneId)
  const hasReward = m.reward !== null && m.reward !== undefined
  return { requestId: checkRequestId(m.requestId), taskKey, reward: hasReward ? checkReward(m.reward, 'query reward') : null, backboneId }
}

// ---- MaskOffer ----------------------------------------------------------------------

export function encodeOffer (o: MaskOffer): Uint8Array {
  assertTaskKey(o.taskKey)
  assertBackboneId(o.backboneId)
  assertPeerIdText(o.origin, 'offer origin')
  assertFinite(o.reward, 'offer reward')
  if (o.status === 'has-mask' && o.cid === null) throw new ProtocolError('INVALID_FIELD', 'an offer with a mask needs its content id')
  const msg: pb.IMaskOffer = {
    version: MESSAGE_VERSION,
    requestId: o.requestId >>> 0,
    status: OFFER_STATUS[o.status],
    taskKey: o.taskKey,
    reward: o.reward,
    stepsTrained: o.stepsTrained,
    encodedSize: o.encodedSize,
    encodings: o.encodings.map(encodingCode),
    backboneId: o.backboneId,
    origin: o.origin
  }
  if (o.cid !== null) msg.cid = o.cid
  return finish(pb.MaskOffer.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask offer')
}

export function decodeOffer (bytes: Uint8Array): MaskOffer {
  const m = parse(pb.MaskOffer, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask offer')
  checkVersion(m.version, 'mask offer')
  const status = reverse(OFFER_STATUS, m.status, 'offer status')
  const taskKey = m.taskKey ?? ''
  assertTaskKey(taskKey)
  const backboneId = m.backboneId ?? ''
  assertBackboneId(backboneId)
  const origin = m.origin ?? ''
  assertPeerIdText(origin, 'offer origin')
  const hasMask = status === 'has-mask'
  return {
    requestId: checkRequestId(m.requestId),
    status,
    taskKey,
    reward: checkReward(m.reward, 'offer reward'),
    stepsTrained: toSafeInteger(m.stepsTrained, 'offer steps trained'),
    cid: hasMask ? requiredCid(m.cid, 'an offer with a mask') : optionalCid(m.cid),
    encodedSize: checkSize(m.encodedSize, MAX_MASK_BYTES, 'offer encoded size'),
    encodings: decodeEncodingList(m.encodings),
    backboneId,
    origin
  }
}

// ---- MaskFetch ----------------------------------------------------------------------

export function encodeFetch (f: MaskFetch): Uint8Array {
  assertBackboneId(f.backboneId)
  const msg: pb.IMaskFetch = { version: MESSAGE_VERSION, requestId: f.requestId >>> 0, encoding: encodingCode(f.encoding), backboneId: f.backboneId }
  if ('cid' in f.target) {
    msg.cid = parseContentId(f.target.cid).bytes
  } else {
    assertTaskKey(f.target.taskKey)
    msg.taskKey = f.target.taskKey
  }
  return finish(pb.MaskFetch.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask fetch')
}

export function decodeFetch (bytes: Uint8Array): MaskFetch {
  const m = parse(pb.MaskFetch, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask fetch')
  checkVersion(m.version, 'mask fetch')
  const backboneId = m.backboneId ?? ''
  assertBackboneId(backboneId)
  let target: FetchTarget
  if (m.target === 'cid') {
    target = { cid: requiredCid(m.cid, 'mask fetch') }
  } else if (m.target === 'taskKey') {
    const taskKey = m.taskKey ?? ''
    assertTaskKey(taskKey)
    target = { taskKey }
  } else {
    throw new ProtocolError('INVALID_FIELD', 'mask fetch names neither a content id nor a task key')
  }
  return { requestId: checkRequestId(m.requestId), target, encoding: decodeWanted(m.encoding), backboneId }
}

// ---- MaskTransferHeader and MaskChunk -------------------------------------------------

export function encodeTransferHeader (h: MaskTransferHeader): Uint8Array {
  const msg: pb.IMaskTransferHeader = {
    version: MESSAGE_VERSION,
    requestId: h.requestId >>> 0,
    status: TRANSFER_STATUS[h.status],
    totalSize: h.totalSize,
    chunkSize: h.chunkSize,
    chunkCount: h.chunkCount,
    message: h.message.slice(0, 512)
  }
  if (h.cid !== null) msg.cid = h.cid
  if (h.encoding !== null) msg.encoding = encodingCode(h.encoding)
  if (h.meta !== null) msg.meta = toPbMeta(h.meta)
  const bytes = finish(pb.MaskTransferHeader.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'transfer header')
  decodeTransferHeader(bytes) // refuse to send what a peer would refuse
  return bytes
}

export function decodeTransferHeader (bytes: Uint8Array): MaskTransferHeader {
  const m = parse(pb.MaskTransferHeader, bytes, MAX_CONTROL_MESSAGE_BYTES, 'transfer header')
  checkVersion(m.version, 'transfer header')
  const status = reverse(TRANSFER_STATUS, m.status, 'transfer status')
  const message = m.message ?? ''
  if (status !== 'ok') {
    return { requestId: checkRequestId(m.requestId), status, cid: null, encoding: null, totalSize: 0, chunkSize: 0, chunkCount: 0, meta: null, message }
  }
  const encoding = decodeWanted(m.encoding)
  const totalSize = checkSize(m.totalSize, MAX_MASK_BYTES, 'transfer size')
  const chunkSize = checkSize(m.chunkSize, MAX_CHUNK_BYTES, 'chunk size')
  const chunkCount = checkSize(m.chunkCount, MAX_CHUNKS, 'chunk count')
  if (totalSize === 0 || chunkSize === 0) throw new ProtocolError('INVALID_FIELD', 'transfer of zero bytes or with zero-sized chunks')
  if (chunkSize < Math.min(MIN_CHUNK_BYTES, totalSize)) throw new ProtocolError('INVALID_FIELD', `chunk size ${chunkSize} is below the minimum ${MIN_CHUNK_BYTES}`)
  if (chunkCount !== Math.ceil(totalSize / chunkSize)) {
    throw new ProtocolError('INCONSISTENT_SHAPE', `transfer of ${totalSize} bytes in ${chunkSize}-byte chunks needs ${Math.ceil(totalSize / chunkSize)} chunks, header says ${chunkCount}`)
  }
  return {
    requestId: checkRequestId(m.requestId),
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

export function encodeChunk (c: MaskChunk): Uint8Array {
  if (c.data.length > MAX_CHUNK_BYTES) throw new ProtocolError('TOO_LARGE', `chunk of ${c.data.length} bytes exceeds ${MAX_CHUNK_BYTES}`)
  return finish(pb.MaskChunk.encode({ index: c.index >>> 0, data: c.data }), MAX_CHUNK_MESSAGE_BYTES, 'mask chunk')
}

export function decodeChunk (bytes: Uint8Array): MaskChunk {
  const m = parse(pb.MaskChunk, bytes, MAX_CHUNK_MESSAGE_BYTES, 'mask chunk')
  const data = plainBytes(m.data ?? new Uint8Array(0))
  if (data.length > MAX_CHUNK_BYTES) throw new ProtocolError('TOO_LARGE', `chunk of ${data.length} bytes exceeds ${MAX_CHUNK_BYTES}`)
  return { index: (m.index ?? 0) >>> 0, data }
}

// ---- Inventory ----------------------------------------------------------------------

function toPbSummary (s: MaskSummary): pb.IMaskSummary {
  return { taskKey: s.taskKey, cid: s.cid, reward: s.reward, stepsTrained: s.stepsTrained, encodedSize: s.encodedSize, encodings: s.encodings.map(encodingCode), origin: s.origin }
}

function validateSummary (s: pb.IMaskSummary, i: number): MaskSummary {
  const what = `announced mask ${i}`
  const taskKey = s.taskKey ?? ''
  assertTaskKey(taskKey, `${what} task key`)
  const origin = s.origin ?? ''
  assertPeerIdText(origin, `${what} origin`)
  return {
    taskKey,
    cid: requiredCid(s.cid, what),
    reward: checkReward(s.reward, `${what} reward`),
    stepsTrained: toSafeInteger(s.stepsTrained, `${what} steps trained`),
    encodedSize: checkSize(s.encodedSize, MAX_MASK_BYTES, `${what} encoded size`),
    encodings: decodeEncodingList(s.encodings),
    origin
  }
}

export function encodeAnnouncement (a: InventoryAnnouncement): Uint8Array {
  assertBackboneId(a.backboneId)
  if (a.masks.length > MAX_ANNOUNCED_MASKS) throw new ProtocolError('TOO_LARGE', `announcement lists ${a.masks.length} masks (max ${MAX_ANNOUNCED_MASKS})`)
  if (a.addrs.length > MAX_ANNOUNCED_ADDRS) throw new ProtocolError('TOO_LARGE', `announcement lists ${a.addrs.length} addresses (max ${MAX_ANNOUNCED_ADDRS})`)
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
  const bytes = finish(pb.InventoryAnnouncement.encode(msg), MAX_ANNOUNCEMENT_BYTES, 'announcement')
  decodeAnnouncement(bytes)
  return bytes
}

export function decodeAnnouncement (bytes: Uint8Array): InventoryAnnouncement {
  const m = parse(pb.InventoryAnnouncement, bytes, MAX_ANNOUNCEMENT_BYTES, 'announcement')
  checkVersion(m.version, 'announcement')
  const backboneId = m.backboneId ?? ''
  assertBackboneId(backboneId)
  const masks = m.masks ?? []
  if (masks.length > MAX_ANNOUNCED_MASKS) throw new ProtocolError('TOO_LARGE', `announcement lists ${masks.length} masks (max ${MAX_ANNOUNCED_MASKS})`)
  const addrs = m.addrs ?? []
  if (addrs.length > MAX_ANNOUNCED_ADDRS) throw new ProtocolError('TOO_LARGE', `announcement lists ${addrs.length} addresses (max ${MAX_ANNOUNCED_ADDRS})`)
  for (const a of addrs) {
    if (a.length === 0 || a.length > MAX_MULTIADDR_BYTES) throw new ProtocolError('INVALID_FIELD', 'announced address is empty or too long')
  }
  const role = (m.role ?? '') as NodeRole
  if (!ROLES.includes(role)) throw new ProtocolError('INVALID_FIELD', `unknown role ${JSON.stringify(m.role ?? '')}`)
  return {
    backboneId,
    masks: masks.map(validateSummary),
    sequence: toSafeInteger(m.sequence, 'announcement sequence'),
    timestampMs: toSafeInteger(m.timestampMs, 'announcement time'),
    role,
    addrs: addrs.map(plainBytes),
    totalSteps: toSafeInteger(m.totalSteps, 'announcement total steps')
  }
}

export function encodeInventoryRequest (r: InventoryRequest): Uint8Array {
  return finish(pb.InventoryRequest.encode({ version: MESSAGE_VERSION, requestId: r.requestId >>> 0 }), MAX_CONTROL_MESSAGE_BYTES, 'inventory request')
}

export function decodeInventoryRequest (bytes: Uint8Array): InventoryRequest {
  const m = parse(pb.InventoryRequest, bytes, MAX_CONTROL_MESSAGE_BYTES, 'inventory request')
  checkVersion(m.version, 'inventory request')
  return { requestId: checkRequestId(m.requestId) }
}

/** Generated protobuf classes, for the file envelope and tests. Not for general use. */
export { pb as generated }
