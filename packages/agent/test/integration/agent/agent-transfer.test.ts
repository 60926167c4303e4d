import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentId, encodeMask, type Mask } from '@l2d2c/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import type { AgentConfig } from '../../../src/agent/agent-config.js'
import { Agent } from '../../../src/agent/agent.js'

/** The teacher's task. */
const X = 'ctgraph/d2b2/img2/leaf01'
/** A task nobody holds: the student meets it first. */
const Z = 'ctgraph/d2b2/img2/leaf11'
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function config(over: Partial<AgentConfig>): AgentConfig {
  return {
    dataDir: null,
    role: 'learner',
    tasks: [X],
    stepsPerTask: 12_800,
    seed: 1,
    backend: 'wasm',
    learnerThread: 'main',
    network: { gossipHeartbeatMs: 100, announceIntervalMs: 500 },
    sharing: { rounds: { windowMs: 1000 } },
    // As agent-sharing.test.ts: with close-to-init off, seed 1 masters X alone after 8,960 steps.
    ppo: { closeToInit: 0 },
    logger: silentLogger,
    ...over
  }
}

describe("transfer: a learner imports peers' masks of other tasks as the BLC basis (libp2p over TCP)", () => {
  const dirA = mkdtempSync(join(tmpdir(), 'l2d2c-teacher-'))
  dirs.push(dirA)
  let teacher: Agent
  let teacherCid = ''

  beforeAll(async () => {
    teacher = await Agent.create(config({ dataDir: dirA, sharing: { enabled: false } }))
    await teacher.runCurriculum()
    teacherCid = teacher.kb.get(X)?.cid ?? ''
  }, 240_000)

  afterAll(async () => {
    await teacher?.stop()
  })

  it("a student meeting a task nobody holds starts it from BLC over the teacher's verified mask of another task, which it never counts as its own", async () => {
    expect(teacher.kb.get(X)?.mastery?.by).toBe('learned')
    expect(teacherCid).not.toBe('')
    const student = await Agent.create(
      config({
        seed: 2,
        tasks: [Z],
        stepsPerTask: 1280,
        maskInit: 'blc',
        sharing: { rounds: { windowMs: 1000 }, importBasis: 4 },
        network: { gossipHeartbeatMs: 100, announceIntervalMs: 500, bootstrap: [teacher.addresses()[0]!] }
      })
    )
    const bases: Array<{ tasks: string[]; cids: string[]; used: number; current: string | null }> = []
    const setBasis = student.learner.setBasis.bind(student.learner)
    student.learner.setBasis = async (basis: Mask[]) => {
      const used = await setBasis(basis)
      const current = (await student.learner.status()).currentTask
      bases.push({
        tasks: basis.map(m => m.taskKey),
        cids: basis.map(m => contentId(encodeMask(m, 'bits')).toString()),
        used,
        current
      })
      return used
    }
    try {
      expect(student.basis).not.toBeNull()
      const r = await student.runCurriculum()
      // Once, for Z, before training it: the teacher's X mask, verified against its announced CID, used.
      expect(bases).toEqual([{ tasks: [X], cids: [teacherCid], used: 1, current: Z }])
      const z = r.tasks[0]!
      expect(z.evaluations.filter(e => e.steps === 0)).toHaveLength(2)
      expect(z.adoptions).toBe(0)
      // A basis only: no record, mask, knowledge or capability for X on the student.
      const status = await student.learner.status()
      expect(status.tasks.map(t => t.key)).toEqual([Z])
      expect(student.kb.get(X)).toBeNull()
      expect((await student.store.list()).map(m => m.taskKey)).toEqual([Z])
      expect((await student.status()).outcome.tasksAdopted).toBe(0)
      expect(student.sharing.history.every(h => h.adopted === null)).toBe(true)
    } finally {
      await student.stop()
    }
  }, 120_000)

  it('without --import-basis (the default) nothing is imported', async () => {
    const student = await Agent.create(
      config({
        seed: 3,
        tasks: [Z],
        stepsPerTask: 128,
        maskInit: 'blc',
        network: { gossipHeartbeatMs: 100, announceIntervalMs: 500, bootstrap: [teacher.addresses()[0]!] }
      })
    )
    let calls = 0
    student.learner.setBasis = async () => {
      calls++
      return 0
    }
    try {
      expect(student.basis).toBeNull()
      await student.runCurriculum()
      expect(calls).toBe(0)
    } finally {
      await student.stop()
    }
  }, 120_000)
})
