import { l2d2c as pb } from '../../gen/l2d2c.js'
import { MAX_CONTROL_MESSAGE_BYTES, MESSAGE_VERSION } from '../constants.js'
import { finish, parseMessage, requestIdOf } from './common.js'

/** InventoryRequest: the request of /l2d2c/inventory/1.0.0 (answered with an InventoryAnnouncement). */
export interface InventoryRequest {
  requestId: number
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
