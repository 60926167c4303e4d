import {
  chunkMask,
  encodeChunk,
  encodeMask,
  MAX_CONTROL_MESSAGE_BYTES,
  QUERY_PROTOCOL,
  contentId
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PEER_LIMITS } from '../../../src/network/mask-exchange/peer-limits.js'
import type { RoundOptions } from '../../../src/sharing/query-round.js'
import { randomMask } from '../../helpers/adversary/liar.js'
import {
  agreement,
  BACKBONE,
  connect,
  fakeHolder,
  LAYERS,
  okHeader,
  startPeer,
  syntheticMask,
  TASK,
  type TestPeer
} from './exchange-helpers.js'

// The defences of a requester and a responder, over real libp2p (TCP, 127.0.0.1): rounds that
// adopt the best candidate and remember who lied, content ids never fetched twice, fetch
// slots a group of identities cannot take, per-peer rate limits, and the site's policy.

const peers: TestPeer[] = []
afterEach(async () => {
  await Promise.all(
    peers.splice(0).map(async p => {
      await p.stop().catch(() => {})
    })
  )
})
async function peer(opts: Parameters<typeof startPeer>[0] = {}): Promise<TestPeer> {
  const p = await startPeer(opts)
  peers.push(p)
  return p
}

/** A round where "evaluation" is the fraction of bits agreeing with the true mask; counts evaluations. */
function round(over: Partial<RoundOptions> = {}): RoundOptions & { evaluated: string[] } {
  const evaluated: string[] = []
  return {
    taskKey: TASK,
    ownReward: null,
    layers: LAYERS,
    evaluate: async m => {
      evaluated.push(contentId(encodeMask(m, 'bits')).toString())
      return agreement(m)
    },
    currentReward: async () => null,
    evaluated,
    ...over
  }
}

/** A mask agreeing with the true one on about `fraction` of its bits. */
function partlyTrue(fraction: number, seed: number) {
  const truth = syntheticMask(1)
  const noise = syntheticMask(seed)
  return {
    ...truth,
    layers: truth.layers.map((l, i) => ({
      ...l,
      scores: l.scores.map((v, j) => (j / l.scores.length < fraction ? v : (noise.layers[i]!.scores[j] as number)))
    }))
  }
}

describe('defences of the mask exchange (libp2p over TCP)', () => {
  it('evaluates every fetched candidate and adopts the best, not the first acceptable one', async () => {
    const loud = await peer()
    const quiet = await peer()
    const b = await peer()
    await loud.hold(partlyTrue(0.2, 5), 0.95) // claims more, measures ~0.6
    await quiet.hold(syntheticMask(1), 0.7) // claims less, is the true mask
    await connect(b, loud)
    await connect(b, quiet)
    const r = round()
    const result = await b.rounds.round(r)
    expect(r.evaluated).toHaveLength(2)
    expect(result.adopted!.from).toBe(quiet.node.peerId.toString())
    expect(result.adopted!.verifiedReward).toBe(1)
    const other = result.candidates.find(c => c.peerId === loud.node.peerId.toString())!
    expect(other).toMatchObject({ outcome: 'rejected' })
    expect(other.reason).toMatch(/below the best candidate's 1\.000/)
  })

  it("never fetches or evaluates a rejected content id again; a liar's over-claims get it ignored", async () => {
    const liar = await peer()
    const b = await peer()
    await connect(b, liar)
    const liarId = liar.node.peerId.toString()
    // B already runs a mask it measures at 0.8; the liar claims 1.0 for a random mask (~0.5).
    const mine = { ownReward: 0.8, currentReward: async () => 0.8 }
    const evaluations: string[] = []
    const run = async () => {
      const r = round(mine)
      const result = await b.rounds.round(r)
      evaluations.push(...r.evaluated)
      return result
    }
    await liar.hold(randomMask(TASK, BACKBONE, LAYERS, 99), 1)
    const first = await run()
    expect(first.adopted).toBeNull()
    expect(evaluations).toHaveLength(1)
    expect(b.reputation.isRejected(evaluations[0]!)).toBe(true)
    expect(b.reputation.standing(liarId, Date.now())).toBe('deprioritised')
    // The same content id again: offered, never fetched nor evaluated.
    const again = await run()
    expect(again.offers).toBe(1)
    expect(again.candidates).toEqual([])
    expect(evaluations).toHaveLength(1)
    await expect.poll(() => liar.exchange.server.transfersServed).toBe(1)
    // A fresh random mask is fetched once more; the second over-claim gets the liar ignored...
    await liar.hold(randomMask(TASK, BACKBONE, LAYERS, 100), 1)
    await run()
    expect(evaluations).toHaveLength(2)
    expect(b.reputation.standing(liarId, Date.now())).toBe('ignored')
    // ...so the next round does not even ask it.
    await liar.hold(randomMask(TASK, BACKBONE, LAYERS, 101), 1)
    const queriesBefore = liar.exchange.traffic.snapshot().messages.query.received
    const ignored = await run()
    expect(ignored.queried).toBe(0)
    expect(liar.exchange.traffic.snapshot().messages.query.received).toBe(queriesBefore)
    expect(evaluations).toHaveLength(2)
  })

  it('a holder whose bytes contradict its own offer is ignored at once, and not asked again', async () => {
    const lie = encodeMask(syntheticMask(2), 'bits')
    const bad = await peer()
    const honest = await peer()
    const b = await peer()
    await honest.hold(syntheticMask(1), 0.9)
    // `bad` offers a mask of its own, then serves bytes with one bit flipped.
    await fakeHolder(bad, lie, {
      reward: 0.99,
      serve: async (stream, f) => {
        const corrupt = lie.slice()
        corrupt[corrupt.length - 1]! ^= 1
        await writeFrame(stream, okHeader(f, lie, 65536))
        for (const c of chunkMask(corrupt)) await writeFrame(stream, encodeChunk(c))
        await closeStream(stream)
      }
    })
    await connect(b, bad)
    await connect(b, honest)
    const badId = bad.node.peerId.toString()
    const r = await b.rounds.round(round())
    expect(r.candidates.find(c => c.peerId === badId)).toMatchObject({ outcome: 'invalid' })
    expect(r.adopted!.from).toBe(honest.node.peerId.toString())
    expect(b.reputation.standing(badId, Date.now())).toBe('ignored')
    expect(b.reputation.standing(honest.node.peerId.toString(), Date.now())).toBe('trusted')
    // Bytes that never matched their CID say nothing about the content: the CID is not rejected.
    expect(b.reputation.isRejected(contentId(lie).toString())).toBe(false)
    let queried = 0
    await bad.node.unhandle(QUERY_PROTOCOL)
    await bad.node.handle(QUERY_PROTOCOL, async stream => {
      queried++
      await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }).catch(() => {})
      stream.abort(new Error('no answer'))
    })
    await b.rounds.round(round({ ownReward: null }))
    expect(queried).toBe(0)
  })

  it('three identities claiming 1.0 cannot take every fetch slot: the honest holder is fetched and adopted', async () => {
    const b = await peer()
    const honest = await peer()
    await honest.hold(syntheticMask(1), 0.8)
    await connect(b, honest)
    const liars: TestPeer[] = []
    for (let i = 0; i < 3; i++) {
      const l = await peer()
      await l.hold(randomMask(TASK, BACKBONE, LAYERS, 200 + i), 1)
      await connect(b, l)
      liars.push(l)
    }
    const r = round()
    const result = await b.rounds.round(r)
    expect(result.offers).toBe(4)
    expect(r.evaluated).toHaveLength(3) // maxFetches
    expect(result.adopted!.from).toBe(honest.node.peerId.toString())
    expect(result.candidates.filter(c => liars.some(l => l.node.peerId.toString() === c.peerId))).toHaveLength(2)
  })

  it('a requester over its rate limit gets BUSY answers; another peer is still served', async () => {
    const holder = await peer({
      exchange: { limits: { ...DEFAULT_PEER_LIMITS, query: { burst: 5, perSecond: 0.01 } } }
    })
    const flooder = await peer()
    const other = await peer()
    await holder.hold(syntheticMask(1), 0.9)
    await connect(flooder, holder)
    await connect(other, holder)
    const ask = async (p: TestPeer) =>
      (await p.exchange.client.query(holder.node.peerId, {
        requestId: 1,
        taskKey: TASK,
        reward: null,
        backboneId: BACKBONE
      })) as { status: string }
    const statuses: string[] = []
    for (let i = 0; i < 8; i++) statuses.push((await ask(flooder)).status)
    expect(statuses).toEqual(['has-mask', 'has-mask', 'has-mask', 'has-mask', 'has-mask', 'busy', 'busy', 'busy'])
    expect((await ask(other)).status).toBe('has-mask')
    expect(holder.exchange.server.limiters.query.refused).toBe(3)
    // A round from the flooded-out peer finds no offer, and does not count BUSY as a failure.
    const r = await flooder.rounds.round(round())
    expect(r.offers).toBe(0)
    expect(flooder.reputation.standing(holder.node.peerId.toString(), Date.now())).toBe('neutral')
  })

  it('the site policy: tasks it does not serve are refused, not announced; tasks it does not accept are not asked for', async () => {
    const holder = await peer({ policy: { serve: ['minigrid/**'] } })
    const b = await peer()
    await holder.hold(syntheticMask(1), 0.9)
    await connect(b, holder)
    const offer = await b.exchange.client.query(holder.node.peerId, {
      requestId: 1,
      taskKey: TASK,
      reward: null,
      backboneId: BACKBONE
    })
    expect(offer).toMatchObject({ status: 'refused' })
    expect((await b.rounds.round(round())).adopted).toBeNull()
    const inventory = await b.exchange.client.inventory(holder.node.peerId)
    expect(inventory.masks).toEqual([])
    // A requester that does not accept the task runs no round at all.
    const picky = await peer({ policy: { accept: ['minigrid/**'] } })
    const open = await peer()
    await open.hold(syntheticMask(1), 0.9)
    await connect(picky, open)
    const r = await picky.rounds.round(round())
    expect(r).toMatchObject({ queried: 0, offers: 0, adopted: null })
    expect(open.exchange.traffic.snapshot().messages.query.received).toBe(0)
  })

  it('a requester takes masks only from the peers it accepts', async () => {
    const trusted = await peer()
    const stranger = await peer()
    await trusted.hold(partlyTrue(0.5, 8), 0.7)
    await stranger.hold(syntheticMask(1), 0.99)
    const b = await peer({ policy: { acceptFrom: [trusted.node.peerId.toString()] } })
    await connect(b, trusted)
    await connect(b, stranger)
    const r = await b.rounds.round(round())
    expect(r.queried).toBe(1)
    expect(r.adopted!.from).toBe(trusted.node.peerId.toString())
    expect(stranger.exchange.traffic.snapshot().messages.query.received).toBe(0)
  })

  it('review mode: acceptable candidates are held, neither adopted nor rejected, and not fetched again while held', async () => {
    const a = await peer()
    const c = await peer()
    const held = new Set<string>()
    const b = await peer({ decided: cid => held.has(cid) })
    await a.hold(syntheticMask(1), 0.95)
    await c.hold(partlyTrue(0.6, 9), 0.9)
    await connect(b, a)
    await connect(b, c)
    const first = round({ hold: true })
    const result = await b.rounds.round(first)
    expect(result.adopted).toBeNull()
    expect(result.held.map(h => h.from)).toEqual([a.node.peerId.toString(), c.node.peerId.toString()]) // best first
    expect(result.candidates.map(x => x.outcome)).toEqual(['held', 'held'])
    for (const h of result.held) {
      expect(b.reputation.isRejected(h.cid)).toBe(false)
      held.add(h.cid)
    }
    const second = round({ hold: true })
    const again = await b.rounds.round(second)
    expect(again.offers).toBe(2)
    expect(second.evaluated).toEqual([])
  })
})
