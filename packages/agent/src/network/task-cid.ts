import { contentId, type CID } from '@l2d2c/protocol'

const encoder = new TextEncoder()

/**
 * The DHT key under which holders of a task's mask provide themselves: CIDv1 (raw, sha2-256)
 * of "l2d2c/task/1:" + task key. The prefix keeps these records apart from any other use of
 * the same DHT and versions the scheme.
 */
export function taskCid (taskKey: string): CID {
  return contentId(encoder.encode(`l2d2c/task/1:${taskKey}`))
}
