import '../../../src/polyfill.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'

/**
 * An attacker's libp2p node: TCP, noise, yamux and ping (l2d2c nodes ping every connection and
 * drop the peers that do not answer), nothing else: no gossipsub of its own (it writes raw
 * gossip RPCs itself), no DHT, no identify. It does not listen unless asked to (a slow holder
 * listens; a flooder only dials).
 */
export async function bareNode(opts: { listen?: boolean; privateKey?: PrivateKey } = {}): Promise<Libp2p> {
  return await createLibp2p({
    privateKey: opts.privateKey ?? (await generateKeyPair('Ed25519')),
    addresses: { listen: opts.listen === true ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { ping: ping() },
    connectionManager: { maxConnections: 10_000, inboundConnectionThreshold: 10_000 }
  })
}
