import {
  encodeMask,
  contentId,
  MASK_PROTOCOL,
  QUERY_PROTOCOL,
  encodeChunk,
  MAX_CONTROL_MESSAGE_BYTES,
  chunkMask,
  taskContentId
} from '@l2d2c/protocol'
import { readFrame, writeFrame, closeStream } from '@l2d2c/protocol/framing'
import { afterEach, describe, expect, it } from 'vitest'
import { RemoteRefusal } from '../../../src/network/mask-exchange/client.js'
import type { RoundOptions } from '../../../src/sharing/query-round.js'
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

/** A round where "evaluation" is bit agreement with the true mask, and the node has nothing yet. */
function round(over: Partial<RoundOptions> = {}): RoundOptions {
  return {
    taskKey: TASK,
    ownReward: null,
    layers: LAYERS,
    evaluate: async m => (agreement(m) > 0.99 ? 1 : 0),
    currentReward: async () => null,
    ...over
  }
}

describe('mask exchange over real libp2p (TCP, 127.0.0.1)', () => {
  it('B queries A, fetches its mask, verifies and adopts it', async () => {
    const a = await peer()
    const b = await peer()
    await a.hold(syntheticMask(1), 0.95)
    await connect(b, a)
    const r = await b.rounds.round(round())
    expect(r.offers).toBe(1)
    expect(r.adopted).not.toBeNull()
    expect(r.adopted!.from).toBe(a.node.peerId.toString())
    expect(r.adopted!.verifiedReward).toBe(1)
    expect(r.adopted!.cid).toBe(contentId(encodeMask(syntheticMask(1), 'bits')).toString())
    expect(r.adopted!.meta.origin).toBe(a.node.peerId.toString())
    expect(agreement(r.adopted!.mask)).toBe(1)
    expect(r.latencyMs).toBeLessThan(1500)
    // B counted what it received: one query answer and one BITS transfer.
    const t = b.exchange.traffic.snapshot()
    expect(t.bytes.mask.received).toBeGreaterThan(encodeMask(syntheticMask(1), 'bits').length)
    expect(t.messages.query.received).toBe(1)
  })

  it('concurrent rounds for the same task are de-duplicated', async () => {
    const a = await peer()
    const b = await peer()
    await a.hold(syntheticMask(1), 0.95)
    await connect(b, a)
    const [r1, r2] = await Promise.all([b.rounds.round(round()), b.rounds.round(round())])
    expect(r1).toBe(r2)
    expect(a.exchange.traffic.snapshot().messages.query.received).toBe(1)
  })

  it('loss injection: a node that loses every outbound message adopts nothing; a mesh at 50% still gets through', async () => {
    const a = await peer()
    const deaf = await peer({ exchange: { loss: { probability: 1 } } })
    const lossy = await peer({ exchange: { loss: { probability: 0.5 } } })
    await a.hold(syntheticMask(1), 0.95)
    await connect(deaf, a)
    await connect(lossy, a)
    const r = await deaf.rounds.round(round())
    expect(r.adopted).toBeNull()
    expect(deaf.exchange.loss.counts().query.dropped).toBeGreaterThan(0)
    let adopted = false
    for (let i = 0; i < 20 && !adopted; i++) adopted = (await lossy.rounds.round(round())).adopted !== null
    expect(adopted).toBe(true)
  })

  it('loss injection reaches every outbound message: offers, transfers, refusals, announcements, inventory', async () => {
    const lossy = await peer({ exchange: { loss: { probability: 1 } } })
    const b = await peer()
    await lossy.hold(syntheticMask(1), 0.95)
    await connect(b, lossy)
    await expect.poll(() => lossy.exchange.loss.counts().announce.dropped, { timeout: 3000 }).toBeGreaterThan(0)
    expect(lossy.exchange.loss.counts().announce.sent).toBe(0)
    // Its answers to queries are lost: the requester sees no offer.
    const r = await b.rounds.round(round())
    expect(r.offers).toBe(0)
    expect(lossy.exchange.loss.counts().offer).toEqual({ sent: 0, dropped: 1 })
    // A transfer it would send is lost: the fetch fails, not with the mask.
    const fetchOf = (cid: Uint8Array, backboneId = BACKBONE): Parameters<typeof b.exchange.client.fetch>[1] => ({
      requestId: 7,
      target: { cid },
      encoding: 'bits',
      backboneId
    })
    const held = lossy.masks.held(TASK)!.cid
    expect(
      await b.exchange.client.fetch(lossy.node.peerId, fetchOf(held), { timeoutMs: 2000 }).catch((e: unknown) => e)
    ).toMatchObject({ code: 'STREAM_CLOSED' })
    // So is a refusal (here: another backbone): no RemoteRefusal reaches the requester.
    const refused = await b.exchange.client
      .fetch(lossy.node.peerId, fetchOf(held, 'ffffffffffffffffffffffffffffffff'), { timeoutMs: 2000 })
      .catch((e: unknown) => e)
    expect(refused).not.toBeInstanceOf(RemoteRefusal)
    expect(lossy.exchange.loss.counts().transfer).toEqual({ sent: 0, dropped: 2 })
    // And its own inventory requests never leave.
    await expect(lossy.exchange.client.inventory(b.node.peerId)).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(lossy.exchange.loss.counts().inventory.dropped).toBe(1)
    expect(b.exchange.traffic.snapshot().messages.inventory.received).toBe(0)
    // Its inventory answers are lost too.
    expect(await b.exchange.client.inventory(lossy.node.peerId).catch((e: unknown) => e)).toMatchObject({
      code: 'STREAM_CLOSED'
    })
    expect(lossy.exchange.loss.counts().inventory.dropped).toBe(2)
  })

  it('inventory answers reuse the current announcement until the inventory changes', async () => {
    // No periodic re-announcement during the test (each one rebuilds the announcement).
    const a = await peer({ exchange: { announceIntervalMs: 60_000 } })
    const b = await peer()
    await connect(b, a)
    await expect
      .poll(() => a.exchange.traffic.snapshot().messages.announce.sent, { timeout: 10_000 })
      .toBeGreaterThan(0) // the start-up announcement is out
    const first = await b.exchange.client.inventory(a.node.peerId)
    const again = await b.exchange.client.inventory(a.node.peerId)
    expect(again.sequence).toBe(first.sequence)
    expect(again.masks).toEqual([])
    await a.hold(syntheticMask(1), 0.9)
    const after = await b.exchange.client.inventory(a.node.peerId)
    expect(after.sequence).toBeGreaterThan(first.sequence)
    expect(after.masks.map(m => m.taskKey)).toEqual([TASK])
  })

  it('with three nodes, B picks the best offer; the hysteresis hides masks that are not clearly better', async () => {
    const a = await peer()
    const b = await peer()
    const c = await peer()
    await a.hold(syntheticMask(2), 0.6) // a worse mask
    await c.hold(syntheticMask(1), 0.97)
    await connect(b, a)
    await connect(b, c)
    const r = await b.rounds.round(round({ evaluate: async m => agreement(m) }))
    expect(r.offers).toBe(2)
    expect(r.adopted!.from).toBe(c.node.peerId.toString())
    // A node already at 0.9 gets no offer from a holder at 0.97 (0.9 x 0.97 < 0.9).
    const again = await b.rounds.round(round({ ownReward: 0.9 }))
    expect(again.offers).toBe(0)
    expect(again.adopted).toBeNull()
  })

  it('a holder with another backbone answers with the mismatch status and refuses fetches', async () => {
    const d = await peer({ backboneId: 'ffffeeeeddddcccc0000111122223333' })
    const b = await peer()
    await d.hold(syntheticMask(1, TASK, 'ffffeeeeddddcccc0000111122223333'), 1)
    await connect(b, d)
    const offer = await b.exchange.client.query(d.node.peerId, {
      requestId: 5,
      taskKey: TASK,
      reward: null,
      backboneId: BACKBONE
    })
    expect(offer).toMatchObject({ status: 'backbone-mismatch', backboneId: 'ffffeeeeddddcccc0000111122223333' })
    const refused = await b.exchange.client
      .fetch(d.node.peerId, { requestId: 6, target: { taskKey: TASK }, encoding: 'bits', backboneId: BACKBONE })
      .catch(e => e)
    expect(refused).toBeInstanceOf(RemoteRefusal)
    expect((refused as RemoteRefusal).status).toBe('backbone-mismatch')
    expect((await b.rounds.round(round())).adopted).toBeNull()
  })

  it('a lying peer (claims 1.0, serves a random mask) is not adopted; the honest, lower-claiming holder is', async () => {
    const liar = await peer()
    const honest = await peer()
    const b = await peer()
    await liar.hold(syntheticMask(666), 1.0)
    await honest.hold(syntheticMask(1), 0.93)
    await connect(b, liar)
    await connect(b, honest)
    const r = await b.rounds.round(round({ currentReward: async () => 0 }))
    expect(r.candidates[0]).toMatchObject({
      peerId: liar.node.peerId.toString(),
      outcome: 'rejected',
      verifiedReward: 0
    })
    expect(r.adopted!.from).toBe(honest.node.peerId.toString())
  })

  it('a corrupted payload (bytes that do not hash to the offered CID) is rejected; another holder serves it', async () => {
    const good = syntheticMask(1)
    const bits = encodeMask(good, 'bits')
    const bad = await peer()
    const honest = await peer()
    const b = await peer()
    await honest.hold(good, 0.9)
    // `bad` offers the same CID with a higher claim, then serves bytes with one flipped bit.
    await fakeHolder(bad, bits, {
      reward: 0.99,
      serve: async (stream, f) => {
        const corrupt = bits.slice()
        corrupt[corrupt.length - 1]! ^= 1
        await writeFrame(stream, okHeader(f, bits, 65536))
        for (const c of chunkMask(corrupt)) await writeFrame(stream, encodeChunk(c))
        await closeStream(stream)
      }
    })
    await connect(b, bad)
    await connect(b, honest)
    const r = await b.rounds.round(round())
    expect(r.candidates[0]).toMatchObject({ peerId: bad.node.peerId.toString(), outcome: 'invalid' })
    expect(r.candidates[0]!.reason).toMatch(/CID_MISMATCH/)
    expect(r.adopted!.from).toBe(honest.node.peerId.toString())
  })

  it('the serving peer killed mid-transfer: B fetches the same mask from another holder', async () => {
    const good = syntheticMask(1)
    const bits = encodeMask(good, 'bits')
    expect(bits.length).toBeGreaterThan(1024)
    const dying = await peer()
    const other = await peer()
    const b = await peer()
    await other.hold(good, 0.9)
    await fakeHolder(dying, bits, {
      reward: 0.99,
      serve: async (stream, f) => {
        // The header promises two chunks; the first goes out, then the node dies.
        await writeFrame(stream, okHeader(f, bits, 1024))
        await writeFrame(stream, encodeChunk({ index: 0, data: bits.subarray(0, 1024) }))
        void dying.node.stop()
      }
    })
    await connect(b, dying)
    await connect(b, other)
    const r = await b.rounds.round(round())
    expect(r.candidates[0]).toMatchObject({ peerId: dying.node.peerId.toString(), outcome: 'fetch-failed' })
    expect(r.adopted!.from).toBe(other.node.peerId.toString())
  })

  it('a peer that connects and sends nothing blocks nobody', async () => {
    const a = await peer()
    const b = await peer()
    const silent = await peer()
    await a.hold(syntheticMask(1), 0.95)
    // The silent peer opens query and mask streams to A and never writes; it also never answers queries.
    await silent.exchange.stop()
    await silent.node.unhandle(QUERY_PROTOCOL)
    await silent.node.handle(QUERY_PROTOCOL, async () => {
      await new Promise(() => {})
    })
    await connect(silent, a)
    const idle = await Promise.all([
      silent.node.dialProtocol(a.node.peerId, QUERY_PROTOCOL),
      silent.node.dialProtocol(a.node.peerId, MASK_PROTOCOL)
    ])
    await connect(b, a)
    await connect(b, silent)
    const t0 = Date.now()
    const r = await b.rounds.round(round())
    expect(r.adopted!.from).toBe(a.node.peerId.toString())
    expect(r.queried).toBe(2)
    expect(Date.now() - t0).toBeLessThan(2500) // bounded by the 1.5 s window, not by the silent peer
    idle.forEach(s => {
      s.abort(new Error('test over'))
    })
  })

  it('a round that ends early cuts the queries still in flight and does not count them against the slow peer', async () => {
    const a = await peer()
    const slow = await peer()
    // A window the uncut query cannot reach before the check below: without the cut it would
    // run on to 10 s (both keys: the option replaces the test's default round settings).
    const b = await peer({ rounds: { windowMs: 10_000, graceMs: 500 } })
    await a.hold(syntheticMask(1), 0.95)
    await slow.exchange.stop()
    await slow.node.unhandle(QUERY_PROTOCOL)
    let queryStreamEnded: () => void = () => {}
    const ended = new Promise<void>(resolve => {
      queryStreamEnded = resolve
    })
    // Reads the query, never answers, and reports when the requester gives up on the stream.
    await slow.node.handle(QUERY_PROTOCOL, async stream => {
      stream.addEventListener(
        'close',
        () => {
          queryStreamEnded()
        },
        { once: true }
      )
      await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }).catch(() => {})
      await ended
    })
    await connect(b, a)
    await connect(b, slow)
    const r = await b.rounds.round(round())
    expect(r.adopted!.from).toBe(a.node.peerId.toString())
    expect(r.queried).toBe(2)
    // The round returned after A's offer plus the 0.5 s grace, and the query to the slow peer is
    // aborted then, not left running until the 10 s window ends.
    const cut = await Promise.race([
      ended.then(() => true),
      new Promise<boolean>(resolve => {
        setTimeout(() => {
          resolve(false)
        }, 1000)
      })
    ])
    expect(cut).toBe(true)
    expect(b.exchange.directory.get(slow.node.peerId.toString())?.failures ?? 0).toBe(0)
  })

  it('a node that knows only one bootstrap peer finds a holder two hops away through the DHT', async () => {
    const holder = await peer()
    const middle = await peer()
    await connect(middle, holder)
    // The seeker looks only at DHT provider records (not at its connections or announcements).
    const seeker = await peer({
      bootstrap: [middle.addr],
      rounds: { windowMs: 3000, sources: ['dht'] }
    })
    await holder.hold(syntheticMask(1), 0.95)
    await expect
      .poll(() => seeker.node.getPeers().some(p => p.equals(middle.node.peerId)), { timeout: 5000 })
      .toBe(true)
    // The holder's DHT provide has to land before the seeker looks.
    await expect
      .poll(
        async () => {
          const found: string[] = []
          for await (const p of middle.node.contentRouting.findProviders(taskContentId(TASK), {
            signal: AbortSignal.timeout(1000)
          }))
            found.push(p.id.toString())
          return found.includes(holder.node.peerId.toString())
        },
        { timeout: 10_000, interval: 200 }
      )
      .toBe(true)
    const r = await seeker.rounds.round(round())
    expect(r.adopted?.from).toBe(holder.node.peerId.toString())
  })
})
