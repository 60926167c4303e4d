/**
 * Admission control on real libp2p nodes over TCP on 127.0.0.1: the swarm key, the peer
 * allowlist and denylist, the per-peer and per-IP caps, and the dial policy. Figures (time to
 * refuse) are printed, never asserted tightly.
 */
import { connect, type Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  admissionRefusals,
  createLibp2pNode,
  NODE_LIMITS,
  type Libp2pNode,
  type Libp2pNodeOptions
} from '../../../src/network/libp2p-node.js'
import { formatSwarmKey, parseSwarmKey } from '../../../src/network/swarm-key.js'

const running: Libp2pNode[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async n => await n.stop()))
})
const figures: string[] = []
afterAll(() => {
  console.log(`admission figures (127.0.0.1):\n${figures.map(f => `  ${f}`).join('\n')}`)
})

async function node(options: Partial<Libp2pNodeOptions> = {}): Promise<Libp2pNode> {
  const n = await createLibp2pNode({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    dialTimeoutMs: 2_000,
    ...options,
    start: true
  })
  running.push(n)
  return n
}

const key = (fill: number): Uint8Array => parseSwarmKey(formatSwarmKey(new Uint8Array(32).fill(fill)), 'test').psk

/**
 * Dials and pings over the connection: ok only when the connection carries a stream (a dialer
 * can see its side of the handshake finish before the listener's gater closes it). `ms` is
 * how long it took to succeed or to be refused.
 */
async function tryDial(
  from: Libp2pNode,
  to: Libp2pNode,
  opts: { force?: boolean } = {}
): Promise<{ ok: boolean; ms: number; error: string }> {
  const t0 = performance.now()
  try {
    const connection = await from.dial(to.getMultiaddrs()[0]!, opts)
    const stream = await connection.newStream('/ipfs/ping/1.0.0', { signal: AbortSignal.timeout(2_000) })
    await stream.close()
    return { ok: true, ms: performance.now() - t0, error: '' }
  } catch (err) {
    return { ok: false, ms: performance.now() - t0, error: `${(err as Error).name}: ${(err as Error).message}` }
  }
}

/** Whether two nodes list each other as connected, once the handshakes on both sides are over. */
async function connected(a: Libp2pNode, b: Libp2pNode): Promise<boolean> {
  await new Promise(resolve => setTimeout(resolve, 150))
  return a.getPeers().some(p => p.equals(b.peerId)) || b.getPeers().some(p => p.equals(a.peerId))
}

/** The TCP port of a node's first listen address. */
function portOf(n: Libp2pNode): number {
  return Number(
    n
      .getMultiaddrs()[0]!
      .getComponents()
      .find(c => c.name === 'tcp')?.value
  )
}

describe('swarm key', () => {
  it('nodes with the same key connect; a node with another key or none gets no connection', async () => {
    const a = await node({ swarmKey: key(1) })
    const same = await node({ swarmKey: key(1) })
    expect((await tryDial(same, a)).ok).toBe(true)
    expect(await connected(a, same)).toBe(true)

    const other = await node({ swarmKey: key(2) })
    const wrong = await tryDial(other, a)
    expect(wrong.ok).toBe(false)
    figures.push(`dial with the wrong swarm key refused after ${wrong.ms.toFixed(0)} ms (${wrong.error.slice(0, 80)})`)
    const none = await node()
    const open = await tryDial(none, a)
    expect(open.ok).toBe(false)
    figures.push(`dial without a swarm key refused after ${open.ms.toFixed(0)} ms`)
    // and the other way: the keyed node cannot dial into an open node either
    expect((await tryDial(a, none)).ok).toBe(false)
    expect(await connected(a, other)).toBe(false)
    expect(await connected(a, none)).toBe(false)
  })

  it('refuses a key that is not 32 bytes of PSK v1', async () => {
    await expect(
      createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), swarmKey: new TextEncoder().encode('nope') })
    ).rejects.toMatchObject({ name: 'NodeConfigError', option: 'swarmKey' })
  })
})

describe('allowlist and denylist', () => {
  it('only listed peers connect, in either direction; the rest are counted as refused', async () => {
    const friendKey = await generateKeyPair('Ed25519')
    const friendId = peerIdFromPrivateKey(friendKey).toString()
    const a = await node({ admission: { allowPeers: [friendId] } })
    const friend = await node({ privateKey: friendKey })
    const stranger = await node()
    expect((await tryDial(friend, a)).ok).toBe(true)
    const t0 = performance.now()
    const refused = await tryDial(stranger, a)
    expect(refused.ok).toBe(false)
    figures.push(`a stranger's dial to an allowlisted node fails after ${refused.ms.toFixed(0)} ms`)
    // a's side: the stranger never became a peer, and a refuses to dial it
    expect(await connected(a, stranger)).toBe(false)
    expect(a.getPeers().map(String)).toEqual([friendId])
    expect((await tryDial(a, stranger)).ok).toBe(false)
    expect(admissionRefusals(a)['not-allowed']).toBeGreaterThanOrEqual(2)
    figures.push(
      `  (refusals counted on the allowlisted node: ${admissionRefusals(a)['not-allowed']}, ${(performance.now() - t0).toFixed(0)} ms for both)`
    )
  })

  it('a denied peer never connects; a denied bootstrap peer is a configuration error', async () => {
    const bad = await node()
    const a = await node({ admission: { denyPeers: [bad.peerId.toString()] } })
    expect((await tryDial(bad, a)).ok).toBe(false)
    expect((await tryDial(a, bad)).ok).toBe(false)
    expect(await connected(a, bad)).toBe(false)
    expect(admissionRefusals(a).denied).toBeGreaterThanOrEqual(2)
    await expect(
      createLibp2pNode({
        privateKey: await generateKeyPair('Ed25519'),
        bootstrap: [`/ip4/127.0.0.1/tcp/1/p2p/${bad.peerId.toString()}`],
        admission: { denyPeers: [bad.peerId.toString()] }
      })
    ).rejects.toMatchObject({ name: 'NodeConfigError', option: 'admission' })
  })

  it('bootstrap peers are admitted without being listed', async () => {
    const boot = await node()
    const a = await node({
      bootstrap: [boot.getMultiaddrs()[0]!.toString()],
      admission: { allowPeers: [peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()] }
    })
    expect((await tryDial(a, boot)).ok).toBe(true)
    expect(await connected(a, boot)).toBe(true)
  })
})

/** Opens `n` raw TCP sockets that never speak (as a connection exhauster does); a refused one is reset. */
async function rawSockets(host: string, port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = []
  for (let i = 0; i < n; i++) {
    const s = connect(port, host)
    s.on('error', () => {}) // the node resets the sockets it refuses
    await new Promise(resolve => s.once('connect', resolve).once('close', resolve))
    sockets.push(s)
  }
  await new Promise(resolve => setTimeout(resolve, 200))
  return sockets
}

/** A non-loopback IPv4 address of this host, if it has one. */
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find(i => i !== undefined && i.family === 'IPv4' && !i.internal)?.address

describe('per-IP cap', () => {
  it('loopback connections are not capped per IP (a local swarm shares 127.0.0.1)', async () => {
    const a = await node({ admission: { maxConnectionsPerIp: 1 } })
    const sockets = await rawSockets('127.0.0.1', portOf(a), 4)
    expect(admissionRefusals(a)['per-ip-cap']).toBe(0)
    for (const s of sockets) s.destroy()
  })

  it.runIf(hostIp !== undefined)('one host holds at most maxConnectionsPerIp inbound connections', async () => {
    const ip = hostIp as string
    const a = await node({ listen: [`/ip4/${ip}/tcp/0`], admission: { maxConnectionsPerIp: 2 } })
    const b = await node({ listen: [`/ip4/${ip}/tcp/0`] })
    const t0 = performance.now()
    const sockets = await rawSockets(ip, portOf(a), 5)
    // two silent sockets hold both slots; the three others and a real peer are refused
    expect(admissionRefusals(a)['per-ip-cap']).toBe(3)
    expect((await tryDial(b, a)).ok).toBe(false)
    figures.push(
      `per-IP cap 2: 6 connection attempts from ${ip}, 4 refused (${(performance.now() - t0).toFixed(0)} ms)`
    )
    // the slots free up when the sockets go
    for (const s of sockets) s.destroy()
    await new Promise(resolve => setTimeout(resolve, 200))
    expect((await tryDial(b, a)).ok).toBe(true)
  })
  if (hostIp === undefined) console.log('per-IP cap over a real interface not run: this host has no non-loopback IPv4')
})

describe('per-peer cap', () => {
  it('a peer cannot open more than maxConnectionsPerPeer connections', async () => {
    const a = await node({ admission: { maxConnectionsPerPeer: 1 } })
    const b = await node()
    expect((await tryDial(b, a)).ok).toBe(true)
    // a second, separate connection (force: true skips libp2p's reuse of the open one)
    expect((await tryDial(b, a, { force: true })).ok).toBe(false)
    expect(admissionRefusals(a)['per-peer-cap']).toBe(1)
    expect(a.getConnections(b.peerId).length).toBe(1)
  })
})

describe('bootstrap peers under connection pressure', () => {
  it('a node whose inbound slots are all taken still gets back to its bootstrap peer, tagged to be pruned last', async () => {
    const boot = await node()
    const a = await node({ bootstrap: [boot.getMultiaddrs()[0]!.toString()], maxConnections: 3 })
    const connectedTo = (p: Libp2pNode): boolean => a.getPeers().some(x => x.equals(p.peerId))
    const deadline = Date.now() + 5_000
    while (!connectedTo(boot) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    expect(connectedTo(boot)).toBe(true)
    // the bootstrap module tags its peer on discovery; the pruner closes low-valued peers first
    expect((await a.peerStore.get(boot.peerId)).tags.get('bootstrap')?.value).toBe(NODE_LIMITS.bootstrapTagValue)
    const others = await Promise.all(Array.from({ length: 4 }, async () => await node()))
    expect((await tryDial(others[0]!, a)).ok).toBe(true)
    expect((await tryDial(others[1]!, a)).ok).toBe(true)
    // the bootstrap connection drops, and a third host takes the free slot at once
    await boot.hangUp(a.peerId)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect((await tryDial(others[2]!, a)).ok).toBe(true)
    // every slot is taken: neither a fourth host nor the bootstrap peer gets in...
    expect((await tryDial(others[3]!, a)).ok).toBe(false)
    expect((await tryDial(boot, a)).ok).toBe(false)
    // ...but the node's own dial (what the redialer does every 15 s) still reaches it
    expect((await tryDial(a, boot)).ok).toBe(true)
    expect(connectedTo(boot)).toBe(true)
  })
})

describe('dial policy', () => {
  it('a node on a public address neither stores nor dials loopback addresses a peer told it about', async () => {
    // Listening on 127.0.0.1 but announcing a public address: the node's configuration names no
    // loopback range... except its listen address. So build one that listens nowhere.
    const a = await node({ listen: [], announce: ['/ip4/203.0.114.7/tcp/4001'] })
    const target = await node()
    const addr = target.getMultiaddrs()[0]!
    await a.peerStore.merge(target.peerId, { multiaddrs: [multiaddr(addr.decapsulate('/p2p').toString())] })
    const stored = await a.peerStore.get(target.peerId).then(
      p => p.addresses.map(x => x.multiaddr.toString()),
      () => []
    )
    expect(stored).toEqual([])
    expect((await tryDial(a, target)).ok).toBe(false)
    expect(admissionRefusals(a)['private-address']).toBeGreaterThanOrEqual(1)
    // the same node with allowPrivateDial dials it
    const b = await node({ listen: [], allowPrivateDial: true })
    expect((await tryDial(b, target)).ok).toBe(true)
  })
})
