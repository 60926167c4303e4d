import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2pNode, startLibp2pNode } from './libp2p-node.js'
import { MaskExchangeClient } from './mask-exchange/client.js'
import { LossInjector } from './mask-exchange/loss.js'
import { Traffic } from './mask-exchange/traffic.js'
import { parsePeerAddress, type PeerAddress } from './peer-address.js'
import { loadSwarmKey } from './swarm-key.js'
import { L2D2C_VERSION } from '../version.js'

/** A --peer address that cannot be dialled as given. */
export class RemoteAddressError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RemoteAddressError'
  }
}

export interface RemoteContext {
  client: MaskExchangeClient
  target: Multiaddr
  peerId: string
}

export interface RemoteOptions {
  /** The swarm's key file, when the remote node is in a private swarm (swarm-key.ts). */
  readonly swarmKeyFile?: string
}

/**
 * Runs `fn` with a throwaway libp2p client (fresh key, no listening address, no daemon) that
 * dials one remote node directly: what `l2d2c masks --peer` and `fetch --peer` use. The
 * address is the user's, so its range is not judged (allowPrivateDial); a swarm key file is
 * loaded with the daemon's checks (SwarmKeyError).
 */
export async function withRemoteNode<T>(
  address: string,
  timeoutMs: number,
  fn: (ctx: RemoteContext) => Promise<T>,
  options: RemoteOptions = {}
): Promise<T> {
  let parsed: PeerAddress
  try {
    parsed = parsePeerAddress(address)
  } catch (err) {
    throw new RemoteAddressError((err as Error).message)
  }
  const { multiaddr: target, peerId } = parsed
  const swarmKey = options.swarmKeyFile === undefined ? undefined : await loadSwarmKey(options.swarmKeyFile)
  const node = await createLibp2pNode({
    privateKey: await generateKeyPair('Ed25519'),
    listen: [],
    allowPrivateDial: true,
    dialTimeoutMs: timeoutMs,
    userAgent: `l2d2c-cli/${L2D2C_VERSION}`,
    ...(swarmKey !== undefined ? { swarmKey: swarmKey.psk } : {})
  })
  await startLibp2pNode(node)
  try {
    const client = new MaskExchangeClient({ dialer: node, loss: LossInjector.none(), traffic: new Traffic() })
    return await fn({ client, target, peerId })
  } finally {
    await node.stop()
  }
}
