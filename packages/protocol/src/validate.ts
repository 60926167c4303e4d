import { MAX_BACKBONE_ID_BYTES, MAX_LAYER_NAME_BYTES, MAX_PEER_ID_BYTES, MAX_TASK_KEY_BYTES } from './constants.js'
import { ProtocolError } from './errors.js'

/**
 * Field-level validation shared by the mask codec and message decoders. Identifiers are
 * restricted to printable ASCII subsets so they are safe in file names, logs and terminals.
 */

const TASK_KEY = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/
const BACKBONE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/
const LAYER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]+$|^[a-z2-7]+$/

export function isValidTaskKey(key: string): boolean {
  return (
    key.length > 0 &&
    key.length <= MAX_TASK_KEY_BYTES &&
    TASK_KEY.test(key) &&
    !key.includes('//') &&
    !key.endsWith('/')
  )
}

export function assertTaskKey(key: string, field = 'task key'): void {
  if (!isValidTaskKey(key)) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `invalid ${field} ${JSON.stringify(key.slice(0, 80))}: expected 1-${MAX_TASK_KEY_BYTES} characters of [A-Za-z0-9._-/] separated by single slashes`
    )
  }
}

export function isValidBackboneId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_BACKBONE_ID_BYTES && BACKBONE_ID.test(id)
}

export function assertBackboneId(id: string, field = 'backbone id'): void {
  if (!isValidBackboneId(id)) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `invalid ${field} ${JSON.stringify(id.slice(0, 80))}: expected 1-${MAX_BACKBONE_ID_BYTES} characters of [A-Za-z0-9._:-]`
    )
  }
}

export function assertLayerName(name: string): void {
  if (name.length === 0 || name.length > MAX_LAYER_NAME_BYTES || !LAYER_NAME.test(name)) {
    throw new ProtocolError('INVALID_FIELD', `invalid layer name ${JSON.stringify(name.slice(0, 80))}`)
  }
}

/** Peer ids travel as text (base58btc or base32); empty means "unknown". */
export function assertPeerIdText(id: string, field = 'peer id'): void {
  if (id.length === 0) return
  if (id.length > MAX_PEER_ID_BYTES || !PEER_ID.test(id)) {
    throw new ProtocolError('INVALID_FIELD', `invalid ${field} ${JSON.stringify(id.slice(0, 80))}`)
  }
}

export function assertFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new ProtocolError('NON_FINITE', `${field} is not a finite number (${value})`)
}

/** protobufjs decodes uint64 as a Long object (the `long` package is present): convert safely. */
export function toSafeInteger(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new ProtocolError('INVALID_FIELD', `${field} is not a safe non-negative integer`)
    return value
  }
  if (
    typeof value === 'object' &&
    'toNumber' in value &&
    typeof (value as { toNumber: unknown }).toNumber === 'function'
  ) {
    const long = value as { toNumber: () => number; high: number; unsigned?: boolean }
    // Above 2^53 a Long loses precision when converted; refuse rather than round.
    if (long.high >>> 0 > 0x1fffff) throw new ProtocolError('INVALID_FIELD', `${field} exceeds 2^53`)
    return long.toNumber()
  }
  throw new ProtocolError('INVALID_FIELD', `${field} has an unexpected type`)
}
