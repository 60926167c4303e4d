import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import { listeningAddresses } from '../../../src/network/create-node.js'
import { AgentNode, type AgentNodeConfig } from '../../../src/node/agent-node.js'

const TASK = 'ctgraph/d2b2/img2/leaf01'
const dirs: string[] = []
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

function config (over: Partial<AgentNodeConfig>): AgentNodeConfig {
  return {
    dataDir: null,
    role: 'learner',
    tasks: [TASK],
    stepsPerTask: 25_600,
    seed: 1,
    backend: 'wasm',
    learnerThread: 'worker',
    network: { gossipHeartbeatMs: 100, announceIntervalMs: 500 },
    sharing: { coordinator: { windowMs: 1000 } },
    logger: silentLogger,
    ...over
  }
}

describe('nodes sharing masks learned by real learners (libp2p over TCP)', () => {
  it('B meets a task A mastered, adopts A\'s mask and scores >= 0.9 before training on it; a restart keeps identity, masks and knowledge', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'l2d2c-node-a-')); dirs.push(dirA)
    // A learns the task alone (no peers).
    const a = new AgentNode(config({ dataDir: dirA, sharing: { enabled: false } }))
    await a.start()
    const trained = await a.runCurriculum()
    const ownReward = trained.tasks[0]!.finalReturn!
    expect(ownReward).toBeGreaterThanOrEqual(0.9)
    const peerIdA = a.peerId

    // B meets the same task, knows only A.
    const b = new AgentNode(config({ seed: 2, stepsPerTask: 1280, network: { gossipHeartbeatMs: 100, announceIntervalMs: 500, bootstrap: [listeningAddresses(a.node)[0]!] } }))
    await b.start()
    try {
      const r = await b.runCurriculum()
      const report = r.tasks[0]!
      // The first evaluation is B's untrained mask; the second, at step 0, is the adopted mask.
      expect(report.evaluations[0]!.steps).toBe(0)
      expect(report.evaluations[1]).toMatchObject({ steps: 0 })
      expect(report.evaluations[1]!.reward).toBeGreaterThanOrEqual(0.9)
      expect(report.stepsToThreshold).toBe(0)
      expect(report.adoptions).toBeGreaterThanOrEqual(1)
      const kb = b.kb.get(TASK)!
      expect(kb).toMatchObject({ source: 'received', origin: peerIdA })
      expect(kb.adoptions[0]).toMatchObject({ from: peerIdA, origin: peerIdA })
      expect(kb.adoptions[0]!.verifiedReward).toBeGreaterThanOrEqual(0.9)
      expect(kb.adoptions[0]!.claimedReward).toBeCloseTo(ownReward, 6)
      expect(b.rounds[0]!.latencyMs).toBeLessThan(1000)
    } finally {
      await b.stop()
    }

    // A restarts from its data dir: same peer id, same mask, same knowledge, curriculum done.
    const before = await a.store.list()
    const kbBefore = a.kb.get(TASK)
    await a.stop()
    const a2 = new AgentNode(config({ dataDir: dirA, sharing: { enabled: false } }))
    await a2.start()
    try {
      expect(a2.peerId).toBe(peerIdA)
      expect(await a2.store.list()).toEqual(before)
      expect(a2.kb.get(TASK)).toEqual(kbBefore)
      expect(a2.curriculumPosition).toEqual({ taskIndex: 1, stepsOnTask: 0 })
      // The restored mask is the trained one: the learner evaluates it as mastered.
      expect((await a2.learner.evaluate(TASK)).meanReturn).toBeGreaterThanOrEqual(0.9)
    } finally {
      await a2.stop()
    }
  }, 120_000)
})
