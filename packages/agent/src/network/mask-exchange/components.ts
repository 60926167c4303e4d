import type { GossipSub } from '@libp2p/gossipsub'
import type { ContentRouting, Libp2p, PeerId, PeerStore } from '@libp2p/interface'

// The capabilities each part of the mask exchange takes from the libp2p node, each part listing
// only what it uses (in the style of js-libp2p's `XComponents`): a protocol handler registers and
// unregisters, a requester dials. The agent passes its node for all of them; unit tests pass
// small fakes, e.g. a registrar that hands the handler one end of an in-memory stream pair.

/** Registers and removes protocol handlers (the responder). */
export type ProtocolRegistrar = Pick<Libp2p, 'handle' | 'unhandle'>

/**
 * Opens a stream for a protocol to a peer (the requester), and lists the connections to a
 * peer (whether the only ones are relayed, and what their relay still lets through).
 */
export type ProtocolDialer = Pick<Libp2p, 'dialProtocol' | 'getConnections'>

/** Where a query round looks for holders: connected peers, the peer store, DHT providers. */
export interface PeerFinder {
  readonly peerId: PeerId
  getPeers: () => PeerId[]
  readonly peerStore: Pick<PeerStore, 'get' | 'merge'>
  readonly contentRouting: Pick<ContentRouting, 'findProviders'>
}

/** What the announcer publishes through and learns addresses into. */
export interface AnnouncerNode {
  readonly peerId: PeerId
  getMultiaddrs: Libp2p['getMultiaddrs']
  readonly peerStore: Pick<PeerStore, 'merge'>
  readonly contentRouting: Pick<ContentRouting, 'provide'>
  readonly pubsub: Pick<
    GossipSub,
    'topicValidators' | 'addEventListener' | 'removeEventListener' | 'subscribe' | 'unsubscribe' | 'publish'
  >
}
