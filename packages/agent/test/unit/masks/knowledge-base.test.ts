import { describe, expect, it } from 'vitest'
import { KnowledgeBase } from '../../../src/masks/knowledge-base.js'

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
