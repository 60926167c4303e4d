import { l2d2c as pb } from '../../gen/l2d2c.js'
import { MAX_CONTROL_MESSAGE_BYTES, MESSAGE_VERSION } from '../constants.js'
import { ProtocolError } from '../errors.js'
import { encodingCode, type MaskEncoding } from '../mask-codec.js'
import {
  backboneIdOf,
  cidToSend,
  decodeEncodingList,
  decodeWanted,
  encodingCodes,
  finish,
  parseMessage,
  requestIdOf,
  requiredCid,
  taskKeyOf
} from './common.js'

/** A specific mask version (its BITS CID, as offered or announced), or the holder's current mask for a task. */
export type FetchTarget = { cid: Uint8Array } | { taskKey: string }

/** MaskFetch: the request of /l2d2c/mask/1.0.0. */
export interface MaskFetch {
  requestId: number
  target: FetchTarget
  /** What a holder that predates `accept` serves; with `accept`, one of its entries. */
  encoding: MaskEncoding
  backboneId: string
  /**
   * The encodings the requester accepts, most preferred first: the holder answers with the
   * smallest of them it can produce (docs/protocol.md §5.2.1). Absent or empty: exactly `encoding`.
   */
  accept?: readonly MaskEncoding[]
}

/** The encodings a holder may answer a fetch with: its `accept` list, or just `encoding`. */
export function acceptedEncodings(f: Pick<MaskFetch, 'encoding' | 'accept'>): readonly MaskEncoding[] {
  return f.accept !== undefined && f.accept.length > 0 ? f.accept : [f.encoding]
}

function readFetch(m: pb.MaskFetch): MaskFetch {
  let target: FetchTarget
  if (m.target === 'cid') {
    target = { cid: requiredCid(m.cid, 'mask fetch') }
  } else if (m.target === 'taskKey') {
    target = { taskKey: taskKeyOf(m.taskKey) }
  } else {
    throw new ProtocolError('INVALID_FIELD', 'mask fetch names neither a content id nor a task key')
  }
  const encoding = decodeWanted(m.encoding)
  // Unknown codes (a newer requester's) are skipped: the holder chooses among those it knows.
  const accept = decodeEncodingList(m.accept)
  if (accept.length > 0 && !accept.includes(encoding))
    throw new ProtocolError('INVALID_FIELD', `mask fetch asks for ${encoding} but does not accept it`)
  return {
    requestId: requestIdOf(m.requestId),
    target,
    encoding,
    backboneId: backboneIdOf(m.backboneId),
    ...(accept.length > 0 ? { accept } : {})
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
    accept: encodingCodes(f.accept ?? [], 'mask fetch'),
    ...target
  })
  readFetch(msg)
  return finish(pb.MaskFetch.encode(msg), MAX_CONTROL_MESSAGE_BYTES, 'mask fetch')
}

export function decodeFetch(bytes: Uint8Array): MaskFetch {
  return readFetch(parseMessage(pb.MaskFetch, bytes, MAX_CONTROL_MESSAGE_BYTES, 'mask fetch'))
}
