import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AgentStateFile, type AgentState } from '../../../src/agent/agent-state.js'
import { KnowledgeBase } from '../../../src/masks/knowledge-base.js'

const dir = mkdtempSync(join(tmpdir(), 'l2d2c-state-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('agent state file', () => {
  const state = (taskIndex: number): AgentState => ({
    version: 1,
    curriculumId: 'abc',
    position: { taskIndex, stepsOnTask: 1280 },
    totalSteps: 99_840,
    knowledge: [new KnowledgeBase().recordTraining('t/a', { steps: 10, reward: 0.5 }, 3)],
    savedAt: 4
  })

  it('round-trips through an atomic write', async () => {
    const f = new AgentStateFile(join(dir, 'state.json'))
    expect((await f.load(0)).state).toBeNull()
    await f.save(state(3))
    expect((await f.load(0)).state).toEqual(state(3))
  })

  it('moves a damaged file aside and reports it instead of crashing or using it', async () => {
    const path = join(dir, 'bad-state.json')
    writeFileSync(path, '{"version": 1, "curriculumId": "x", "position": {"taskIndex": -1}}')
    const f = new AgentStateFile(path)
    const r = await f.load(42)
    expect(r.state).toBeNull()
    expect(r.problem).toMatch(/position is invalid/)
    expect(readdirSync(dir)).toContain('bad-state.json.corrupt-42')
    writeFileSync(path, '{not json')
    expect((await f.load(43)).problem).toMatch(/JSON/)
  })

  it('checks the adoptions inside each knowledge entry too', async () => {
    const good = new KnowledgeBase().recordAdoption(
      't/a',
      { from: 'peerB', origin: 'peerC', cid: 'bafk2', claimedReward: 1, verifiedReward: 0.96 },
      5
    )
    const path = join(dir, 'adoptions.json')
    const f = new AgentStateFile(path)
    await f.save({ ...state(1), knowledge: [good] })
    expect((await f.load(50)).state?.knowledge).toEqual([good])
    for (const [i, damaged] of [
      null,
      { ...good.adoptions[0], verifiedReward: 'high' },
      { ...good.adoptions[0], from: undefined }
    ].entries()) {
      await f.save({ ...state(1), knowledge: [{ ...good, adoptions: [damaged as never] }] })
      const r = await f.load(60 + i)
      expect(r.state).toBeNull()
      expect(r.problem).toMatch(/knowledge\[0\]\.adoptions\[0\]/)
    }
  })

  it("keeps each task's mastery and the evaluation steps, and refuses damaged ones; older states without them still load", async () => {
    const kb = new KnowledgeBase()
    kb.recordTraining('t/a', { steps: 2560, reward: 0.96 }, 1)
    kb.recordMastery('t/a', { by: 'learned', steps: 2560 }, 2)
    // The first mastery stands.
    kb.recordMastery('t/a', { by: 'adopted', steps: 9 }, 3)
    const entry = kb.get('t/a')!
    expect(entry.mastery).toEqual({ by: 'learned', steps: 2560 })
    const f = new AgentStateFile(join(dir, 'mastery.json'))
    await f.save({ ...state(1), evalSteps: 4321, knowledge: [entry] })
    expect((await f.load(70)).state).toMatchObject({ evalSteps: 4321, knowledge: [entry] })
    await f.save(state(1))
    expect((await f.load(71)).state).not.toHaveProperty('evalSteps')
    for (const [i, bad] of [{ by: 'stolen', steps: 1 }, { by: 'learned', steps: -1 }, 'yes'].entries()) {
      await f.save({ ...state(1), knowledge: [{ ...entry, mastery: bad as never }] })
      expect((await f.load(80 + i)).problem).toMatch(/knowledge\[0\]\.mastery is invalid/)
    }
    await f.save({ ...state(1), evalSteps: -5 })
    expect((await f.load(90)).problem).toMatch(/evalSteps is invalid/)
  })
})
