/**
 * Entry point of the learner worker thread: serves LearnerApi calls posted by WorkerLearner,
 * one at a time, with an InProcessLearner. Training runs here so the main thread's event loop
 * stays free for libp2p and the control API (a busy learner must not delay answers to peers).
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { InProcessLearner } from './in-process-learner.js'
import { LEARNER_THREAD_NICENESS, type LearnerApi } from './learner-api.js'

interface Call {
  id: number
  method: keyof LearnerApi
  args: unknown[]
}

if (parentPort === null) throw new Error('learner-worker must run in a worker thread')

/**
 * On Linux every thread has its own nice value: lowering this one's keeps the network thread
 * first in line for the CPU when training saturates it (a busy learner must not delay answers
 * to peers). /proc/thread-self names this thread's id. Best effort: elsewhere it is a no-op.
 */
function lowerOwnPriority(niceness: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, niceness)
  } catch {
    /* not Linux, or not permitted: run at the default priority */
  }
}
lowerOwnPriority((workerData as { niceness?: number } | undefined)?.niceness ?? LEARNER_THREAD_NICENESS)

const port = parentPort
const learner = new InProcessLearner()
let queue: Promise<void> = Promise.resolve()

port.on('message', (call: Call) => {
  // Calls run strictly in order: the learner is single-threaded state.
  queue = queue.then(async () => {
    try {
      const fn = learner[call.method] as (...a: unknown[]) => Promise<unknown>
      const result = await fn.apply(learner, call.args)
      port.postMessage({ id: call.id, result })
    } catch (err) {
      const e = err as Error & { code?: string }
      port.postMessage({
        id: call.id,
        error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), code: e?.code }
      })
    }
  })
})
