import { parseContentId, type DecodedMask, type LayerSpec, type MaskEncoding, type MaskMeta } from '@l2d2c/protocol'
import type { Logger } from '../logging/logger.js'
import type { DeltaBaseProvider } from '../masks/initial-mask.js'
import { DEFAULT_CLIENT, newRequestId, type MaskExchangeClient } from '../network/mask-exchange/client.js'
import type { PeerFinder } from '../network/mask-exchange/components.js'
import type { Traffic } from '../network/mask-exchange/traffic.js'
import type { PeerDirectory } from '../network/peer-directory.js'
import { withDefaults } from '../util/defaults.js'
import { fetchCandidate, type FetchedCandidate, type VerifiedCandidate } from './candidate-fetch.js'
import { collectOffers, DEFAULT_OFFER_COLLECTION, type OfferCollectionInit } from './offer-collection.js'
import { DEFAULT_FETCH_PLAN, planFetches, type FetchPlanInit, type FetchSlot } from './policy/fetch-plan.js'
import type { ReputationBook } from './policy/reputation.js'
import type { SitePolicy } from './policy/site-policy.js'
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
  /**
   * Hold the candidates that would be adopted instead of adopting the best (the site's review
   * mode): they are returned in `held`, best first, and neither adopted nor rejected.
   */
  readonly hold?: boolean
  readonly signal?: AbortSignal
}

export interface CandidateResult {
  readonly peerId: string
  readonly cid: string
  readonly claimedReward: number
  readonly outcome: 'adopted' | 'held' | 'rejected' | 'fetch-failed' | 'invalid'
  readonly verifiedReward: number | null
  readonly reason: string | null
}

/** A verified, locally evaluated candidate the round adopted or held. */
export interface EvaluatedCandidate {
  readonly mask: DecodedMask
  /** The bytes as fetched (`encoding`): what a review stores. */
  readonly bytes: Uint8Array
  readonly encoding: MaskEncoding
  readonly meta: MaskMeta
  readonly from: string
  readonly cid: string
  readonly claimedReward: number
  readonly verifiedReward: number
  readonly currentReward: number | null
}

export interface RoundResult {
  readonly taskKey: string
  readonly queried: number
  readonly offers: number
  readonly candidates: readonly CandidateResult[]
  /** The best candidate, adopted (null with `hold`, or when none does at least as well as the current mask). */
  readonly adopted: EvaluatedCandidate | null
  /** With `hold`: the candidates that would have been adopted, best first. */
  readonly held: readonly EvaluatedCandidate[]
  /** Query sent → verified mask in hand, for the candidate adopted (or the best held) (ms). */
  readonly latencyMs: number | null
  readonly durationMs: number
}

export interface QueryRoundsInit extends OfferCollectionInit, FetchPlanInit {
  readonly fetchTimeoutMs: number
  /**
   * Once a candidate is verified, the round waits at most this much longer for the others it
   * is fetching (all are fetched at once): a slow or stalling holder costs a round this, not
   * the fetch timeout.
   */
  readonly fetchGraceMs: number
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
  ...DEFAULT_FETCH_PLAN,
  fetchTimeoutMs: DEFAULT_CLIENT.fetchTimeoutMs,
  fetchGraceMs: 2_000,
  encoding: 'delta'
}

export interface QueryRoundsComponents {
  readonly peers: PeerFinder
  readonly client: Pick<MaskExchangeClient, 'query' | 'fetch'>
  readonly directory: PeerDirectory
  readonly strategy: SharingStrategy
  /** What the site accepts, and from whom. */
  readonly policy: Pick<SitePolicy, 'accepts' | 'acceptsFrom'>
  /** What peers did before (verification failures, over-claims, failed fetches) and rejected content ids. */
  readonly reputation: ReputationBook
  /** Content ids decided elsewhere (held for review): not fetched again. */
  readonly decided?: (cid: string) => boolean
  /** Seeded uniform [0, 1) source (the fetch plan's shuffle). */
  readonly random: () => number
  readonly traffic: Traffic
  readonly logger: Logger
  readonly backboneId: string
  readonly now: () => number
  /** The DELTA bases this node can rebuild; without it, DELTA is not asked for. */
  readonly deltaBase?: DeltaBaseProvider
  /** Whether the only connection to a peer runs through a relay (its offers yield to direct holders'). */
  readonly relayedOnly?: (peerId: string) => boolean
}

/**
 * Runs L2D2-C query rounds: collect offers from the task's holders for a bounded window
 * (offer-collection.ts), plan which to fetch (policy/fetch-plan.ts: reputation first, a cap on
 * identities claiming alike), fetch them at once and verify each (content id, backbone, task,
 * shapes, finiteness), evaluate every verified one locally, and adopt the best if it does at
 * least as well as the current mask (or hold the acceptable ones for review). Every outcome
 * feeds the reputation book: lies and failed fetches cost the peer, rejected content ids are
 * never fetched again. Rounds for the same task are de-duplicated; a slow peer never holds up
 * the others.
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
    const none = { candidates: [], adopted: null, held: [], latencyMs: null }
    if (!this.c.policy.accepts(o.taskKey)) {
      this.c.logger.debug({ task: o.taskKey }, 'the sharing policy does not accept this task: no round')
      return { taskKey: o.taskKey, queried: 0, offers: 0, ...none, durationMs: 0 }
    }
    const { reputation, policy } = this.c
    const query = { requestId: newRequestId(), taskKey: o.taskKey, reward: o.ownReward, backboneId: this.c.backboneId }
    const { offers, queried } = await collectOffers(
      { ...this.c, admit: p => policy.acceptsFrom(p) && reputation.standing(p, this.c.now()) !== 'ignored' },
      this.init,
      query,
      o.signal
    )
    const plan = planFetches(
      this.c.strategy.rank(offers, o.ownReward),
      {
        cidOf: cidText,
        skip: cid => reputation.isRejected(cid) || this.c.decided?.(cid) === true,
        standing: p => reputation.standing(p, this.c.now()),
        random: this.c.random,
        ...(this.c.relayedOnly !== undefined ? { relayedOnly: this.c.relayedOnly } : {})
      },
      this.init
    )
    const outcome = plan.length === 0 ? none : await this.fetchAndDecide(plan, o, t0)
    return { taskKey: o.taskKey, queried, offers: offers.length, ...outcome, durationMs: this.c.now() - t0 }
  }

  /** Fetches every planned slot at once, then evaluates the verified ones and decides. */
  private async fetchAndDecide(
    plan: readonly FetchSlot[],
    o: RoundOptions,
    t0: number
  ): Promise<Pick<RoundResult, 'candidates' | 'adopted' | 'held' | 'latencyMs'>> {
    const fetched = await this.fetchAll(plan, o)
    const { reputation, strategy, logger, now } = this.c
    const candidates: CandidateResult[] = []
    const evaluated: EvaluatedCandidate[] = []
    const inHand = new Map<string, number>()
    let current: number | null | undefined
    for (const f of fetched) {
      const peer = f.offer.peerId
      const base = { peerId: peer, cid: f.cid, claimedReward: f.offer.offer.reward }
      if (f.kind === 'failed') {
        if (f.cause === 'lie') {
          reputation.record(peer, 'verification-failed', now())
          if (f.contentVerified) reputation.reject(f.cid, `invalid mask: ${f.reason}`, now())
          logger.warn({ task: o.taskKey, peer, reason: f.reason }, 'received an invalid mask')
        } else if (f.cause === 'failure') {
          reputation.record(peer, 'fetch-failed', now())
          this.c.directory.failed(peer)
        }
        if (f.cause !== 'lie') logger.info({ task: o.taskKey, peer, reason: f.reason }, 'fetch failed')
        candidates.push({
          ...base,
          outcome: f.cause === 'lie' ? 'invalid' : 'fetch-failed',
          verifiedReward: null,
          reason: f.reason
        })
        continue
      }
      if (o.signal?.aborted === true) break
      current ??= await o.currentReward() // null: no current mask
      const verified = await o.evaluate(f.mask)
      if (reputation.overClaims(f.offer.offer.reward, verified)) {
        reputation.record(peer, 'over-claim', now())
        logger.info({ task: o.taskKey, peer, claimed: f.offer.offer.reward, verified }, 'a peer over-claimed')
      } else reputation.delivered(peer, now())
      inHand.set(f.cid, f.inHandAt)
      evaluated.push(this.candidate(f, verified, current))
      candidates.push({ ...base, outcome: 'rejected', verifiedReward: verified, reason: null })
    }
    // Adoptable: at least as good as the current mask. Adopted: the best of them (the first
    // evaluated on a tie); held instead with `hold`. Every other evaluated one is rejected.
    const adoptable = evaluated
      .filter(e => strategy.shouldAdopt(e.verifiedReward, current ?? null))
      .sort((a, b) => b.verifiedReward - a.verifiedReward)
    const chosen = o.hold === true ? adoptable : adoptable.slice(0, 1)
    const best = adoptable[0]
    for (const e of evaluated) {
      const i = candidates.findIndex(r => r.cid === e.cid && r.peerId === e.from)
      const row = candidates[i] as CandidateResult
      if (chosen.includes(e)) {
        candidates[i] = { ...row, outcome: o.hold === true ? 'held' : 'adopted' }
        continue
      }
      const reason =
        best !== undefined
          ? `local evaluation ${e.verifiedReward.toFixed(3)} below the best candidate's ${best.verifiedReward.toFixed(3)}`
          : `local evaluation ${e.verifiedReward.toFixed(3)} below current ${current?.toFixed(3) ?? 'none'}`
      candidates[i] = { ...row, reason }
      reputation.reject(e.cid, reason, now())
      logger.info({ task: o.taskKey, from: e.from, claimed: e.claimedReward, verified: e.verifiedReward }, reason)
    }
    if (best === undefined) return { candidates, adopted: null, held: [], latencyMs: null }
    const latencyMs = (inHand.get(best.cid) as number) - t0
    if (o.hold === true) {
      logger.info({ task: o.taskKey, held: chosen.length, best: best.verifiedReward }, 'candidates held for review')
      return { candidates, adopted: null, held: chosen, latencyMs }
    }
    this.c.traffic.latency('query-to-verified-mask', latencyMs)
    logger.info(
      { task: o.taskKey, from: best.from, claimed: best.claimedReward, verified: best.verifiedReward, current },
      'adopting mask'
    )
    return { candidates, adopted: best, held: [], latencyMs }
  }

  private candidate(f: VerifiedCandidate, verified: number, current: number | null): EvaluatedCandidate {
    return {
      mask: f.mask,
      bytes: f.bytes,
      encoding: f.encoding,
      meta: f.meta,
      from: f.offer.peerId,
      cid: f.cid,
      claimedReward: f.offer.offer.reward,
      verifiedReward: verified,
      currentReward: current
    }
  }

  /**
   * All planned slots at once (a slot whose fetch fails, unless the content itself was bad,
   * tries the next holder of the same content id); once the first candidate is verified the
   * others get fetchGraceMs more, then are cut (a cut fetch says nothing about its peer). The
   * result lists every attempt, slot by slot in plan order.
   */
  private async fetchAll(plan: readonly FetchSlot[], o: RoundOptions): Promise<FetchedCandidate[]> {
    // Each fetch has its own timeout; `cut` ends the stragglers (grace over, or the caller's stop).
    const cut = new AbortController()
    const stop = (): void => {
      cut.abort()
    }
    if (o.signal?.aborted === true) stop()
    else o.signal?.addEventListener('abort', stop, { once: true })
    let grace: ReturnType<typeof setTimeout> | undefined
    const one = async (r: ReceivedOffer): Promise<FetchedCandidate> => {
      const f = await fetchCandidate(this.c, r, {
        cid: cidText(r),
        taskKey: o.taskKey,
        layers: o.layers,
        encoding: this.init.encoding,
        timeoutMs: this.init.fetchTimeoutMs,
        cut: cut.signal,
        ...(o.signal !== undefined ? { signal: o.signal } : {})
      })
      if (f.kind === 'verified' && grace === undefined)
        grace = setTimeout(() => {
          cut.abort()
        }, this.init.fetchGraceMs)
      return f
    }
    try {
      const slots = await Promise.all(
        plan.map(async slot => {
          const attempts: FetchedCandidate[] = []
          for (const r of [slot.offer, ...slot.alternates]) {
            const f = await one(r)
            attempts.push(f)
            if (f.kind === 'verified' || f.contentVerified || cut.signal.aborted) break
          }
          return attempts
        })
      )
      return slots.flat()
    } finally {
      if (grace !== undefined) clearTimeout(grace)
      o.signal?.removeEventListener('abort', stop)
    }
  }
}

/** An offer's CID as text (the form rounds, reputation and the CLI use). */
function cidText(r: ReceivedOffer): string {
  return parseContentId(r.offer.cid as Uint8Array).toString()
}
