import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, MultiaddrConnection, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { createConnectionGater, DEFAULT_ADMISSION } from '../../../src/network/connection-gater.js'
import { dialPolicy } from '../../../src/network/dial-policy.js'

const newPeer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

/** A raw inbound connection as the gater sees it: an address, a status and a 'close' event. */
function fakeMaConn(remote: string): MultiaddrConnection & { close(): void } {
  const target = new EventTarget()
  const conn = {
    remoteAddr: multiaddr(remote),
    status: 'open',
    addEventListener: target.addEventListener.bind(target),
    close() {
      conn.status = 'closed'
      target.dispatchEvent(new Event('close'))
    }
  }
  return conn as unknown as MultiaddrConnection & { close(): void }
}

const publicPolicy = dialPolicy({ ownAddresses: ['/ip4/0.0.0.0/tcp/4001'] })

describe('createConnectionGater', () => {
  it('without lists admits everyone and counts nothing', async () => {
    const g = createConnectionGater({ dialPolicy: publicPolicy })
    const p = await newPeer()
    expect(await g.denyDialPeer?.(p)).toBe(false)
    expect(await g.denyInboundEncryptedConnection?.(p, fakeMaConn('/ip4/8.8.8.8/tcp/1'))).toBe(false)
    expect(g.allowlist).toBe(false)
    expect(Object.values(g.refused).every(n => n === 0)).toBe(true)
  })

  it('an allowlist admits listed and bootstrap peers only; a denied peer is refused even when listed', async () => {
    const [friend, boot, stranger, enemy] = await Promise.all([newPeer(), newPeer(), newPeer(), newPeer()])
    const g = createConnectionGater({
      allowPeers: [friend.toString(), enemy.toString()],
      denyPeers: [enemy.toString()],
      bootstrapPeers: [boot.toString()],
      dialPolicy: publicPolicy
    })
    const m = fakeMaConn('/ip4/8.8.8.8/tcp/1')
    for (const check of [
      g.denyDialPeer,
      (p: PeerId) => g.denyInboundEncryptedConnection?.(p, m),
      (p: PeerId) => g.denyOutboundEncryptedConnection?.(p, m)
    ]) {
      expect(await check?.(friend)).toBe(false)
      expect(await check?.(boot)).toBe(false)
      expect(await check?.(stranger)).toBe(true)
      expect(await check?.(enemy)).toBe(true)
    }
    expect(g.refused).toMatchObject({ 'not-allowed': 3, denied: 3 })
  })

  it('caps live inbound connections per IP, frees a slot when one closes, and does not cap loopback', () => {
    const g = createConnectionGater({ maxConnectionsPerIp: 2, dialPolicy: publicPolicy })
    const a1 = fakeMaConn('/ip4/8.8.8.8/tcp/1')
    const a2 = fakeMaConn('/ip4/8.8.8.8/tcp/2')
    expect(g.denyInboundConnection?.(a1)).toBe(false)
    expect(g.denyInboundConnection?.(a2)).toBe(false)
    expect(g.denyInboundConnection?.(fakeMaConn('/ip4/8.8.8.8/tcp/3'))).toBe(true)
    // another host is counted apart
    expect(g.denyInboundConnection?.(fakeMaConn('/ip6/2001:4860::1/tcp/3'))).toBe(false)
    a1.close()
    expect(g.denyInboundConnection?.(fakeMaConn('/ip4/8.8.8.8/tcp/4'))).toBe(false)
    expect(g.refused['per-ip-cap']).toBe(1)
    for (let i = 0; i < 10; i++)
      expect(g.denyInboundConnection?.(fakeMaConn(`/ip4/127.0.0.1/tcp/${i + 10}`))).toBe(false)
  })

  it('counts a connection that ended without a close event as gone', () => {
    const g = createConnectionGater({ maxConnectionsPerIp: 1, dialPolicy: publicPolicy })
    const m = fakeMaConn('/ip4/8.8.8.8/tcp/1')
    expect(g.denyInboundConnection?.(m)).toBe(false)
    ;(m as { status: string }).status = 'aborted'
    expect(g.denyInboundConnection?.(fakeMaConn('/ip4/8.8.8.8/tcp/2'))).toBe(false)
  })

  it('caps open connections per peer from the node it is attached to', async () => {
    const [self, p] = await Promise.all([newPeer(), newPeer()])
    const g = createConnectionGater({ maxConnectionsPerPeer: 2, dialPolicy: publicPolicy })
    const conns: Array<Pick<Connection, 'status'>> = [{ status: 'open' }, { status: 'closing' }]
    g.attach(self, () => conns as Connection[])
    const m = fakeMaConn('/ip4/8.8.8.8/tcp/1')
    expect(await g.denyInboundEncryptedConnection?.(p, m)).toBe(false)
    conns.push({ status: 'open' })
    expect(await g.denyInboundEncryptedConnection?.(p, m)).toBe(true)
    expect(g.refused['per-peer-cap']).toBe(1)
    expect(DEFAULT_ADMISSION.maxConnectionsPerPeer).toBeGreaterThanOrEqual(2)
  })

  it('neither stores nor dials addresses the dial policy refuses, except for bootstrap peers and itself', async () => {
    const [self, boot, other] = await Promise.all([newPeer(), newPeer(), newPeer()])
    const g = createConnectionGater({ bootstrapPeers: [boot.toString()], dialPolicy: publicPolicy })
    g.attach(self, () => [])
    const lan = multiaddr('/ip4/192.168.0.9/tcp/4001')
    expect(await g.filterMultiaddrForPeer?.(other, lan)).toBe(false)
    expect(await g.filterMultiaddrForPeer?.(boot, lan)).toBe(true)
    expect(await g.filterMultiaddrForPeer?.(self, lan)).toBe(true)
    expect(await g.filterMultiaddrForPeer?.(other, multiaddr('/ip4/8.8.8.8/tcp/1'))).toBe(true)
    expect(await g.denyDialMultiaddr?.(lan.encapsulate(`/p2p/${other.toString()}`))).toBe(true)
    expect(await g.denyDialMultiaddr?.(lan.encapsulate(`/p2p/${boot.toString()}`))).toBe(false)
    expect(await g.denyDialMultiaddr?.(multiaddr(`/ip4/8.8.8.8/tcp/1/p2p/${other.toString()}`))).toBe(false)
    expect(g.refused['private-address']).toBe(1)
  })
})
