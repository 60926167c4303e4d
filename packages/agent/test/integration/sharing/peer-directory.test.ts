import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2pNode, startLibp2pNode } from '../../../src/network/libp2p-node.js'
import { startPeer, type TestPeer } from './exchange-helpers.js'

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

const port = (addr: string): string | undefined => /\/tcp\/(\d+)/.exec(addr)?.[1]

describe('peer directory over real libp2p', () => {
  it('records the listen address of a peer that dialled us, never its source port', async () => {
    const a = await peer()
    const b = await peer()
    await b.node.dial(multiaddr(a.addr))
    const id = b.node.peerId.toString()
    await expect.poll(() => a.exchange.directory.get(id)?.addrs.length ?? 0, { timeout: 5000 }).toBeGreaterThan(0)
    const sourcePorts = a.node.getConnections(b.node.peerId).map(c => port(c.remoteAddr.toString()))
    const stored = a.exchange.directory.get(id)!.addrs.map(port)
    expect(stored).toContain(port(b.addr))
    for (const p of sourcePorts) expect(stored).not.toContain(p)
  })

  it('a one-shot client that dialled us is neither persisted nor redialled', async () => {
    const a = await peer({ exchange: { redialIntervalMs: 100 } })
    // listens nowhere, so only allowPrivateDial lets it dial the node on 127.0.0.1 (dial-policy.ts)
    const client = await createLibp2pNode({
      privateKey: await generateKeyPair('Ed25519'),
      listen: [],
      allowPrivateDial: true
    })
    await startLibp2pNode(client)
    await client.dial(multiaddr(a.addr))
    const id = client.peerId.toString()
    await expect.poll(() => a.exchange.directory.get(id) !== null, { timeout: 5000 }).toBe(true)
    await client.stop()
    await expect.poll(() => a.node.getPeers().some(p => p.equals(client.peerId)), { timeout: 5000 }).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 400)) // several redial ticks
    expect(a.exchange.directory.get(id)?.failures).toBe(0)
    expect(a.exchange.directory.toJSON().map(p => p.peerId)).not.toContain(id)
  })

  it('a restarted node redials, from peers.json, a peer that had dialled it', async () => {
    const a = await peer()
    const b = await peer()
    await b.node.dial(multiaddr(a.addr))
    const id = b.node.peerId.toString()
    // B's announcement makes it an l2d2c peer worth remembering.
    await expect.poll(() => a.exchange.directory.toJSON().some(p => p.peerId === id), { timeout: 5000 }).toBe(true)
    const saved = JSON.parse(JSON.stringify(a.exchange.directory.toJSON())) as unknown
    await a.stop()
    const restarted = await peer({ exchange: { knownPeers: saved, redialIntervalMs: 200 } })
    await expect.poll(() => restarted.node.getPeers().some(p => p.equals(b.node.peerId)), { timeout: 5000 }).toBe(true)
  })
})
