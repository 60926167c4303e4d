import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { streamPair } from '@libp2p/utils'
import type { Connection, PeerId, Stream, StreamHandler } from '@libp2p/interface'
import type { ProtocolDialer, ProtocolRegistrar } from '../../src/network/mask-exchange/components.js'

/** A fresh peer id (an Ed25519 key), for fakes that need one. */
export async function newPeerId(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/**
 * A registrar and a dialer joined in memory, standing in for two libp2p nodes: `dialProtocol`
 * opens an in-memory stream pair (@libp2p/utils' `streamPair`, libp2p 3 MessageStreams) and hands
 * the inbound end to the handler registered for the protocol, as the remote node would. A
 * protocol nobody handles fails the dial as libp2p does (UnsupportedProtocolError).
 */
export class InMemoryWire {
  private readonly handlers = new Map<string, StreamHandler>()
  /** Inbound streams handed to handlers, in order (a test can watch them close). */
  readonly inbound: Stream[] = []

  constructor(private readonly dialerPeer: PeerId) {}

  static async create(): Promise<InMemoryWire> {
    return new InMemoryWire(await newPeerId())
  }

  readonly registrar: ProtocolRegistrar = {
    handle: async (protocol, handler) => {
      for (const p of typeof protocol === 'string' ? [protocol] : protocol) this.handlers.set(p, handler)
    },
    unhandle: async protocols => {
      for (const p of typeof protocols === 'string' ? [protocols] : protocols) this.handlers.delete(p)
    }
  }

  readonly dialer: ProtocolDialer = {
    dialProtocol: async (_target, protocols) => {
      const protocol = typeof protocols === 'string' ? protocols : protocols[0]
      const handler = protocol === undefined ? undefined : this.handlers.get(protocol)
      if (handler === undefined) {
        const err = new Error(`protocol selection failed: ${String(protocol)}`)
        err.name = 'UnsupportedProtocolError'
        throw err
      }
      const [outbound, inbound] = await streamPair()
      this.inbound.push(inbound)
      void handler(inbound, { remotePeer: this.dialerPeer } as Connection)
      return outbound
    },
    // no connection objects in memory: every request takes the direct path, dialProtocol
    getConnections: () => []
  }

  /** Whether a handler is registered for `protocol`. */
  handles(protocol: string): boolean {
    return this.handlers.has(protocol)
  }
}

/** Resolves when the stream closes (reset, abort or both ends closed), with the error if any. */
export async function closed(stream: Stream): Promise<Error | undefined> {
  if (stream.status !== 'open' && stream.status !== 'closing') return undefined
  return await new Promise(resolve => {
    stream.addEventListener(
      'close',
      evt => {
        resolve(evt.error)
      },
      { once: true }
    )
  })
}
