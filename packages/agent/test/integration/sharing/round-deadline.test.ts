import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { agreement, LAYERS, startPeer, TASK, type TestPeer } from './exchange-helpers.js'

// Node 20 drops a timeout signal held only by `AbortSignal.any` once the GC runs
// (nodejs/node#57736): a round built on it never reached its window and a lone learner
// stalled at the end of every task. Forcing collections during the window reproduces it.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const peers: TestPeer[] = []
afterEach(async () => {
  await Promise.all(
    peers.splice(0).map(async p => {
      await p.stop().catch(() => {})
    })
  )
})

describe('a query round is bounded by its window', () => {
  it('ends at the window with no peers, an empty DHT and garbage collections during the wait', async () => {
    const lone = await startPeer({ rounds: { windowMs: 200, graceMs: 10 } })
    peers.push(lone)
    const collector = setInterval(gc, 20)
    try {
      const t0 = performance.now()
      const r = await Promise.race([
        lone.rounds.round({
          taskKey: TASK,
          ownReward: null,
          layers: LAYERS,
          evaluate: async m => agreement(m),
          currentReward: async () => null
        }),
        new Promise<'stalled'>(resolve => {
          setTimeout(() => {
            resolve('stalled')
          }, 3_000).unref()
        })
      ])
      expect(r).not.toBe('stalled')
      expect(performance.now() - t0).toBeLessThan(2_000)
      if (r !== 'stalled') expect(r.adopted).toBeNull()
    } finally {
      clearInterval(collector)
    }
  })
})
