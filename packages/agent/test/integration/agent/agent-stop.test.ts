import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import { Agent } from '../../../src/agent/agent.js'

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('stopping a learner while a sharing round is pending', () => {
  it('the stop ends the round at once, not when its window closes', async () => {
    // Alone, with a 10-minute window: the task-start round waits on a DHT search nobody answers.
    const node = await Agent.create({
      dataDir: null,
      role: 'learner',
      tasks: ['ctgraph/d2b2/img1/leaf00'],
      stepsPerTask: 1280,
      seed: 1,
      backend: 'wasm',
      learnerThread: 'main',
      driver: { evalEpisodes: 2 },
      sharing: { rounds: { windowMs: 600_000 } },
      logger: silentLogger
    })
    try {
      const stop = new AbortController()
      const run = node.runCurriculum(stop.signal)
      await until('the task-start round', () => node.rounds.activeRounds > 0, 20_000)
      stop.abort()
      const result = await run
      expect(result.completed).toBe(false)
      expect(result.totalSteps).toBe(0)
      // The round itself ended too (the stop reached exchange.round), not only the wait for it.
      await until('the round to end', () => node.rounds.activeRounds === 0, 2_000)
      expect(node.sharing.history).toHaveLength(1)
    } finally {
      await node.stop()
    }
  }, 60_000)
})
