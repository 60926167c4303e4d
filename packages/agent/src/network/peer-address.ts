import { peerIdFromString } from '@libp2p/peer-id'
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** Text that is not a dialable peer address (a multiaddr ending in /p2p/<peer id>). */
export class PeerAddressError extends Error {
  constructor(
    readonly address: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'PeerAddressError'
  }
}

export interface PeerAddress {
  readonly multiaddr: Multiaddr
  /** The /p2p/ part, checked to be a valid peer id. */
  readonly peerId: string
}

/** The /p2p/ part of a multiaddr (not validated), or undefined when it has none. */
export function peerIdOf(address: Multiaddr): string | undefined {
  return address.getComponents().find(c => c.code === CODE_P2P)?.value
}

/** Parses a peer address such as `/ip4/10.0.0.2/tcp/4001/p2p/12D3KooW...`. Throws PeerAddressError. */
export function parsePeerAddress(text: string): PeerAddress {
  let address: Multiaddr
  try {
    address = multiaddr(text)
  } catch (err) {
    throw new PeerAddressError(text, `invalid multiaddr "${text}": ${(err as Error).message}`, { cause: err })
  }
  const peerId = peerIdOf(address)
  if (peerId === undefined) throw new PeerAddressError(text, `"${text}" must end with /p2p/<peer id>`)
  try {
    peerIdFromString(peerId)
  } catch (err) {
    throw new PeerAddressError(text, `"${peerId}" in "${text}" is not a peer id`, { cause: err })
  }
  return { multiaddr: address, peerId }
}
