import { l2d2c as pb } from '../../gen/l2d2c.js'
import { MAX_CONTROL_MESSAGE_BYTES, MESSAGE_VERSION } from '../constants.js'
import { backboneIdOf, finish, parseMessage, requestIdOf, rewardOf, taskKeyOf } from './common.js'

/** MaskQuery: the request of /l2d2c/query/1.0.0, "do you have a better mask for this task?" */
export interface MaskQuery {
  requestId: number
  taskKey: string
  /** The querier's own reward on the task, or null when it has none yet. */
  reward: number | null
  backboneId: string
}

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
