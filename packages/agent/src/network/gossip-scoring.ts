import { ANNOUNCE_TOPIC } from '@l2d2c/protocol'
import type { GossipsubOpts } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'

/**
 * gossipsub peer scoring for the announcement topic: invalid messages cost their sender, so a
 * peer that keeps sending announcements the validator rejects (undecodable, unsigned) is first
 * no longer gossiped to, then graylisted (its RPCs are dropped unread) until the penalty decays.
 *
 * What counts (gossipsub's P1..P7, per peer):
 *  - P4, invalid messages: −10 × (count)², the count decaying by 1% a second (half-life ~69 s).
 *    With the default thresholds (gossip −10, publish −50, graylist −80) and positive topic
 *    score capped at +10, a peer is graylisted after four invalid messages in about a minute.
 *  - P1 and P2 (time in the mesh, first deliveries) add a little, capped: honest peers sit
 *    slightly above zero.
 *  - P3 and P3b (too few deliveries from a mesh peer) are off: a node announces every 10 s, so
 *    a quiet mesh peer is normal here, and penalising it would prune honest peers.
 *  - P6, IP colocation, is off: a local demo runs every node on 127.0.0.1, and more than ten
 *    peers on one address would graylist them all (gossipsub's default). Hosts that open many
 *    connections are limited by the connection manager's per-address caps instead.
 *  - P5, application-specific: BANNED_PEER_SCORE while the peer is banned, 0 otherwise.
 *  - P7 (broken gossip promises, backoff violations) keeps gossipsub's defaults.
 * Rejected vs ignored: only what the validator rejects is penalised; what the announcement gate
 * drops (rate limits, stale sequences, the decode budget) is ignored without a penalty, since
 * the forwarder may be an honest relay.
 */
export const ANNOUNCE_TOPIC_SCORING = {
  topicWeight: 1,
  timeInMeshWeight: 0.001,
  timeInMeshQuantum: 1_000,
  timeInMeshCap: 3_600,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 10,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -10,
  invalidMessageDeliveriesDecay: 0.99
} as const

/** Below this score gossipsub drops a peer's RPCs unread; peer-banner.ts then bans the peer. */
export const GRAYLIST_THRESHOLD = -80

/**
 * The application-specific score (P5) of a banned peer (peer-banner.ts): far below the
 * graylist, so gossipsub drops the RPCs it had already sent (and that wait in its read queue
 * when its connection is aborted) before checking their signatures, and never grafts or
 * gossips to it. It applies from gossipsub's next score computation (scores are cached for one
 * heartbeat).
 */
export const BANNED_PEER_SCORE = -1_000

/**
 * The gossipsub options that turn the scoring on (libp2p-node.ts spreads them in); `banned`
 * says which peers are banned now (P5 then gives them BANNED_PEER_SCORE).
 */
export function gossipScoring(
  banned: (peer: string) => boolean = () => false
): Pick<GossipsubOpts, 'scoreParams' | 'scoreThresholds'> {
  return {
    scoreParams: {
      appSpecificScore: peer => (banned(peer) ? BANNED_PEER_SCORE : 0),
      appSpecificWeight: 1,
      // (the P3 parameters left at gossipsub's defaults are unused: their weight is 0)
      topics: { [ANNOUNCE_TOPIC]: createTopicScoreParams(ANNOUNCE_TOPIC_SCORING) },
      topicScoreCap: 10,
      IPColocationFactorWeight: 0
    },
    scoreThresholds: { gossipThreshold: -10, publishThreshold: -50, graylistThreshold: GRAYLIST_THRESHOLD }
  }
}
