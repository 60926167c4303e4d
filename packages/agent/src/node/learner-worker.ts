/**
 * Entry point of the learner worker thread: serves LearnerApi calls posted by WorkerLearner,
 * one at a time, with an InProcessLearner. Training runs here so the main thread's event loop
 * stays free for libp2p and the control API (a busy learner must not delay answers to peers).
 */
import { parentPort } from 'node:worker_threads'
import { InProcessLearner } from './in-process-learner.js'
import type { LearnerApi } from './learner-api.js'

interface Call { id: number, method: keyof LearnerApi, args: unknown[] }

if (parentPort === null) throw new Error('learner-worker must run in a worker thread')
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
      port.postMessage({ id: call.id, error: { name: e?.name ?? 'Error', message: e?.message ?? String(err), code: e?.code } })
    }
  })
})
