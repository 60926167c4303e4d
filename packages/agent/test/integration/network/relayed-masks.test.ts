/**
 * Masks over a relayed connection, on real libp2p nodes over TCP on 127.0.0.1 (docs/protocol.md
 * §5.6): a relay server, a holder B that announces only its circuit address (so, as behind a
 * NAT, the only way to it is through the relay), and a fetcher A. A's query round reaches B
 * over the relayed connection and adopts its BITS mask there; what does not fit the relay's
 * limits (an F32 transfer, a mask bigger than the data limit) is not asked for by A and is
 * refused by B with the reason.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  contentIdBytes,
  decodeTransferHeader,
  encodeFetch,
  encodeMask,
  MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES,
  type LayerSpec,
  type Mask
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2pNode, type Libp2pNode } from '../../../src/network/libp2p-node.js'
import { newRequestId, RelayLimitError } from '../../../src/network/mask-exchange/client.js'
import { fetchBound } from '../../../src/network/mask-exchange/client.js'
import { connectionKinds } from '../../../src/network/nat-service.js'
import {
  agreement,
  BACKBONE,
  LAYERS,
  meta,
  startPeer,
  syntheticMask,
  TASK,
  type TestPeer
} from '../sharing/exchange-helpers.js'

const running: Array<{ stop: () => Promise<void> | void }> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => await n.stop()))
})

// A mask whose BITS encoding (125 kB) is more than a relay's default 128 KiB leaves after the
// handshake, identify and the reserve: it must never start over the relay.
const BIG_TASK = 'ctgraph/d2b2/img1/leaf01'
const BIG_LAYERS: LayerSpec[] = [{ name: 'body.0', shape: [1000, 1000] }]
function bigMask(): Mask {
  return {
    taskKey: BIG_TASK,
    backboneId: BACKBONE,
    layers: BIG_LAYERS.map(l => ({
      name: l.name,
      shape: [...l.shape],
      scores: Float32Array.from({ length: 1_000_000 }, (_, i) => ((i * 7919) % 13) - 6.5)
    }))
  }
}

async function relayNode(): Promise<Libp2pNode> {
  const n = await createLibp2pNode({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    relayServer: true,
    start: true
  })
  running.push(n)
  return n
}

/** Relay, a holder B reachable only through it, and a fetcher A connected to B over the relay. */
async function relayedPair(): Promise<{ relay: Libp2pNode; a: TestPeer; b: TestPeer }> {
  const relay = await relayNode()
  const relayAddr = relay.getMultiaddrs()[0]?.toString() ?? ''
  const bKey = await generateKeyPair('Ed25519')
  const b = await startPeer({
    bootstrap: [relayAddr],
    node: { privateKey: bKey, relayReservation: 'always', announce: [`${relayAddr}/p2p-circuit`] }
  })
  running.push(b)
  await expect.poll(() => relay.services.relay?.reservations.size ?? 0, { timeout: 15_000 }).toBe(1)
  const a = await startPeer({ bootstrap: [relayAddr], node: { relayReservation: 'never' } })
  running.push(a)
  const bId = peerIdFromPrivateKey(bKey)
  const conn = await a.node.dial(multiaddr(`${relayAddr}/p2p-circuit/p2p/${bId.toString()}`))
  expect(conn.limits?.bytes).toBeDefined() // the relay's data limit, counted down by both ends
  return { relay, a, b }
}

describe('masks over a relayed connection', () => {
  it('a query round reaches a holder only through the relay and adopts its mask over the relayed connection', async () => {
    const { a, b } = await relayedPair()
    await b.hold(syntheticMask(1), 0.9)
    const bId = b.node.peerId.toString()
    const result = await a.rounds.round({
      taskKey: TASK,
      ownReward: null,
      layers: LAYERS,
      evaluate: async m => agreement(m),
      currentReward: async () => null
    })
    expect(result.adopted?.from).toBe(bId)
    expect(agreement(result.adopted?.mask as never)).toBe(1)
    // still relayed only: the bytes went through the relay, and both ends counted them
    expect(connectionKinds(a.node.getConnections()).get(bId)).toBe('relayed')
    const bits = encodeMask(syntheticMask(1), 'bits').length
    expect(a.exchange.traffic.snapshot().relayed.received).toBeGreaterThan(bits)
    expect(b.exchange.traffic.snapshot().relayed.sent).toBeGreaterThan(bits)
  }, 60_000)

  it('what does not fit the relay is never asked for, and the holder refuses it with the reason', async () => {
    const { a, b } = await relayedPair()
    const mask = syntheticMask(1)
    await b.hold(mask, 0.9)
    await b.store.put(encodeMask(bigMask(), 'f32'), meta(0.8, b.node.peerId.toString()))
    const client = a.exchange.client
    const bId = b.node.peerId
    const small = contentIdBytes(encodeMask(mask, 'bits'))
    const big = contentIdBytes(encodeMask(bigMask(), 'bits'))
    const bigBits = encodeMask(bigMask(), 'bits').length

    // The fetcher: F32 is never asked for over a relay, whatever its size ...
    const f32 = await client
      .fetch(
        bId,
        { requestId: newRequestId(), target: { cid: small }, encoding: 'f32', backboneId: BACKBONE },
        {
          maskBound: e =>
            fetchBound(encodeMask(mask, 'bits').length, e, { taskKey: TASK, backboneId: BACKBONE, layers: LAYERS })
        }
      )
      .catch((e: unknown) => e)
    expect(f32).toBeInstanceOf(RelayLimitError)
    expect((f32 as Error).message).toMatch(/only a relayed connection.*f32 is not sent over a relayed connection/)
    // ... and a BITS mask bigger than what the relay still lets through is not asked for either
    const tooBig = await client
      .fetch(
        bId,
        { requestId: newRequestId(), target: { cid: big }, encoding: 'bits', backboneId: BACKBONE },
        { maskBound: () => bigBits }
      )
      .catch((e: unknown) => e)
    expect(tooBig).toBeInstanceOf(RelayLimitError)
    expect((tooBig as Error).message).toMatch(
      /bytes left of its relay's data limit; this needs \d+ plus a 16384-byte reserve/
    )

    // The holder, asked anyway on the relayed connection (as a fetcher that ignores the rule
    // would), refuses before sending a byte of the mask, with the reason.
    const conn = a.node.getConnections(bId).find(c => c.limits !== undefined)
    expect(conn).toBeDefined()
    for (const [target, encoding, reason] of [
      [big, 'bits', /not sent over a relayed connection: the relayed connection has \d+ bytes left/],
      [small, 'f32', /f32 is not sent over a relayed connection/]
    ] as const) {
      const stream = await conn!.newStream(MASK_PROTOCOL, { runOnLimitedConnection: true })
      const requestId = newRequestId()
      await writeFrame(stream, encodeFetch({ requestId, target: { cid: target }, encoding, backboneId: BACKBONE }))
      await closeStream(stream)
      const header = decodeTransferHeader(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }))
      expect(header.requestId).toBe(requestId)
      expect(header.status).toBe('refused')
      expect(header.message).toMatch(reason)
    }
    expect(b.exchange.server.refusedOverRelay).toBe(2)
    // the small BITS mask still comes over the same relayed connection
    const ok = await client.fetch(
      bId,
      { requestId: newRequestId(), target: { cid: small }, encoding: 'bits', backboneId: BACKBONE },
      { maskBound: () => encodeMask(mask, 'bits').length, expectedCid: small }
    )
    expect(ok.header.encoding).toBe('bits')
    expect(bigBits).toBeGreaterThan(120_000)
  }, 60_000)
})
