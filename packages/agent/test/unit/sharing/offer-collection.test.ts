import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import type { MaskOffer, MaskQuery } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/logging/logger.js'
import { PeerDirectory } from '../../../src/network/peer-directory.js'
import { collectOffers, DEFAULT_OFFER_COLLECTION } from '../../../src/sharing/offer-collection.js'
import { l2d2cStrategy } from '../../../src/sharing/policy/l2d2c-strategy.js'

const TASK = 'ctgraph/d2b2/img1/leaf00'
const QUERY: MaskQuery = { requestId: 1, taskKey: TASK, reward: null, backboneId: 'bb' }
const ids = async (n: number): Promise<PeerId[]> =>
  await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))

/**
 * A round's collection with `connected` peers and a DHT lookup that finds `providers` (forged
 * records, say); every asked peer answers NO_MASK. Returns who was asked.
 */
async function collect(o: { connected: PeerId[]; providers: PeerId[]; admit?: (id: string) => boolean }) {
  const self = (await ids(1))[0]!
  const asked: string[] = []
  let providersRead = 0
  const noMask = (q: MaskQuery): MaskOffer => ({
    requestId: q.requestId,
    status: 'no-mask',
    taskKey: q.taskKey,
    reward: 0,
    stepsTrained: 0,
    cid: null,
    encodedSize: 0,
    encodings: [],
    backboneId: 'bb',
    origin: ''
  })
  const result = await collectOffers(
    {
      peers: {
        peerId: self,
        getPeers: () => o.connected,
        peerStore: {
          get: async () => ({ protocols: [] }) as never,
          merge: async () => ({}) as never
        },
        contentRouting: {
          findProviders: async function* () {
            for (const id of o.providers) {
              providersRead++
              yield { id, multiaddrs: [], routing: 'kad-dht' }
            }
          }
        }
      },
      client: {
        query: async (peer: PeerId, q: MaskQuery) => {
          asked.push(peer.toString())
          return noMask(q)
        }
      },
      directory: new PeerDirectory(),
      strategy: l2d2cStrategy(),
      logger: silentLogger,
      backboneId: 'bb',
      now: () => 0,
      ...(o.admit !== undefined ? { admit: o.admit } : {})
    },
    { ...DEFAULT_OFFER_COLLECTION, windowMs: 2000 },
    QUERY
  )
  return { asked, queried: result.queried, providersRead }
}

describe('collectOffers: DHT providers', () => {
  it('asks at most maxDhtPeers DHT providers a round, besides every connected peer, and stops the lookup there', async () => {
    const connected = await ids(3)
    const forged = await ids(40)
    const { asked, providersRead } = await collect({ connected, providers: forged })
    expect(DEFAULT_OFFER_COLLECTION.maxDhtPeers).toBe(8)
    expect(asked.slice(0, 3)).toEqual(connected.map(String))
    expect(asked.slice(3)).toEqual(forged.slice(0, 8).map(String))
    // The lookup ends once the share is used: the 9th provider is read, never asked.
    expect(providersRead).toBe(9)
  })

  it('providers already asked, or not admitted (ignored peers), do not use up the share', async () => {
    const connected = await ids(2)
    const ignored = await ids(5)
    const others = await ids(20)
    const ignoredIds = new Set(ignored.map(String))
    const { asked } = await collect({
      connected,
      providers: [...connected, ...ignored, ...others],
      admit: id => !ignoredIds.has(id)
    })
    expect(asked).toEqual([...connected, ...others.slice(0, 8)].map(String))
  })
})
