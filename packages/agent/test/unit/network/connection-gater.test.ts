import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, MultiaddrConnection, PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { BanBook } from '../../../src/network/ban-book.js'
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

  it('does not count relayed connections against the IP of the relay: every peer it relays shares that address', () => {
    const g = createConnectionGater({ maxConnectionsPerIp: 1, dialPolicy: publicPolicy })
    const relay = '/ip4/8.8.8.8/tcp/4001/p2p/12D3KooWGaC95TTeZp74dkh9AeC8eYr4JkTZN3BfXpNAy9w1ZtFy/p2p-circuit/p2p'
    expect(g.denyInboundConnection?.(fakeMaConn('/ip4/8.8.8.8/tcp/1'))).toBe(false)
    for (const peer of [
      '12D3KooWFyrf6VCtg1mLfnZ3oTkQwJGiWaGC7QLQrzZ6WHMpgSjQ',
      '12D3KooWBYSSHchcKEYkxR6mueJYEYVL5hxwTzLqZZjNT4SBbevB'
    ])
      expect(g.denyInboundConnection?.(fakeMaConn(`${relay}/${peer}`))).toBe(false)
    expect(g.denyInboundConnection?.(fakeMaConn('/ip4/8.8.8.8/tcp/2'))).toBe(true) // the direct cap still holds
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

  it('refuses banned peers and, after the handshake, untrusted peers on a banned address; never a trusted peer', async () => {
    const [self, boot, friend, flooder, neighbour] = await Promise.all([
      newPeer(),
      newPeer(),
      newPeer(),
      newPeer(),
      newPeer()
    ])
    let now = 0
    const bans = new BanBook({ ipAfterPeers: 1 })
    const g = createConnectionGater({
      allowPeers: [friend.toString(), flooder.toString(), neighbour.toString()],
      bootstrapPeers: [boot.toString()],
      dialPolicy: publicPolicy,
      bans,
      now: () => now
    })
    g.attach(self, () => [])
    expect(g.trusted(friend.toString()) && g.trusted(boot.toString()) && g.trusted(self.toString())).toBe(true)
    // (an allowlisted peer is trusted: a ban the banner would never ask for is not enforced either)
    bans.ban(friend.toString(), 'announcement-flood', [], now)
    expect(await g.denyDialPeer?.(friend)).toBe(false)

    const open = createConnectionGater({
      bootstrapPeers: [boot.toString()],
      dialPolicy: publicPolicy,
      bans,
      now: () => now
    })
    open.attach(self, () => [])
    expect(open.trusted(flooder.toString())).toBe(false)
    bans.ban(flooder.toString(), 'announcement-flood', ['203.0.113.7'], now)
    const fromBannedIp = fakeMaConn('/ip4/203.0.113.7/tcp/5')
    expect(await open.denyDialPeer?.(flooder)).toBe(true)
    expect(await open.denyInboundEncryptedConnection?.(flooder, fakeMaConn('/ip4/8.8.8.8/tcp/1'))).toBe(true)
    expect(await open.denyOutboundEncryptedConnection?.(flooder, fromBannedIp)).toBe(true)
    expect(await open.denyInboundRelayedConnection?.(boot, flooder)).toBe(true)
    // Another identity from the banned address is refused once authenticated; the bootstrap
    // peer on it is not, nor a peer relayed through a relay on it.
    expect(await open.denyInboundEncryptedConnection?.(neighbour, fromBannedIp)).toBe(true)
    expect(await open.denyInboundEncryptedConnection?.(boot, fromBannedIp)).toBe(false)
    const relayed = fakeMaConn(
      '/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWGaC95TTeZp74dkh9AeC8eYr4JkTZN3BfXpNAy9w1ZtFy/p2p-circuit'
    )
    expect(await open.denyInboundEncryptedConnection?.(neighbour, relayed)).toBe(false)
    expect(open.refused.banned).toBe(5)
    // When the ban ends, the peer is admitted again.
    now += 60_001
    expect(await open.denyDialPeer?.(flooder)).toBe(false)
    expect(await open.denyInboundEncryptedConnection?.(neighbour, fromBannedIp)).toBe(false)
  })
})
