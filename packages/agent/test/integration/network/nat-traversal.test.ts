/**
 * NAT traversal on real libp2p nodes over TCP on 127.0.0.1: a relay server grants a
 * reservation, a peer reachable only through it is dialled over the relay, the connection is
 * reported as relayed, and an inventory (up to 512 KiB, more than a relay lets through) is
 * not sent on it. Queries and fetches that fit the relay's limits do run on it
 * (relayed-masks.test.ts). "Only through the relay" is arranged by the peer announcing its
 * circuit address alone: on one host every node could otherwise dial every other directly.
 * Hole punching itself cannot be shown here (see lab/README.md, "NAT traversal").
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { MASK_PROTOCOL, ProtocolError } from '@l2d2c/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2pNode, type Libp2pNode, type Libp2pNodeOptions } from '../../../src/network/libp2p-node.js'
import { MaskExchangeClient } from '../../../src/network/mask-exchange/client.js'
import { LossInjector } from '../../../src/network/mask-exchange/loss.js'
import { Traffic } from '../../../src/network/mask-exchange/traffic.js'
import { connectionKinds } from '../../../src/network/nat-service.js'

const running: Libp2pNode[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => await n.stop()))
})

async function node(options: Partial<Libp2pNodeOptions> = {}): Promise<Libp2pNode> {
  const n = await createLibp2pNode({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    dialTimeoutMs: 3_000,
    ...options,
    start: true
  })
  running.push(n)
  return n
}

describe('circuit relay v2', () => {
  it('a NAT-like peer reserves a slot, is dialled through the relay, and no inventory runs on that connection', async () => {
    const relay = await node({ relayServer: true })
    const relayAddr = relay.getMultiaddrs()[0]?.toString() ?? ''
    const bKey = await generateKeyPair('Ed25519')
    const bId = peerIdFromPrivateKey(bKey).toString()
    const bCircuit = `${relayAddr}/p2p-circuit/p2p/${bId}`
    const b = await node({
      privateKey: bKey,
      bootstrap: [relayAddr],
      relayReservation: 'always',
      announce: [`${relayAddr}/p2p-circuit`]
    })
    // the relay granted b a reservation (its service lists it)
    await expect.poll(() => relay.services.relay?.reservations.size ?? 0, { timeout: 15_000 }).toBe(1)
    expect(b.services.nat.status().reserving).toBe(true)
    expect(relay.services.nat.status().relayServer).toBe(true)

    const a = await node({ bootstrap: [relayAddr], relayReservation: 'never' })
    const conn = await a.dial(multiaddr(bCircuit))
    expect(conn.limits).toBeDefined() // a relayed connection carries the relay's limits
    expect(connectionKinds(a.getConnections()).get(bId)).toBe('relayed')
    expect(connectionKinds(a.getConnections()).get(relay.peerId.toString())).toBe('direct')

    const client = new MaskExchangeClient({ dialer: a, loss: LossInjector.none(), traffic: new Traffic() })
    const failure = await client.inventory(peerIdFromPrivateKey(bKey), { timeoutMs: 4_000 }).then(
      () => null,
      (e: unknown) => e
    )
    expect(failure).toBeInstanceOf(ProtocolError)
    expect((failure as ProtocolError).message).toMatch(/relayed connection.*not sent through relays/)
    // and libp2p itself refuses a protocol stream on the limited connection unless it opts in
    await expect(conn.newStream(MASK_PROTOCOL)).rejects.toThrow(/limited connection/)
  }, 60_000)
})
