import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KnowledgeBase } from '../../../src/state/knowledge-base.js'
import { NodeStateFile, type NodeState } from '../../../src/state/node-state.js'

const dir = mkdtempSync(join(tmpdir(), 'l2d2c-state-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('knowledge base', () => {
  it('accumulates training and keeps the latest evaluation', () => {
    const kb = new KnowledgeBase()
    kb.recordTraining('t/a', { steps: 512 }, 1)
    kb.recordTraining('t/a', { steps: 512, reward: 0.4, cid: 'bafk1' }, 2)
    expect(kb.get('t/a')).toMatchObject({
      stepsTrained: 1024,
      reward: 0.4,
      cid: 'bafk1',
      source: 'trained',
      origin: '',
      updatedAt: 2
    })
  })

  it('records adoptions with provenance and the reward they replaced', () => {
    const kb = new KnowledgeBase()
    kb.recordTraining('t/a', { steps: 100, reward: 0.1 }, 1)
    const e = kb.recordAdoption(
      't/a',
      { from: 'peerB', origin: 'peerC', cid: 'bafk2', claimedReward: 1, verifiedReward: 0.96 },
      5
    )
    expect(e).toMatchObject({ source: 'received', origin: 'peerC', reward: 0.96, cid: 'bafk2' })
    expect(e.adoptions).toEqual([
      {
        at: 5,
        from: 'peerB',
        origin: 'peerC',
        cid: 'bafk2',
        claimedReward: 1,
        verifiedReward: 0.96,
        previousReward: 0.1
      }
    ])
    for (let i = 0; i < 30; i++)
      kb.recordAdoption('t/a', { from: 'p', origin: 'p', cid: `c${i}`, claimedReward: 1, verifiedReward: 1 }, 10 + i)
    expect(kb.get('t/a')!.adoptions.length).toBe(20)
    expect(kb.get('t/a')!.adoptions.at(-1)!.cid).toBe('c29')
  })
})

describe('node state file', () => {
  const state = (taskIndex: number): NodeState => ({
    version: 1,
    curriculumId: 'abc',
    position: { taskIndex, stepsOnTask: 1280 },
    totalSteps: 99_840,
    knowledge: [new KnowledgeBase().recordTraining('t/a', { steps: 10, reward: 0.5 }, 3)],
    savedAt: 4
  })

  it('round-trips through an atomic write', async () => {
    const f = new NodeStateFile(join(dir, 'state.json'))
    expect((await f.load(0)).state).toBeNull()
    await f.save(state(3))
    expect((await f.load(0)).state).toEqual(state(3))
  })

  it('moves a damaged file aside and reports it instead of crashing or using it', async () => {
    const path = join(dir, 'bad-state.json')
    writeFileSync(path, '{"version": 1, "curriculumId": "x", "position": {"taskIndex": -1}}')
    const f = new NodeStateFile(path)
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
    const f = new NodeStateFile(path)
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
})
