import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import type { AgentConfig } from '../../../src/agent/agent-config.js'
import { Agent } from '../../../src/agent/agent.js'

const X = 'ctgraph/d2b2/img2/leaf01'
const Y = 'ctgraph/d2b2/img2/leaf10'
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function config(over: Partial<AgentConfig>): AgentConfig {
  return {
    dataDir: null,
    role: 'learner',
    tasks: [X],
    stepsPerTask: 7680,
    seed: 1,
    backend: 'wasm',
    learnerThread: 'worker',
    network: { gossipHeartbeatMs: 100, announceIntervalMs: 500 },
    sharing: { rounds: { windowMs: 1000 } },
    logger: silentLogger,
    ...over
  }
}

describe('nodes sharing masks learned by real learners (libp2p over TCP)', () => {
  // A learns X then Y alone (no peers); the tests below share its masks, then restart it.
  const dirA = mkdtempSync(join(tmpdir(), 'l2d2c-node-a-'))
  dirs.push(dirA)
  let a: Agent
  let peerIdA = ''
  const ownReward = new Map<string, number>()
  const bootstrapA = (): AgentConfig['network'] => ({
    gossipHeartbeatMs: 100,
    announceIntervalMs: 500,
    bootstrap: [a.addresses()[0]!]
  })

  beforeAll(async () => {
    a = await Agent.create(config({ dataDir: dirA, tasks: [X, Y], sharing: { enabled: false } }))
    const trained = await a.runCurriculum()
    for (const t of trained.tasks) ownReward.set(t.key, t.finalReturn!)
    peerIdA = a.peerId
  }, 120_000)

  it('A masters both tasks alone', () => {
    expect(ownReward.get(X)).toBeGreaterThanOrEqual(0.9)
    expect(ownReward.get(Y)).toBeGreaterThanOrEqual(0.9)
  })

  it("B meets a task A mastered, adopts A's mask and scores >= 0.9 before training on it", async () => {
    // B meets X, knows only A.
    const b = await Agent.create(config({ seed: 2, stepsPerTask: 1280, network: bootstrapA() }))
    try {
      const r = await b.runCurriculum()
      const report = r.tasks[0]!
      // The first evaluation is B's untrained mask; the second, at step 0, is the adopted mask.
      expect(report.evaluations[0]!.steps).toBe(0)
      expect(report.evaluations[1]).toMatchObject({ steps: 0 })
      expect(report.evaluations[1]!.reward).toBeGreaterThanOrEqual(0.9)
      expect(report.stepsToThreshold).toBe(0)
      expect(report.adoptions).toBeGreaterThanOrEqual(1)
      const kb = b.kb.get(X)!
      expect(kb).toMatchObject({ source: 'received', origin: peerIdA })
      expect(kb.adoptions[0]).toMatchObject({ from: peerIdA, origin: peerIdA })
      expect(kb.adoptions[0]!.verifiedReward).toBeGreaterThanOrEqual(0.9)
      expect(kb.adoptions[0]!.claimedReward).toBeCloseTo(ownReward.get(X)!, 6)
      expect(b.sharing.history[0]!.latencyMs).toBeLessThan(1000)
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('prefetch: while on X, B fetches the mask for its next task Y, stores it, and starts Y from it (>= 0.9, 0 steps on Y)', async () => {
    // Where B's curriculum stood when each adoption happened.
    const adoptedAt: Array<{ task: string; taskIndex: number }> = []
    const b: Agent = await Agent.create(
      config({
        seed: 3,
        tasks: [X, Y],
        stepsPerTask: 1280,
        network: bootstrapA(),
        observer: {
          adopted: task => {
            adoptedAt.push({ task, taskIndex: b.curriculumPosition.taskIndex })
          }
        }
      })
    )
    try {
      const r = await b.runCurriculum()
      // Y's mask came during X, and was stored with its provenance before Y started.
      expect(adoptedAt).toEqual([
        { task: X, taskIndex: 0 },
        { task: Y, taskIndex: 0 }
      ])
      const y = r.tasks[1]!
      expect(y.key).toBe(Y)
      // The verified reward of the prefetched mask, then the task-start evaluation of the mask
      // Y starts from: both before any step on Y.
      expect(y.evaluations[0]!.steps).toBe(0)
      expect(y.evaluations[0]!.reward).toBeGreaterThanOrEqual(0.9)
      expect(y.evaluations[1]!.steps).toBe(0)
      expect(y.evaluations[1]!.reward).toBeGreaterThanOrEqual(0.9)
      expect(y.stepsToThreshold).toBe(0)
      const kb = b.kb.get(Y)!
      expect(kb).toMatchObject({ source: 'received', origin: peerIdA })
      expect(kb.adoptions[0]).toMatchObject({ from: peerIdA, origin: peerIdA })
      expect(kb.adoptions[0]!.claimedReward).toBeCloseTo(ownReward.get(Y)!, 6)
      expect((await b.store.list()).map(m => m.taskKey).sort()).toEqual([X, Y].sort())
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('a restart keeps identity, masks and knowledge', async () => {
    const before = await a.store.list()
    const kbBefore = a.kb.list()
    await a.stop()
    const a2 = await Agent.create(config({ dataDir: dirA, tasks: [X, Y], sharing: { enabled: false } }))
    try {
      expect(a2.peerId).toBe(peerIdA)
      expect(await a2.store.list()).toEqual(before)
      expect(a2.kb.list()).toEqual(kbBefore)
      expect(a2.curriculumPosition).toEqual({ taskIndex: 2, stepsOnTask: 0 })
      // The restored masks are the trained ones: the learner evaluates them as mastered.
      for (const task of [X, Y]) expect((await a2.learner.evaluate(task)).meanReturn).toBeGreaterThanOrEqual(0.9)
    } finally {
      await a2.stop()
    }
  }, 60_000)
})
