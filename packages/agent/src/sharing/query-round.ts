import {
  contentIdBytes,
  decodeMask,
  encodeMask,
  isProtocolError,
  parseContentId,
  ProtocolError,
  type DecodedMask,
  type LayerSpec,
  type MaskEncoding,
  type MaskMeta,
  type MaskOffer
} from '@l2d2c/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { describeError } from '../errors.js'
import type { Logger } from '../logging/logger.js'
import {
  DEFAULT_CLIENT,
  fetchBound,
  newRequestId,
  RemoteRefusal,
  type FetchedMask,
  type MaskExchangeClient
} from '../network/mask-exchange/client.js'
import type { PeerFinder } from '../network/mask-exchange/components.js'
import type { Traffic } from '../network/mask-exchange/traffic.js'
import type { PeerDirectory } from '../network/peer-directory.js'
import { collectOffers, DEFAULT_OFFER_COLLECTION, type OfferCollectionInit } from './offer-collection.js'
import { withDefaults } from '../util/defaults.js'
import type { DeltaBaseProvider } from '../masks/initial-mask.js'
import { equals as sameBytes } from 'multiformats/bytes'
import type { ReceivedOffer, SharingStrategy } from './policy/strategy.js'

export interface RoundOptions {
  readonly taskKey: string
  /** This agent's current reward on the task (null: none yet), sent in the query and used to rank. */
  readonly ownReward: number | null
  /** Layer table the mask must have (the local backbone's). */
  readonly layers: readonly LayerSpec[]
  /**
   * Local evaluation of a verified candidate: the reward this agent measures with it. Adoption
   * is decided on this, never on the reward the holder claims.
   */
  readonly evaluate: (mask: DecodedMask) => Promise<number>
  /** This agent's measured reward with its current mask (same evaluation), or null if it has none. */
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

export interface QueryRoundsInit extends OfferCollectionInit {
  /** Offers fetched and evaluated per round at most (a lying peer costs one fetch). */
  readonly maxFetches: number
  readonly fetchTimeoutMs: number
  /**
   * Encoding requested. 'delta' (the default): DELTA or BITS, whichever the holder can produce
   * smaller (docs/protocol.md §5.2.1), BITS from holders that predate the negotiation or cannot
   * rebuild the task's base; both carry the policy exactly, DELTA in about a third of the bytes.
   * Any other: that encoding only.
   */
  readonly encoding: MaskEncoding
}

export const DEFAULT_QUERY_ROUNDS: QueryRoundsInit = {
  ...DEFAULT_OFFER_COLLECTION,
  maxFetches: 3,
  fetchTimeoutMs: DEFAULT_CLIENT.fetchTimeoutMs,
  encoding: 'delta'
}

/**
 * A fetch's `encoding` and `accept` list for the configured encoding: 'delta' accepts DELTA
 * then BITS (BITS also being what a holder without the list serves) when this node can decode
 * DELTA, else BITS alone; any other encoding is asked for alone, as before the negotiation.
 */
export function fetchEncodings(
  configured: MaskEncoding,
  canDecodeDelta: boolean
): { encoding: MaskEncoding; accept: readonly MaskEncoding[] } {
  if (configured !== 'delta') return { encoding: configured, accept: [configured] }
  return canDecodeDelta ? { encoding: 'bits', accept: ['delta', 'bits'] } : { encoding: 'bits', accept: ['bits'] }
}

export interface QueryRoundsComponents {
  readonly peers: PeerFinder
  readonly client: Pick<MaskExchangeClient, 'query' | 'fetch'>
  readonly directory: PeerDirectory
  readonly strategy: SharingStrategy
  readonly traffic: Traffic
  readonly logger: Logger
  readonly backboneId: string
  readonly now: () => number
  /** The DELTA bases this node can rebuild; without it, DELTA is not asked for. */
  readonly deltaBase?: DeltaBaseProvider
}

/** One offer tried: what the round reports, and the verified mask if it passed every check. */
interface TriedOffer {
  readonly result: CandidateResult
  readonly mask: DecodedMask | null
  /** The bytes matched the CID: what they say is about the mask itself, not about the peer. */
  readonly contentVerified: boolean
  readonly meta?: MaskMeta
  readonly inHandAt: number
}

/**
 * Runs L2D2-C query rounds: collect offers from the task's holders for a bounded window
 * (offer-collection.ts), then fetch the best offer, verify it (content id, backbone, task,
 * shapes, finiteness), evaluate it locally and adopt it only if it does at least as well as
 * the current mask; on any failure fall back to the next offer. Rounds for the same task are
 * de-duplicated; a slow peer never holds up the others.
 */
export class QueryRounds {
  private readonly pending = new Map<string, Promise<RoundResult>>()
  private readonly init: QueryRoundsInit

  constructor(
    private readonly c: QueryRoundsComponents,
    init: Partial<QueryRoundsInit> = {}
  ) {
    this.init = withDefaults(DEFAULT_QUERY_ROUNDS, init)
  }

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
    const query = { requestId: newRequestId(), taskKey: o.taskKey, reward: o.ownReward, backboneId: this.c.backboneId }
    const { offers, queried } = await collectOffers(this.c, this.init, query, o.signal)
    const adoption = await this.adoptBest(this.c.strategy.rank(offers, o.ownReward), o, t0)
    return {
      taskKey: o.taskKey,
      queried,
      offers: offers.length,
      ...adoption,
      durationMs: this.c.now() - t0
    }
  }

  /**
   * The second phase: fetch the ranked offers in turn (at most maxFetches, one per content id
   * once its bytes verified), evaluate each verified mask and adopt the first that does at least
   * as well as the current mask.
   */
  private async adoptBest(
    ranked: readonly ReceivedOffer[],
    o: RoundOptions,
    t0: number
  ): Promise<Pick<RoundResult, 'candidates' | 'adopted' | 'latencyMs'>> {
    const { strategy, logger } = this.c
    const candidates: CandidateResult[] = []
    const triedCids = new Set<string>()
    let fetches = 0
    let current: number | null | undefined
    for (const r of ranked) {
      if (fetches >= this.init.maxFetches || o.signal?.aborted === true) break
      const cid = parseContentId(r.offer.cid as Uint8Array).toString()
      if (triedCids.has(cid)) continue
      fetches++
      const tried = await this.tryOffer(r, o, cid)
      candidates.push(tried.result)
      // Only bytes that matched the CID say something about the mask itself; a failed or
      // corrupted transfer says something about that peer, so another holder may serve the CID.
      if (tried.contentVerified) triedCids.add(cid)
      if (tried.mask === null) continue
      if (current === undefined) current = await o.currentReward() // null: no current mask
      const verified = tried.result.verifiedReward as number
      if (strategy.shouldAdopt(verified, current)) {
        candidates[candidates.length - 1] = { ...tried.result, outcome: 'adopted' }
        this.c.traffic.latency('query-to-verified-mask', tried.inHandAt - t0)
        logger.info({ task: o.taskKey, from: r.peerId, claimed: r.offer.reward, verified, current }, 'adopting mask')
        return {
          candidates,
          adopted: {
            mask: tried.mask,
            meta: tried.meta as MaskMeta,
            from: r.peerId,
            cid,
            claimedReward: r.offer.reward,
            verifiedReward: verified,
            currentReward: current
          },
          latencyMs: tried.inHandAt - t0
        }
      }
      candidates[candidates.length - 1] = {
        ...tried.result,
        outcome: 'rejected',
        reason: `local evaluation ${verified.toFixed(3)} below current ${current?.toFixed(3) ?? 'none'}`
      }
      logger.info(
        { task: o.taskKey, from: r.peerId, claimed: r.offer.reward, verified, current },
        'rejected mask after local evaluation'
      )
    }
    return { candidates, adopted: null, latencyMs: null }
  }

  /** Fetches one offer, verifies the bytes and, if they pass, evaluates the mask locally. */
  private async tryOffer(r: ReceivedOffer, o: RoundOptions, cid: string): Promise<TriedOffer> {
    const base = { peerId: r.peerId, cid, claimedReward: r.offer.reward }
    const offer: MaskOffer = r.offer
    let fetched: FetchedMask
    const deltaBase = this.c.deltaBase
    const { encoding, accept } = fetchEncodings(this.init.encoding, deltaBase !== undefined)
    try {
      fetched = await this.c.client.fetch(
        peerIdFromString(r.peerId),
        {
          requestId: newRequestId(),
          target: { cid: offer.cid as Uint8Array },
          encoding,
          backboneId: this.c.backboneId,
          // A one-entry list says no more than `encoding`: left out, the request is what it was.
          ...(accept.length > 1 ? { accept } : {})
        },
        {
          timeoutMs: this.init.fetchTimeoutMs,
          expectedCid: offer.cid as Uint8Array,
          maxBytes: Math.max(
            ...accept.map(e =>
              fetchBound(offer.encodedSize, e, { taskKey: o.taskKey, backboneId: this.c.backboneId, layers: o.layers })
            )
          ),
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
        expectedLayers: o.layers,
        ...(deltaBase !== undefined ? { deltaBase: h => deltaBase(h) ?? missingBase(o.taskKey) } : {})
      })
      // The offer names the mask by its BITS CID: a DELTA transfer decodes to exactly the
      // scores BITS carries, so its BITS re-encoding must hash to that CID.
      if (mask.encoding === 'delta' && !sameBytes(contentIdBytes(encodeMask(mask, 'bits')), offer.cid as Uint8Array))
        throw new ProtocolError('CID_MISMATCH', 'the DELTA transfer is not the mask that was offered')
    } catch (err) {
      this.c.logger.warn({ task: o.taskKey, peer: r.peerId, err: describeError(err) }, 'received an invalid mask')
      return {
        result: { ...base, outcome: 'invalid', verifiedReward: null, reason: describeError(err) },
        mask: null,
        // A DELTA transfer that is not the offered mask is the peer's fault, like a CID mismatch.
        contentVerified: !(isProtocolError(err) && err.code === 'CID_MISMATCH'),
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

function missingBase(taskKey: string): never {
  throw new ProtocolError('MISSING_BASE', `cannot rebuild the initial mask of ${taskKey} to decode a DELTA transfer`)
}
