import {
  decodeMask,
  isProtocolError,
  parseContentId,
  QUERY_PROTOCOL,
  taskContentId,
  type DecodedMask,
  type LayerSpec,
  type MaskEncoding,
  type MaskMeta,
  type MaskOffer
} from '@l2d2c/protocol'
import { withDeadline } from '@l2d2c/protocol/framing'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from '../logging/logger.js'
import type { Libp2pNode } from '../network/libp2p-node.js'
import {
  LOST,
  newRequestId,
  RemoteRefusal,
  type FetchedMask,
  type MaskExchangeClient
} from '../network/mask-exchange/client.js'
import { describeError } from '../errors.js'
import type { Traffic } from '../network/mask-exchange/traffic.js'
import type { PeerDirectory } from '../network/peer-directory.js'
import type { ReceivedOffer, SharingStrategy } from './policy/strategy.js'

export interface RoundOptions {
  readonly taskKey: string
  /** This node's current reward on the task (null: none yet), sent in the query and used to rank. */
  readonly ownReward: number | null
  /** Layer table the mask must have (the local backbone's). */
  readonly layers: readonly LayerSpec[]
  /**
   * Local evaluation of a verified candidate: the reward this node measures with it. Adoption
   * is decided on this, never on the reward the holder claims.
   */
  readonly evaluate: (mask: DecodedMask) => Promise<number>
  /** This node's measured reward with its current mask (same evaluation), or null if it has none. */
  readonly currentReward: () => Promise<number | null>
  readonly signal?: AbortSignal
}

export interface CandidateResult {
  readonly peerId: string
  readonly cid: string
  readonly claimedReward: number
  readonly outcome: 'adopted' | 'rejected' | 'fetch-failed' | 'invalid'
  readonly verifiedReward: number | null
  readonly reason: string | null
}

export interface RoundResult {
  readonly taskKey: string
  readonly queried: number
  readonly offers: number
  readonly candidates: readonly CandidateResult[]
  readonly adopted: null | {
    readonly mask: DecodedMask
    readonly meta: MaskMeta
    readonly from: string
    readonly cid: string
    readonly claimedReward: number
    readonly verifiedReward: number
    readonly currentReward: number | null
  }
  /** Query sent → verified mask in hand, for the mask finally adopted (ms). */
  readonly latencyMs: number | null
  readonly durationMs: number
}

export interface QueryRoundsInit {
  /** How long to collect offers after the queries went out (the reference waited a fixed 200 ms). */
  readonly windowMs?: number
  /**
   * Once an offer worth fetching is in, wait at most this much longer for better ones from
   * peers that have not answered yet (a slow peer must not delay the round to the window).
   */
  readonly graceMs?: number
  /** Peers queried per round at most. */
  readonly maxPeers?: number
  /** Offers fetched and evaluated per round at most (a lying peer costs one fetch). */
  readonly maxFetches?: number
  readonly fetchTimeoutMs?: number
  /** Encoding requested (BITS by default: 1/32 of the bytes, the policy transfers exactly). */
  readonly encoding?: MaskEncoding
  /**
   * Where to look for holders: peers connected to us, peers whose announcement lists the task,
   * and DHT providers of the task (which may be several hops away). Default: all three.
   */
  readonly sources?: ReadonlyArray<'connected' | 'announced' | 'dht'>
}

export interface QueryRoundsComponents {
  node: Libp2pNode
  client: MaskExchangeClient
  directory: PeerDirectory
  strategy: SharingStrategy
  traffic: Traffic
  logger: Logger
  backboneId: string
  now: () => number
}

/**
 * Runs L2D2-C query rounds: ask connected peers, announced holders and DHT providers of a task
 * concurrently, collect offers for a bounded window, then fetch the best offer, verify it
 * (content id, backbone, task, shapes, finiteness), evaluate it locally and adopt it only if it
 * does at least as well as the current mask; on any failure fall back to the next offer. Rounds
 * for the same task are de-duplicated; a slow peer never holds up the others.
 */
export class QueryRounds {
  private readonly pending = new Map<string, Promise<RoundResult>>()

  constructor(
    private readonly c: QueryRoundsComponents,
    private readonly opts: QueryRoundsInit = {}
  ) {}

  /** Rounds still running (a stop must bring this to 0 at once). */
  get activeRounds(): number {
    return this.pending.size
  }

  /** Starts a round, or joins the one already running for this task. */
  round(o: RoundOptions): Promise<RoundResult> {
    const running = this.pending.get(o.taskKey)
    if (running !== undefined) return running
    const p = this.run(o).finally(() => {
      this.pending.delete(o.taskKey)
    })
    this.pending.set(o.taskKey, p)
    return p
  }

  private async run(o: RoundOptions): Promise<RoundResult> {
    const t0 = this.c.now()
    const windowMs = this.opts.windowMs ?? 500
    const { node, client, directory, strategy, logger } = this.c
    const self = node.peerId.toString()
    const requestId = newRequestId()
    const query = { requestId, taskKey: o.taskKey, reward: o.ownReward, backboneId: this.c.backboneId }
    // `collecting` ends the collection phase: when the round stops listening, the DHT lookup and
    // the queries still in flight stop too (nobody would read their answers).
    const collecting = new AbortController()
    const callerAborted = (): void => {
      collecting.abort()
    }
    if (o.signal?.aborted === true) callerAborted()
    else o.signal?.addEventListener('abort', callerAborted, { once: true })
    // Not AbortSignal.any([AbortSignal.timeout(...)]): on Node 20 the GC may collect the inner
    // timeout signal, which then never fires (nodejs/node#57736) and the round never ends.
    const deadline = withDeadline(windowMs, collecting.signal)
    const window = deadline.signal
    // A query we cut short (round over, caller stop) says nothing about the peer; one still
    // unanswered when the whole window ran out does.
    const cutShortByUs = (): boolean =>
      window.aborted && isProtocolError(window.reason) && window.reason.code === 'ABORTED'
    const offers: ReceivedOffer[] = []
    const asked = new Set<string>()
    const graceMs = this.opts.graceMs ?? 10
    let graceTimer: ReturnType<typeof setTimeout> | undefined
    let goodOffer = (): void => {}
    const graceAfterFirstGood = new Promise<void>(resolve => {
      goodOffer = () => {
        if (graceTimer !== undefined || strategy.rank(offers, o.ownReward).length === 0) return
        graceTimer = setTimeout(resolve, graceMs)
      }
    })
    const inflight: Array<Promise<void>> = []

    const ask = (peer: PeerId): void => {
      const id = peer.toString()
      if (collecting.signal.aborted || id === self || asked.has(id) || asked.size >= (this.opts.maxPeers ?? 32)) return
      asked.add(id)
      inflight.push(
        client.query(peer, query, { signal: window, timeoutMs: windowMs }).then(
          offer => {
            if (offer === LOST) return
            directory.seen(id, this.c.now())
            if (offer.status === 'has-mask' && offer.backboneId === this.c.backboneId) {
              offers.push({ peerId: id, offer })
              goodOffer()
            }
            if (offer.status === 'backbone-mismatch')
              logger.debug({ peer: id, theirs: offer.backboneId }, 'peer has another backbone')
          },
          (err: unknown) => {
            if (!cutShortByUs()) directory.failed(id)
            logger.debug({ peer: id, err: describeError(err) }, 'query failed')
          }
        )
      )
    }

    try {
      const sources = new Set(this.opts.sources ?? ['connected', 'announced', 'dht'])
      // 1. Connected peers that speak the query protocol (or whose protocols we do not know yet).
      for (const peer of sources.has('connected') ? node.getPeers() : []) {
        const protocols = await node.peerStore.get(peer).then(
          p => p.protocols,
          () => [] as string[]
        )
        if (protocols.length === 0 || protocols.includes(QUERY_PROTOCOL)) ask(peer)
      }
      // 2. Peers that announced a mask for this task (maybe not connected: the announcer put
      // their addresses in the peer store, where the dial finds them).
      for (const h of sources.has('announced') ? directory.holdersOf(o.taskKey, this.c.backboneId) : []) {
        try {
          ask(peerIdFromString(h.peerId))
        } catch {
          /* an unparsable id from an announcement */
        }
      }
      // 3. DHT providers of the task, queried as they are found, within the same window.
      const dht = sources.has('dht')
        ? (async () => {
            try {
              for await (const p of node.contentRouting.findProviders(taskContentId(o.taskKey), { signal: window })) {
                if (p.multiaddrs.length > 0)
                  await node.peerStore.merge(p.id, { multiaddrs: p.multiaddrs }).catch(() => {})
                ask(p.id)
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
        if (strategy.rank(offers, o.ownReward).length > 0) return
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
      o.signal?.removeEventListener('abort', callerAborted)
      collecting.abort()
      deadline.clear()
    }

    const ranked = strategy.rank(offers, o.ownReward)
    const candidates: CandidateResult[] = []
    const triedCids = new Set<string>()
    let fetches = 0
    let current: number | null | undefined
    for (const r of ranked) {
      if (fetches >= (this.opts.maxFetches ?? 3) || o.signal?.aborted === true) break
      const cid = parseContentId(r.offer.cid as Uint8Array).toString()
      if (triedCids.has(cid)) continue
      fetches++
      const outcome = await this.tryOffer(r, o, cid)
      candidates.push(outcome.result)
      // Only bytes that matched the CID say something about the mask itself; a failed or
      // corrupted transfer says something about that peer, so another holder may serve the CID.
      if (outcome.contentVerified) triedCids.add(cid)
      if (outcome.mask === null) continue
      if (current === undefined) current = await o.currentReward()
      const verified = outcome.result.verifiedReward as number
      if (strategy.shouldAdopt(verified, current)) {
        candidates[candidates.length - 1] = { ...outcome.result, outcome: 'adopted' }
        const result: RoundResult = {
          taskKey: o.taskKey,
          queried: asked.size,
          offers: offers.length,
          candidates,
          adopted: {
            mask: outcome.mask,
            meta: outcome.meta as MaskMeta,
            from: r.peerId,
            cid,
            claimedReward: r.offer.reward,
            verifiedReward: verified,
            currentReward: current
          },
          latencyMs: outcome.inHandAt - t0,
          durationMs: this.c.now() - t0
        }
        this.c.traffic.latency('query-to-verified-mask', outcome.inHandAt - t0)
        logger.info({ task: o.taskKey, from: r.peerId, claimed: r.offer.reward, verified, current }, 'adopting mask')
        return result
      }
      candidates[candidates.length - 1] = {
        ...outcome.result,
        outcome: 'rejected',
        reason: `local evaluation ${verified.toFixed(3)} below current ${current?.toFixed(3) ?? 'none'}`
      }
      logger.info(
        { task: o.taskKey, from: r.peerId, claimed: r.offer.reward, verified, current },
        'rejected mask after local evaluation'
      )
    }
    return {
      taskKey: o.taskKey,
      queried: asked.size,
      offers: offers.length,
      candidates,
      adopted: null,
      latencyMs: null,
      durationMs: this.c.now() - t0
    }
  }

  private async tryOffer(
    r: ReceivedOffer,
    o: RoundOptions,
    cid: string
  ): Promise<{
    result: CandidateResult
    mask: DecodedMask | null
    contentVerified: boolean
    meta?: MaskMeta
    inHandAt: number
  }> {
    const base = { peerId: r.peerId, cid, claimedReward: r.offer.reward }
    const offer: MaskOffer = r.offer
    const encoding = this.opts.encoding ?? 'bits'
    let fetched: FetchedMask
    try {
      fetched = await this.c.client.fetch(
        peerIdFromString(r.peerId),
        {
          requestId: newRequestId(),
          target: { cid: offer.cid as Uint8Array },
          encoding,
          backboneId: this.c.backboneId
        },
        {
          timeoutMs: this.opts.fetchTimeoutMs ?? 10_000,
          expectedCid: offer.cid as Uint8Array,
          ...(o.signal !== undefined ? { signal: o.signal } : {})
        }
      )
    } catch (err) {
      this.c.directory.failed(r.peerId)
      const reason = err instanceof RemoteRefusal ? err.message : describeError(err)
      this.c.logger.info({ task: o.taskKey, peer: r.peerId, reason }, 'fetch failed, trying the next offer')
      const invalid =
        isProtocolError(err) &&
        (err.code === 'CID_MISMATCH' || err.code === 'MALFORMED' || err.code === 'INCONSISTENT_SHAPE')
      return {
        result: { ...base, outcome: invalid ? 'invalid' : 'fetch-failed', verifiedReward: null, reason },
        mask: null,
        contentVerified: false,
        inHandAt: this.c.now()
      }
    }
    let mask: DecodedMask
    try {
      mask = decodeMask(fetched.bytes, {
        expectedBackboneId: this.c.backboneId,
        expectedTaskKey: o.taskKey,
        expectedLayers: o.layers
      })
    } catch (err) {
      this.c.logger.warn({ task: o.taskKey, peer: r.peerId, err: describeError(err) }, 'received an invalid mask')
      return {
        result: { ...base, outcome: 'invalid', verifiedReward: null, reason: describeError(err) },
        mask: null,
        contentVerified: true,
        inHandAt: this.c.now()
      }
    }
    const inHandAt = this.c.now()
    const verifiedReward = await o.evaluate(mask)
    const meta: MaskMeta = { ...fetched.meta, origin: fetched.meta.origin === '' ? r.peerId : fetched.meta.origin }
    return {
      result: { ...base, outcome: 'rejected', verifiedReward, reason: null },
      mask,
      contentVerified: true,
      meta,
      inHandAt
    }
  }
}
