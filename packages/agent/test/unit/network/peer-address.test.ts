import { describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { parsePeerAddress, PeerAddressError, peerIdOf } from '../../../src/network/peer-address.js'

const ID = '12D3KooWKkNNd45mPQn9E5zXMNrAyeqPN5NgT65zhBtHx2VMTi3J'

describe('peer addresses', () => {
  it('parses a multiaddr ending in /p2p/<peer id>', () => {
    const a = parsePeerAddress(`/ip4/10.0.0.2/tcp/4001/p2p/${ID}`)
    expect(a.peerId).toBe(ID)
    expect(a.multiaddr.toString()).toBe(`/ip4/10.0.0.2/tcp/4001/p2p/${ID}`)
    expect(peerIdOf(multiaddr('/ip4/10.0.0.2/tcp/4001'))).toBeUndefined()
  })

  it('refuses text that is not a multiaddr, has no peer id, or a malformed one, with a typed error', () => {
    for (const [text, message] of [
      ['not an address', /invalid multiaddr/],
      ['/ip4/10.0.0.2/tcp/4001', /must end with \/p2p\//],
      ['/ip4/10.0.0.2/tcp/4001/p2p/QmNotAPeerId', /./]
    ] as const) {
      const err = (() => {
        try {
          parsePeerAddress(text)
          return null
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(PeerAddressError)
      expect((err as PeerAddressError).address).toBe(text)
      expect((err as Error).message).toMatch(message)
    }
  })
})
