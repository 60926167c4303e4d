import { l2d2c as pb } from '../../gen/l2d2c.js'
import {
  MAX_ANNOUNCED_ADDRS,
  MAX_ANNOUNCED_MASKS,
  MAX_ANNOUNCEMENT_BYTES,
  MAX_MASK_BYTES,
  MAX_MULTIADDR_BYTES,
  MESSAGE_VERSION
} from '../constants.js'
import { ProtocolError } from '../errors.js'
import type { MaskEncoding } from '../mask-codec.js'
import { toSafeInteger } from '../validate.js'
import {
  backboneIdOf,
  cidToSend,
  claimsOf,
  decodeEncodingList,
  encodingCodes,
  finish,
  parseMessage,
  plainBytes,
  requiredCid,
  sizeOf,
  taskKeyOf
} from './common.js'

/**
 * InventoryAnnouncement: what a node publishes on the gossipsub topic l2d2c/announce/1 and
 * answers on /l2d2c/inventory/1.0.0. One MaskSummary per held mask.
 */

export type NodeRole = 'learner' | 'evaluator'

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
  /**
   * The publisher's own ICR (the sum over its curriculum of the return it gets itself from the
   * masks it holds), as it last measured it; absent when it has none (evaluators, or a learner
   * before its first measurement). Finite and >= 0.
   */
  ownIcr?: number
}

const ROLES: readonly NodeRole[] = ['learner', 'evaluator']

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
  const ownIcr = m.ownIcr ?? null
  if (ownIcr !== null && !(Number.isFinite(ownIcr) && ownIcr >= 0))
    throw new ProtocolError('INVALID_FIELD', `announced own ICR ${ownIcr} is not a finite number >= 0`)
  return {
    backboneId: backboneIdOf(m.backboneId),
    masks: masks.map(readSummary),
    sequence: toSafeInteger(m.sequence, 'announcement sequence'),
    timestampMs: toSafeInteger(m.timestampMs, 'announcement time'),
    role,
    addrs: addrs.map(plainBytes),
    totalSteps: toSafeInteger(m.totalSteps, 'announcement total steps'),
    ...(ownIcr !== null ? { ownIcr } : {})
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
    totalSteps: a.totalSteps,
    ...(a.ownIcr !== undefined ? { ownIcr: a.ownIcr } : {})
  }
  readAnnouncement(msg)
  return finish(pb.InventoryAnnouncement.encode(msg), MAX_ANNOUNCEMENT_BYTES, 'announcement')
}

export function decodeAnnouncement(bytes: Uint8Array): InventoryAnnouncement {
  return readAnnouncement(parseMessage(pb.InventoryAnnouncement, bytes, MAX_ANNOUNCEMENT_BYTES, 'announcement'))
}
