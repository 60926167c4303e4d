import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
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
})
