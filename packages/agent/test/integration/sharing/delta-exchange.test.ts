import { contentId, encodeMask, encodeMaskCompact, maskDigest } from '@l2d2c/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { deltaBaseOfMask, deltaBaseProvider } from '../../../src/masks/initial-mask.js'
import type { RoundOptions } from '../../../src/sharing/query-round.js'
import { CT_BACKBONE, CT_LAYERS, nearInitialMask } from '../../helpers/masks.js'
import { connect, startPeer, TASK, type TestPeer } from './exchange-helpers.js'

// DELTA between two real libp2p nodes (TCP, 127.0.0.1): the requester accepts DELTA then BITS,
// the holder rebuilds the task's base and sends DELTA, and the requester checks the transfer
// against the offered BITS CID before adopting it.

const MASK = nearInitialMask(0.06)
const BITS = encodeMask(MASK, 'bits')
const DELTA = encodeMaskCompact(MASK, { base: deltaBaseOfMask(MASK) })

const peers: TestPeer[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map(async p => await p.stop().catch(() => {})))
})
async function peer(delta: boolean): Promise<TestPeer> {
  const p = await startPeer({
    backboneId: CT_BACKBONE.id,
    ...(delta ? { deltaBase: deltaBaseProvider() } : {})
  })
  peers.push(p)
  return p
}

function round(): RoundOptions {
  return {
    taskKey: TASK,
    ownReward: null,
    layers: CT_LAYERS,
    evaluate: async m => (maskDigest(m) === maskDigest(MASK) ? 1 : 0),
    currentReward: async () => null
  }
}

describe('DELTA over real libp2p (TCP, 127.0.0.1)', () => {
  it('a fetch between two DELTA-capable nodes moves DELTA, verified against the offered BITS CID', async () => {
    const a = await peer(true)
    const b = await peer(true)
    await a.hold(MASK, 0.95)
    await connect(b, a)
    const r = await b.rounds.round(round())
    expect(r.adopted).not.toBeNull()
    expect(r.adopted!.cid).toBe(contentId(BITS).toString())
    expect(r.adopted!.mask.encoding).toBe('delta')
    expect(r.adopted!.verifiedReward).toBe(1)
    // The mask bytes B received are DELTA's (plus frame headers), far below BITS.
    const received = b.exchange.traffic.snapshot().bytes.mask.received
    expect(received).toBeGreaterThanOrEqual(DELTA.length)
    expect(received).toBeLessThan(DELTA.length + 400)
    expect(received).toBeLessThan(BITS.length / 2)
  })

  it('BITS when either side cannot rebuild the base (a node before DELTA asks without a list)', async () => {
    for (const [holds, asks] of [
      [true, false],
      [false, true]
    ] as const) {
      const a = await peer(holds)
      const b = await peer(asks)
      await a.hold(MASK, 0.95)
      await connect(b, a)
      const r = await b.rounds.round(round())
      expect(r.adopted?.mask.encoding).toBe('bits')
      expect(b.exchange.traffic.snapshot().bytes.mask.received).toBeGreaterThan(BITS.length)
    }
  })
})
