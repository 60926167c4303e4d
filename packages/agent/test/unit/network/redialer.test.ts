import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import { PeerDirectory } from '../../../src/network/peer-directory.js'
import { Redialer } from '../../../src/network/redialer.js'
import { newPeerId } from '../../helpers/in-memory-wire.js'

describe('Redialer', () => {
  it('redials a lost bootstrap peer by address and remembered peers by id, counting failures', async () => {
    const [boot, known, up] = [await newPeerId(), await newPeerId(), await newPeerId()]
    const directory = new PeerDirectory()
    directory.load([
      { peerId: known.toString(), addrs: ['/ip4/10.0.0.2/tcp/4001'], lastSeen: 0 },
      { peerId: up.toString(), addrs: ['/ip4/10.0.0.3/tcp/4001'], lastSeen: 0 }
    ])
    const dialled: string[] = []
    const redialer = new Redialer(
      {
        node: {
          getPeers: () => [up], // already connected: not redialled
          dial: async (target: PeerId | Multiaddr | Multiaddr[]) => {
            dialled.push(target.toString())
            throw new Error('unreachable')
          }
        } as never,
        directory,
        logger: silentLogger,
        now: () => 1
      },
      { bootstrap: [`/ip4/10.0.0.1/tcp/4001/p2p/${boot.toString()}`], intervalMs: 60_000 }
    )
    redialer.start()
    redialer.start()
    await expect.poll(() => dialled.length).toBe(2)
    expect(dialled.sort()).toEqual([`/ip4/10.0.0.1/tcp/4001/p2p/${boot.toString()}`, known.toString()].sort())
    await expect.poll(() => directory.get(known.toString())?.failures).toBe(1)
    redialer.stop()
    redialer.stop()
  })

  it('backs off each bootstrap peer on its own: 1, 2, 4 intervals apart while it fails; a working one every time it is lost', async () => {
    const [dead, alive] = [await newPeerId(), await newPeerId()]
    let clock = 0
    const dials: Array<{ at: number; peer: string }> = []
    let aliveConnected = false
    const redialer = new Redialer(
      {
        node: {
          getPeers: () => (aliveConnected ? [alive] : []),
          dial: async (target: PeerId | Multiaddr | Multiaddr[]) => {
            const text = target.toString()
            dials.push({ at: clock, peer: text.includes(dead.toString()) ? 'dead' : 'alive' })
            if (text.includes(dead.toString())) throw new Error('unreachable')
            aliveConnected = true
          }
        } as never,
        directory: new PeerDirectory(),
        logger: silentLogger,
        now: () => clock
      },
      {
        bootstrap: [`/ip4/10.0.0.1/tcp/4001/p2p/${dead.toString()}`, `/ip4/10.0.0.2/tcp/4001/p2p/${alive.toString()}`],
        intervalMs: 1_000,
        maxBootstrapBackoffMs: 4_000
      }
    )
    // ticks by hand (start() runs the first one); the real interval timer never fires
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const tick = async (): Promise<void> => {
      await (redialer as unknown as { redial: () => Promise<void> }).redial()
    }
    redialer.start()
    await expect.poll(() => dials.length).toBe(2)
    for (clock = 1_000; clock <= 12_000; clock += 1_000) {
      if (clock === 6_000) aliveConnected = false // the working bootstrap is lost once
      await tick()
    }
    redialer.stop()
    vi.useRealTimers()
    expect(dials.filter(d => d.peer === 'dead').map(d => d.at)).toEqual([0, 1_000, 3_000, 7_000, 11_000])
    expect(dials.filter(d => d.peer === 'alive').map(d => d.at)).toEqual([0, 6_000])
  })
})
