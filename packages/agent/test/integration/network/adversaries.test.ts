import {
  contentId,
  encodeMask,
  INVENTORY_PROTOCOL,
  MASK_PROTOCOL,
  QUERY_PROTOCOL,
  taskContentId
} from '@l2d2c/protocol'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { afterEach, describe, expect, it } from 'vitest'
import { admissionRefusals, createLibp2pNode, providerStoreOf } from '../../../src/network/libp2p-node.js'
import { DEFAULT_PEER_LIMITS } from '../../../src/network/mask-exchange/peer-limits.js'
import { bareNode } from '../../helpers/adversary/bare-node.js'
import { floodQueries } from '../../helpers/adversary/floods.js'
import { fuzzStreams, seedFrames } from '../../helpers/adversary/frame-fuzzer.js'
import { floodAnnouncement, GossipInjector, identities, signedMessage } from '../../helpers/adversary/gossip-flooder.js'
import { serveSlowly, slowRequests } from '../../helpers/adversary/slow-loris.js'
import {
  agreement,
  BACKBONE,
  connect,
  LAYERS,
  startPeer,
  syntheticMask,
  TASK,
  type TestPeer
} from '../sharing/exchange-helpers.js'

// The adversary harness against a running node (libp2p over TCP on 127.0.0.1), at CI sizes:
// `pnpm bench:adversary` runs the same attackers for longer against daemons and reports figures.

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(stops.splice(0).map(async s => await s().catch(() => {})))
})
async function peer(opts: Parameters<typeof startPeer>[0] = {}): Promise<TestPeer> {
  const p = await startPeer(opts)
  stops.push(() => p.stop())
  return p
}
async function attacker(listen = false): Promise<Libp2p> {
  const n = await bareNode({ listen })
  await n.start()
  stops.push(async () => {
    await n.stop()
  })
  return n
}
/** gossipsub's score of a peer, as the victim computes it (not on the GossipSub interface type). */
function scoreOf(victim: TestPeer, peer: string): number {
  return (victim.node.services.pubsub as unknown as { getScore: (p: string) => number }).getScore(peer)
}

describe('a node under attack (libp2p over TCP)', () => {
  it('an announcement flood from many identities over one connection: bounded directory, honest peer kept, flooder banned', async () => {
    const victim = await peer()
    const honest = await peer()
    await connect(honest, victim)
    await honest.hold(syntheticMask(1), 0.9)
    await expect.poll(() => victim.exchange.directory.get(honest.node.peerId.toString())?.masks.length ?? 0).toBe(1)
    const flooder = await attacker()
    const injector = await GossipInjector.open(flooder, victim.node.getMultiaddrs())
    const ids = await identities(300)
    const messages = []
    for (const id of ids)
      messages.push(await signedMessage(id, floodAnnouncement(id, { backboneId: BACKBONE, tasks: [TASK], masks: 64 })))
    const floodStart = performance.now()
    await injector.sendMessages(messages, 10)
    // Far beyond its rate, the forwarder's announcements were rejected and it was banned: its
    // connection closed (what it had sent and the victim had not checked yet is dropped undecoded).
    await expect
      .poll(() => victim.exchange.banner.book.banned(flooder.peerId.toString(), Date.now()), { timeout: 30_000 })
      .toBe(true)
    await expect.poll(() => victim.node.getConnections(flooder.peerId).length, { timeout: 10_000 }).toBe(0)
    const gate = victim.exchange.announcer.gate.dropped
    expect(gate['peer-flood']).toBeGreaterThan(0)
    expect(gate['peer-rate']).toBeGreaterThan(0)
    // At most the forwarder's burst, and what its rate refilled meanwhile (4/s; a loaded
    // machine stretches the flood over seconds), got through to the directory; the honest
    // peer is still there.
    const { burst, perSecond } = DEFAULT_PEER_LIMITS.announceFromPeer
    const refilled = Math.ceil((perSecond * (performance.now() - floodStart)) / 1000)
    const dir = victim.exchange.directory
    expect(dir.size).toBeLessThanOrEqual(2 + burst + refilled)
    expect(dir.size).toBeLessThan(2 + ids.length)
    expect(dir.get(honest.node.peerId.toString())!.masks).toHaveLength(1)
    expect(scoreOf(victim, honest.node.peerId.toString())).toBeGreaterThanOrEqual(0)
    injector.close()
  }, 90_000)

  it('undecodable announcements cost their sender: graylisted after a few, then banned; an honest peer untouched', async () => {
    const victim = await peer()
    const honest = await peer()
    await connect(honest, victim)
    const flooder = await attacker()
    const injector = await GossipInjector.open(flooder, victim.node.getMultiaddrs())
    const [id] = await identities(1)
    const garbage = []
    for (let i = 0; i < 6; i++) garbage.push(await signedMessage(id!, Uint8Array.of(0xff, i)))
    await injector.sendMessages(garbage, 1)
    await expect.poll(() => victim.exchange.announcer.rejected, { timeout: 5000 }).toBe(6)
    await expect.poll(() => scoreOf(victim, flooder.peerId.toString()), { timeout: 5000 }).toBeLessThan(-80)
    expect(scoreOf(victim, honest.node.peerId.toString())).toBeGreaterThanOrEqual(0)
    // Graylisted, it is banned (the scores are checked every second): disconnected and refused.
    const book = victim.exchange.banner.book
    await expect.poll(() => book.active(Date.now()).map(b => b.reason), { timeout: 5000 }).toEqual(['gossip-graylist'])
    await expect.poll(() => victim.node.getConnections(flooder.peerId).length, { timeout: 5000 }).toBe(0)
    expect(victim.node.getConnections(honest.node.peerId).length).toBeGreaterThan(0)
    injector.close()
  })

  it('a flooding forwarder is banned: disconnected, refused until its ban ends, and an honest peer keeps working', async () => {
    // Long enough for the checks during the ban on a loaded machine (asserted below).
    const BAN_MS = 15_000
    const victim = await peer({ bans: { firstMs: BAN_MS } })
    const honest = await peer()
    await victim.hold(syntheticMask(1), 0.9)
    await connect(honest, victim)
    const flooder = await attacker()
    const flooderId = flooder.peerId.toString()
    const injector = await GossipInjector.open(flooder, victim.node.getMultiaddrs())
    // Small announcements from fresh identities, one per RPC, far beyond the forwarder's flood
    // rate (a burst of 128, then 16/s): the validator's verdict bans it.
    const ids = await identities(400)
    const messages = []
    for (const id of ids)
      messages.push(await signedMessage(id, floodAnnouncement(id, { backboneId: BACKBONE, tasks: [TASK], masks: 1 })))
    const sending = injector.sendMessages(messages, 1).then(
      () => 'all written',
      () => 'cut'
    )
    const book = victim.exchange.banner.book
    await expect.poll(() => book.banned(flooderId, Date.now()), { timeout: 15_000 }).toBe(true)
    const bannedAt = Date.now()
    await expect.poll(() => victim.node.getConnections(flooder.peerId).length, { timeout: 5000 }).toBe(0)
    // (the flooder's end learns of the abort when its next read or write fails)
    await expect.poll(() => flooder.getConnections(victim.node.peerId).length, { timeout: 10_000 }).toBe(0)
    await sending
    expect(book.active(Date.now())).toEqual([
      expect.objectContaining({ peer: flooderId, reason: 'announcement-flood', strikes: 1 })
    ])
    const gate = victim.exchange.announcer.gate.dropped
    expect(gate['peer-flood']).toBeGreaterThanOrEqual(1)
    // Fewer than all its announcements were looked at: the rest died with its connections.
    const lookedAt = Object.values(gate).reduce((a, b) => a + b, 0) + victim.exchange.directory.size
    expect(lookedAt).toBeLessThan(messages.length)

    // During the cool-off it cannot come back (refused after the handshake, by peer id) ...
    // (its dial may even resolve: the dialer's side negotiates the muxer optimistically, and
    // learns of the refusal at its first read)
    await flooder.dial(victim.node.getMultiaddrs(), { signal: AbortSignal.timeout(5000) }).catch(() => null)
    await expect.poll(() => admissionRefusals(victim.node).banned, { timeout: 5000 }).toBeGreaterThanOrEqual(1)
    await expect
      .poll(
        async () =>
          await flooder.dialProtocol(victim.node.peerId, QUERY_PROTOCOL, { signal: AbortSignal.timeout(3000) }).then(
            () => 'stream opened',
            () => 'refused'
          ),
        { timeout: 10_000 }
      )
      .toBe('refused')
    expect(Date.now() - bannedAt).toBeLessThan(BAN_MS) // (else this machine is too slow for the checks above)
    expect(victim.node.getConnections(flooder.peerId)).toHaveLength(0)

    // ... while the honest peer keeps its connection and its answers.
    expect(victim.node.getConnections(honest.node.peerId).length).toBeGreaterThan(0)
    const offer = await honest.exchange.client.query(victim.node.peerId, {
      requestId: 9,
      taskKey: TASK,
      reward: null,
      backboneId: BACKBONE
    })
    expect(offer).toMatchObject({ status: 'has-mask' })
    await honest.hold(syntheticMask(2), 0.8)
    await expect
      .poll(() => victim.exchange.directory.get(honest.node.peerId.toString())?.masks.length ?? 0, { timeout: 10_000 })
      .toBe(1)

    // Once the ban has ended, it is admitted again.
    await new Promise(resolve => setTimeout(resolve, Math.max(0, bannedAt + BAN_MS + 200 - Date.now())))
    await flooder.dial(victim.node.getMultiaddrs(), { signal: AbortSignal.timeout(5000) })
    await expect.poll(() => victim.node.getConnections(flooder.peerId).length, { timeout: 5000 }).toBeGreaterThan(0)
  }, 120_000)

  it('a query flood gets BUSY answers while an honest peer is still served', async () => {
    const victim = await peer()
    const honest = await peer()
    await victim.hold(syntheticMask(1), 0.9)
    const flooder = await attacker()
    await flooder.dial(victim.node.getMultiaddrs())
    await connect(honest, victim)
    const report = await floodQueries(flooder, victim.node.peerId, {
      queries: 600,
      concurrency: 8,
      taskKey: TASK,
      backboneId: BACKBONE
    })
    expect(report.answers['has-mask']).toBeLessThanOrEqual(64 + 16 * Math.ceil(report.ms / 1000))
    expect(report.answers.busy).toBeGreaterThan(300)
    const offer = await honest.exchange.client.query(victim.node.peerId, {
      requestId: 1,
      taskKey: TASK,
      reward: null,
      backboneId: BACKBONE
    })
    expect(offer).toMatchObject({ status: 'has-mask' })
  }, 60_000)

  it('slow-loris requesters are cut at the request deadline and do not stop honest fetches', async () => {
    const victim = await peer()
    const honest = await peer()
    await victim.hold(syntheticMask(1), 0.9)
    const slow = await attacker()
    await slow.dial(victim.node.getMultiaddrs())
    await connect(honest, victim)
    const attack = slowRequests(slow, victim.node.peerId, {
      protocol: MASK_PROTOCOL,
      streams: 6,
      intervalMs: 500,
      maxMs: 15_000
    })
    await new Promise(resolve => setTimeout(resolve, 500))
    const fetched = await honest.exchange.client.fetch(victim.node.peerId, {
      requestId: 2,
      target: { taskKey: TASK },
      encoding: 'bits',
      backboneId: BACKBONE
    })
    expect(contentId(fetched.bytes).toString()).toBe(contentId(encodeMask(syntheticMask(1), 'bits')).toString())
    const report = await attack
    expect(report.opened).toBeGreaterThan(0)
    expect(report.opened + report.refused).toBe(6)
    // Every accepted stream was cut at the 5 s request deadline, none held to the 15 s the attacker wanted.
    for (const ms of report.heldMs) expect(ms).toBeLessThan(8_000)
  }, 30_000)

  it('a slow-loris holder costs a round its fetch grace, not the fetch timeout: the honest candidate is adopted', async () => {
    const honest = await peer()
    await honest.hold(syntheticMask(1), 0.8)
    const b = await peer({ rounds: { windowMs: 1000, graceMs: 300, fetchGraceMs: 1000 } })
    const slow = await attacker(true)
    await serveSlowly(slow, {
      masks: { [TASK]: encodeMask(syntheticMask(3), 'bits') },
      backboneId: BACKBONE,
      claim: 0.99,
      intervalMs: 200
    })
    await connect(b, honest)
    await b.node.dial(slow.getMultiaddrs())
    const t0 = Date.now()
    const r = await b.rounds.round({
      taskKey: TASK,
      ownReward: null,
      layers: LAYERS,
      evaluate: async m => agreement(m),
      currentReward: async () => null
    })
    expect(r.adopted!.from).toBe(honest.node.peerId.toString())
    expect(r.candidates.find(c => c.peerId === slow.peerId.toString())).toMatchObject({ outcome: 'fetch-failed' })
    expect(Date.now() - t0).toBeLessThan(5_000) // the fetch timeout alone is 10 s
    // Cut by the round, the slow holder is not blamed for it.
    expect(b.reputation.standing(slow.peerId.toString(), Date.now())).toBe('neutral')
  }, 30_000)

  it('fuzzed frames on live streams, every protocol: no crash, no hang, and the node still answers', async () => {
    const victim = await peer()
    await victim.hold(syntheticMask(1), 0.9)
    const fuzzers = [await attacker(), await attacker()]
    for (const f of fuzzers) await f.dial(victim.node.getMultiaddrs())
    const seeds = seedFrames(TASK, BACKBONE)
    const frames = 1_500
    for (const [protocol, perConnection] of [
      [QUERY_PROTOCOL, 8],
      [MASK_PROTOCOL, 4],
      [INVENTORY_PROTOCOL, 2]
    ] as const) {
      const report = await fuzzStreams(fuzzers, victim.node.peerId, {
        protocol,
        seeds: seeds[protocol]!,
        frames,
        perConnection,
        seed: 0xf022,
        hangMs: 10_000
      })
      expect(report.frames + report.refused, protocol).toBe(frames)
      expect(report.ends.hung, protocol).toBe(0)
      expect(report.ends.answered, protocol).toBeGreaterThan(0)
      expect(report.ends.reset, protocol).toBeGreaterThan(0)
    }
    const honest = await peer()
    await connect(honest, victim)
    const fetched = await honest.exchange.client.fetch(victim.node.peerId, {
      requestId: 3,
      target: { taskKey: TASK },
      encoding: 'bits',
      backboneId: BACKBONE
    })
    expect(contentId(fetched.bytes).toString()).toBe(contentId(encodeMask(syntheticMask(1), 'bits')).toString())
  }, 120_000)
})

describe('DHT records from strangers (libp2p over TCP)', () => {
  it('one identity providing many keys fills at most its share of the store; the rest is turned away', async () => {
    const victim = await createLibp2pNode({
      privateKey: await generateKeyPair('Ed25519'),
      providerStore: { perPeer: 4, perKey: 64, total: 1000 },
      start: true
    })
    const sybil = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), start: true })
    stops.push(async () => {
      await Promise.all([sybil.stop(), victim.stop()])
    })
    await sybil.dial(victim.getMultiaddrs())
    const store = providerStoreOf(victim)!
    const keys = Array.from({ length: 12 }, (_, i) => taskContentId(`ctgraph/d2b2/img${i}/leaf00`))
    // The first provide waits for the victim to be in the sybil's DHT routing table.
    await expect
      .poll(
        async () => {
          await sybil.contentRouting.provide(keys[0]!, { signal: AbortSignal.timeout(2000) }).catch(() => {})
          return store.providerRecords
        },
        { timeout: 10_000, interval: 200 }
      )
      .toBe(1)
    for (const k of keys.slice(1)) await sybil.contentRouting.provide(k, { signal: AbortSignal.timeout(5000) })
    await expect.poll(() => store.turnedAway.perPeer, { timeout: 5000 }).toBe(8)
    expect(store.providerRecords).toBe(4)
    // What it kept is served as usual.
    const found: string[] = []
    for await (const p of victim.contentRouting.findProviders(keys[0]!, { signal: AbortSignal.timeout(2000) }))
      found.push(p.id.toString())
    expect(found).toContain(sybil.peerId.toString())
  })

  it('DHT values (public-key records, one per key pair anyone makes) are refused, not stored', async () => {
    const victim = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), start: true })
    const sybil = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), start: true })
    stops.push(async () => {
      await Promise.all([sybil.stop(), victim.stop()])
    })
    await sybil.dial(victim.getMultiaddrs())
    const victimId = victim.peerId.toString()
    const records = async (): Promise<number> => {
      let n = 0
      for await (const _ of providerStoreOf(victim)!.queryKeys({ prefix: '/dht/record' })) n++
      return n
    }
    // A valid record (kad-dht's own validator would store it): the key pair's key under /pk/.
    const put = async (): Promise<string[]> => {
      const k = await generateKeyPair('Ed25519')
      const key = new Uint8Array([...new TextEncoder().encode('/pk/'), ...k.publicKey.toMultihash().bytes])
      const fromVictim: string[] = []
      for await (const e of sybil.services.dht.put(key, publicKeyToProtobuf(k.publicKey), {
        signal: AbortSignal.timeout(5000)
      }))
        if ('from' in e && e.from.toString() === victimId && e.name === 'QUERY_ERROR') fromVictim.push(e.name)
      return fromVictim
    }
    // Once the victim is in the sybil's routing table, the PUT_VALUE reaches it and is refused.
    await expect.poll(async () => (await put()).length, { timeout: 10_000, interval: 200 }).toBe(1)
    expect(await records()).toBe(0)
  })
})
