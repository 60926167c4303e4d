import {
  contentIdBytes,
  encodeMask,
  ProtocolError,
  type InventoryAnnouncement,
  type MaskSummary,
  type NodeRole
} from '@l2d2c/protocol'
import type { PeerId } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import type { PeerRecord } from '../../../src/network/peer-directory.js'
import { BasisImport, DEFAULT_BASIS_IMPORT } from '../../../src/sharing/basis-import.js'
import { ReputationBook } from '../../../src/sharing/policy/reputation.js'
import { SitePolicy } from '../../../src/sharing/policy/site-policy.js'
import { newPeerId } from '../../helpers/in-memory-wire.js'
import { BACKBONE, LAYERS, meta, syntheticMask } from '../../helpers/masks.js'

const TARGET = 'ctgraph/d2b2/img1/leaf11'
const A = 'ctgraph/d2b2/img1/leaf00'
const B = 'ctgraph/d2b2/img1/leaf01'
const C = 'ctgraph/d2b2/img2/leaf00'
const D = 'ctgraph/d2b2/img2/leaf01'

/** Each task's mask: its BITS bytes, and the summary a holder announces (claim given per holder). */
function held(task: string, seed: number) {
  const bytes = encodeMask(syntheticMask(seed, task), 'bits')
  const summary = (reward: number): MaskSummary => ({
    taskKey: task,
    cid: contentIdBytes(bytes),
    reward,
    stepsTrained: 1000,
    encodedSize: bytes.length,
    encodings: ['bits'],
    origin: ''
  })
  return { bytes, summary }
}

function record(peerId: string, masks: MaskSummary[], role: NodeRole = 'learner'): PeerRecord {
  return {
    peerId,
    addrs: [],
    lastSeen: 0,
    role,
    backboneId: BACKBONE,
    masks,
    announcedMasks: masks.length,
    announcementSequence: 1,
    totalSteps: 0,
    ownIcr: null,
    failures: 0,
    remembered: false
  }
}

describe("BasisImport (peers' masks of other tasks, fetched and verified)", () => {
  it("imports the best holder of each task, falls back on a failed fetch, costs a liar reputation, skips evaluators, and reads connected peers' inventories", async () => {
    const [liar, honest, flaky, evaluator, newcomer] = (await Promise.all(
      [1, 2, 3, 4, 5].map(async () => await newPeerId())
    )) as [PeerId, PeerId, PeerId, PeerId, PeerId]
    const id = (p: PeerId): string => p.toString()
    const a = held(A, 11)
    const b = held(B, 12)
    const c = held(C, 13)
    const d = held(D, 14)
    const directory = [
      record(id(liar), [a.summary(0.95)]),
      record(id(honest), [a.summary(0.9)]),
      record(id(flaky), [b.summary(0.8)]),
      record(id(evaluator), [c.summary(1)], 'evaluator')
    ]
    const inventory: InventoryAnnouncement = {
      backboneId: BACKBONE,
      masks: [d.summary(0.7)],
      sequence: 1,
      timestampMs: 0,
      role: 'learner',
      addrs: [],
      totalSteps: 0
    }
    const fetched: string[] = []
    const reputation = new ReputationBook()
    const basis = new BasisImport(
      {
        client: {
          fetch: async (peer: PeerId) => {
            fetched.push(peer.toString())
            if (peer.equals(liar)) throw new ProtocolError('CID_MISMATCH', 'not the offered mask')
            if (peer.equals(flaky)) throw new Error('stream reset')
            const bytes = peer.equals(honest) ? a.bytes : d.bytes
            return { header: {} as never, bytes, meta: meta(0.9), wireBytes: bytes.length }
          },
          inventory: async (peer: PeerId) => {
            if (!peer.equals(newcomer)) throw new Error('no inventory')
            return inventory
          }
        },
        connected: () => [newcomer, flaky],
        directory: { list: () => directory },
        reputation,
        policy: new SitePolicy(),
        backboneId: BACKBONE,
        now: () => 1000,
        logger: silentLogger
      },
      { ...DEFAULT_BASIS_IMPORT, k: 8, encoding: 'bits' }
    )
    const got = await basis.importFor(TARGET, new Set(), LAYERS)
    expect(got.from.map(f => [f.taskKey, f.peerId])).toEqual([
      [A, id(honest)],
      [D, id(newcomer)]
    ])
    expect(got.masks.map(m => m.taskKey)).toEqual([A, D])
    // The liar first (best claim), then the honest holder; the flaky one once; never the evaluator.
    expect(fetched).toEqual([id(liar), id(honest), id(flaky), id(newcomer)])
    expect(reputation.get(id(liar))?.incidents['verification-failed']).toBe(1)
    expect(reputation.get(id(flaky))?.incidents['fetch-failed']).toBe(1)
    expect(reputation.get(id(honest))).toBeNull()
  })

  it('imports nothing, and fetches nothing, when a peer announces the target task itself', async () => {
    const peer = await newPeerId()
    const a = held(A, 11)
    const t = held(TARGET, 15)
    let fetches = 0
    const basis = new BasisImport(
      {
        client: {
          fetch: async () => {
            fetches++
            throw new Error('not expected')
          },
          inventory: async () => {
            throw new Error('none')
          }
        },
        directory: { list: () => [record(peer.toString(), [a.summary(1), t.summary(0.2)])] },
        reputation: new ReputationBook(),
        policy: new SitePolicy(),
        backboneId: BACKBONE,
        now: () => 0,
        logger: silentLogger
      },
      { ...DEFAULT_BASIS_IMPORT, k: 4 }
    )
    expect((await basis.importFor(TARGET, new Set(), LAYERS)).masks).toEqual([])
    expect(fetches).toBe(0)
  })
})
