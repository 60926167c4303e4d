import { setMaxListeners } from 'node:events'
import { isProtocolError, QUERY_PROTOCOL, taskContentId, type MaskQuery } from '@l2d2c/protocol'
import { withDeadline } from '@l2d2c/protocol/framing'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { describeError } from '../errors.js'
import type { Logger } from '../logging/logger.js'
import { LOST, RelayLimitError, type MaskExchangeClient } from '../network/mask-exchange/client.js'
import type { PeerFinder } from '../network/mask-exchange/components.js'
import type { PeerDirectory } from '../network/peer-directory.js'
import type { ReceivedOffer, SharingStrategy } from './policy/strategy.js'

/** Where a round looks for holders of a task. */
export type HolderSource = 'connected' | 'announced' | 'dht'

export interface OfferCollectionInit {
  /** How long to collect offers after the queries went out (the reference waited a fixed 200 ms). */
  readonly windowMs: number
  /**
   * Once an offer worth fetching is in, wait at most this much longer for better ones from
   * peers that have not answered yet (a slow peer must not delay the round to the window).
   */
  readonly graceMs: number
  /** Peers queried per round at most. */
  readonly maxPeers: number
  /**
   * DHT providers queried per round at most (beyond the peers the other sources gave). Provider
   * records cost nothing to forge: identities are free, and ones close to a task's DHT key can
   * hold and answer for its records, so a lookup may return strangers only. They get these few
   * queries; the round's other slots stay for connected and announced peers.
   */
  readonly maxDhtPeers?: number
  /**
   * Where to look for holders: peers connected to us, peers whose announcement lists the task,
   * and DHT providers of the task (which may be several hops away).
   */
  readonly sources: readonly HolderSource[]
}

export const DEFAULT_OFFER_COLLECTION: OfferCollectionInit = {
  windowMs: 500,
  graceMs: 10,
  maxPeers: 32,
  maxDhtPeers: 8,
  sources: ['connected', 'announced', 'dht']
}

export interface OfferCollectionComponents {
  readonly peers: PeerFinder
  readonly client: Pick<MaskExchangeClient, 'query'>
  readonly directory: PeerDirectory
  readonly strategy: SharingStrategy
  readonly logger: Logger
  readonly backboneId: string
  readonly now: () => number
  /** Whether to ask this peer at all (the site's accepted peers, and not an ignored one); default: everyone. */
  readonly admit?: (peerId: string) => boolean
}

export interface CollectedOffers {
  /** Offers of a mask on this backbone, in arrival order. */
  readonly offers: ReceivedOffer[]
  /** Peers queried. */
  readonly queried: number
}

/**
 * The first phase of a query round: send `query` to connected peers, announced holders and DHT
 * providers of the task concurrently, and collect their offers until the window closes, until
 * every asked peer answered (and the DHT search is over, unless an offer worth fetching is
 * already in), or a short grace after the first offer worth fetching. When it returns, the
 * queries still in flight and the DHT lookup are cut (nobody would read their answers); a
 * `signal` abort ends the collection at once.
 */
export async function collectOffers(
  c: OfferCollectionComponents,
  init: OfferCollectionInit,
  query: MaskQuery,
  signal?: AbortSignal
): Promise<CollectedOffers> {
  const { peers, client, directory, strategy, logger } = c
  const self = peers.peerId.toString()
  // `collecting` ends the collection phase: when the round stops listening, the DHT lookup and
  // the queries still in flight stop too.
  const collecting = new AbortController()
  const callerAborted = (): void => {
    collecting.abort()
  }
  if (signal?.aborted === true) callerAborted()
  else signal?.addEventListener('abort', callerAborted, { once: true })
  // Not AbortSignal.any([AbortSignal.timeout(...)]): on Node 20 the GC may collect the inner
  // timeout signal, which then never fires (nodejs/node#57736) and the round never ends.
  const deadline = withDeadline(init.windowMs, collecting.signal)
  const window = deadline.signal
  // Every query in flight listens on the window: up to maxPeers at once, by design (not a leak).
  setMaxListeners(init.maxPeers + 8, window)
  // A query we cut short (round over, caller stop) says nothing about the peer; one still
  // unanswered when the whole window ran out does.
  const cutShortByUs = (): boolean =>
    window.aborted && isProtocolError(window.reason) && window.reason.code === 'ABORTED'
  const offers: ReceivedOffer[] = []
  const asked = new Set<string>()
  let graceTimer: ReturnType<typeof setTimeout> | undefined
  let goodOffer = (): void => {}
  const graceAfterFirstGood = new Promise<void>(resolve => {
    goodOffer = () => {
      if (graceTimer !== undefined || strategy.rank(offers, query.reward).length === 0) return
      graceTimer = setTimeout(resolve, init.graceMs)
    }
  })
  const inflight: Array<Promise<void>> = []

  /** Queries `peer` unless it was asked already or may not be; true if it was asked now. */
  const ask = (peer: PeerId): boolean => {
    const id = peer.toString()
    if (collecting.signal.aborted || id === self || asked.has(id) || asked.size >= init.maxPeers) return false
    if (c.admit !== undefined && !c.admit(id)) return false
    asked.add(id)
    inflight.push(
      client.query(peer, query, { signal: window, timeoutMs: init.windowMs }).then(
        offer => {
          if (offer === LOST) return
          directory.seen(id, c.now())
          if (offer.status === 'has-mask' && offer.backboneId === c.backboneId) {
            offers.push({ peerId: id, offer })
            goodOffer()
          }
          if (offer.status === 'backbone-mismatch')
            logger.debug({ peer: id, theirs: offer.backboneId }, 'peer has another backbone')
          else if (offer.status === 'busy' || offer.status === 'refused')
            logger.debug({ peer: id, task: query.taskKey, status: offer.status }, 'peer declined the query')
        },
        (err: unknown) => {
          // a relay with too little budget left says nothing about the peer
          if (!cutShortByUs() && !(err instanceof RelayLimitError)) directory.failed(id)
          logger.debug({ peer: id, err: describeError(err) }, 'query failed')
        }
      )
    )
    return true
  }

  try {
    const sources = new Set(init.sources)
    // 1. Connected peers that speak the query protocol (or whose protocols we do not know yet).
    for (const peer of sources.has('connected') ? peers.getPeers() : []) {
      const protocols = await peers.peerStore.get(peer).then(
        p => p.protocols,
        () => [] as string[]
      )
      if (protocols.length === 0 || protocols.includes(QUERY_PROTOCOL)) ask(peer)
    }
    // 2. Peers that announced a mask for this task (maybe not connected: the announcer put
    // their addresses in the peer store, where the dial finds them).
    for (const h of sources.has('announced') ? directory.holdersOf(query.taskKey, c.backboneId) : []) {
      try {
        ask(peerIdFromString(h.peerId))
      } catch {
        /* an unparsable id from an announcement */
      }
    }
    // 3. DHT providers of the task, queried as they are found, within the same window.
    const maxDhtPeers = init.maxDhtPeers ?? DEFAULT_OFFER_COLLECTION.maxDhtPeers ?? init.maxPeers
    const dht = sources.has('dht')
      ? (async () => {
          let fromDht = 0
          try {
            for await (const p of peers.contentRouting.findProviders(taskContentId(query.taskKey), {
              signal: window
            })) {
              if (fromDht >= maxDhtPeers) break
              const id = p.id.toString()
              if (asked.has(id) || id === self || (c.admit !== undefined && !c.admit(id))) continue
              if (p.multiaddrs.length > 0)
                await peers.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => {}) // the dial may still find them
              if (ask(p.id)) fromDht++
            }
          } catch {
            /* window over or no DHT peers */
          }
        })()
      : Promise.resolve()

    // Finish early once every asked peer answered and either an offer worth fetching is in or
    // the DHT search is over (and the peers it found answered): the window bounds the wait, it
    // is not a fixed delay.
    const settle = async (): Promise<void> => {
      let n = -1
      while (n !== inflight.length) {
        n = inflight.length
        await Promise.allSettled(inflight)
      }
    }
    const collected = (async () => {
      await settle()
      if (strategy.rank(offers, query.reward).length > 0) return
      await dht
      await settle()
    })()
    // As soon as one acceptable offer is in, stragglers get a short grace period, no more.
    await Promise.race([
      collected,
      graceAfterFirstGood,
      new Promise(resolve => {
        if (window.aborted) resolve(null)
        else window.addEventListener('abort', resolve, { once: true })
      })
    ])
  } finally {
    if (graceTimer !== undefined) clearTimeout(graceTimer)
    goodOffer = (): void => {}
    signal?.removeEventListener('abort', callerAborted)
    collecting.abort()
    deadline.clear()
  }
  return { offers, queried: asked.size }
}
