import { describe, expect, it } from 'vitest'
import type { StatusDocument } from '@l2d2c/protocol'
import { dashboardSnapshot, SNAPSHOT_HISTORY } from '../../../../src/daemon/dashboard/snapshot.js'
import type { PeerRecord } from '../../../../src/network/peer-directory.js'

const ME = 'peerMe'
const peer = (peerId: string, masks: Array<{ taskKey: string; origin: string }>): PeerRecord => ({
  peerId,
  addrs: [],
  lastSeen: 0,
  role: 'learner',
  backboneId: null,
  masks: masks.map(m => ({
    ...m,
    cid: new Uint8Array(),
    reward: 0.9,
    stepsTrained: 10,
    encodedSize: 1,
    encodings: []
  })),
  announcementSequence: 1,
  announcedMasks: masks.length,
  totalSteps: 10,
  ownIcr: null,
  failures: 0,
  remembered: false
})

describe('dashboardSnapshot', () => {
  it('names the trainer of every announced mask, and finds the peers that hold masks trained here', () => {
    const s = dashboardSnapshot({
      now: 0,
      status: { peerId: ME } as StatusDocument,
      peers: [
        peer('peerA', [
          { taskKey: 't1', origin: '' }, // trained by A itself
          { taskKey: 't2', origin: ME } // adopted from this node
        ]),
        peer('peerB', [{ taskKey: 't3', origin: 'peerA' }])
      ],
      connected: new Set(['peerA']),
      connectionKinds: new Map([['peerA', 'relayed']]),
      masks: [],
      knowledge: [],
      training: [],
      ownIcr: { tasks: [], history: [] },
      evaluation: { tasks: ['t1'], latest: null, history: [] },
      logs: [],
      linked: []
    })
    expect(s.peers.map(p => [p.peerId, p.connected, p.connection])).toEqual([
      ['peerA', true, 'relayed'],
      ['peerB', false, null]
    ])
    expect(s.peers[0]?.announced.map(m => m.origin)).toEqual(['peerA', ME])
    expect(s.peers[1]?.announced.map(m => m.origin)).toEqual(['peerA'])
    expect(s.adoptedFromUs).toEqual([{ peerId: 'peerA', taskKey: 't2' }])
  })

  it('lists adoptions oldest first and bounds every history', () => {
    const adoption = (at: number, from: string) => ({
      at,
      from,
      origin: from,
      cid: 'c',
      claimedReward: 1,
      verifiedReward: 0.95,
      previousReward: null
    })
    const s = dashboardSnapshot({
      now: 0,
      status: { peerId: ME } as StatusDocument,
      peers: [],
      connected: new Set(),
      connectionKinds: new Map(),
      masks: [],
      knowledge: [
        {
          taskKey: 't2',
          reward: 1,
          stepsTrained: 0,
          source: 'received',
          origin: 'p',
          cid: 'c',
          adoptions: [adoption(2_000, 'q')],
          updatedAt: 0
        },
        {
          taskKey: 't1',
          reward: 1,
          stepsTrained: 0,
          source: 'received',
          origin: 'p',
          cid: 'c',
          adoptions: [adoption(1_000, 'p')],
          updatedAt: 0
        }
      ],
      training: Array.from({ length: SNAPSHOT_HISTORY + 50 }, (_, i) => ({ taskKey: 't', steps: i, meanReturn: 0 })),
      ownIcr: { tasks: [], history: [] },
      evaluation: { tasks: [], latest: null, history: [] },
      logs: [],
      linked: []
    })
    expect(s.adoptions.map(a => [a.taskKey, a.from])).toEqual([
      ['t1', 'p'],
      ['t2', 'q']
    ])
    expect(s.training).toHaveLength(SNAPSHOT_HISTORY)
    expect(s.training[0]?.steps).toBe(50)
  })
})
