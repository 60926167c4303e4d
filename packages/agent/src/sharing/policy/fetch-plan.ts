import type { Standing } from './reputation.js'
import type { ReceivedOffer } from './strategy.js'

/**
 * Which offers a round fetches, and in which order: the fetch slots of a round are few (3 by
 * default) and each costs a transfer and a local evaluation, so they must not all go to whoever
 * claims most. Claims, step counts and identities cost an attacker nothing; a record of verified
 * deliveries does. The plan:
 *
 *  1. drops offers for content ids already decided (rejected, held for review) and from
 *     ignored peers, and keeps one offer per peer and one slot per content id (other holders
 *     of the same content id are the slot's alternates, tried in turn if a fetch fails); a
 *     holder with a direct connection takes the slot before one reached only through a relay
 *     (a relay's data limit is shared by everything on that connection, docs/protocol.md §5.6);
 *  2. fetches trusted peers' offers first (they delivered verified masks with honest claims),
 *     then neutral ones, deprioritised peers last, each tier in the strategy's ranking;
 *  3. among peers with no record, those claiming within `highClaimBand` of the round's top
 *     claim form one group whose order is a seeded shuffle (their claims cannot tell them
 *     apart), and this group takes at most `maxFetches − 1` slots while any other offer is
 *     left: three identities claiming 1.0 cannot take every slot of a round.
 *
 * Pure: randomness comes from the `random` source passed in.
 */

export interface FetchPlanInit {
  /** Fetch slots of a round. */
  readonly maxFetches: number
  /** Claims this close to the round's top claim form the high-claim group. */
  readonly highClaimBand: number
}

export const DEFAULT_FETCH_PLAN: FetchPlanInit = { maxFetches: 3, highClaimBand: 0.1 }

/** Other holders tried for one content id at most, when a fetch of it fails. */
export const MAX_ALTERNATES = 2

/** One fetch slot: an offer, and other holders of the same content id to try if it fails. */
export interface FetchSlot {
  readonly offer: ReceivedOffer
  readonly alternates: readonly ReceivedOffer[]
}

export interface FetchPlanContext {
  /** The text CID of an offer (its BITS CID). */
  readonly cidOf: (offer: ReceivedOffer) => string
  /** Content ids not to fetch: rejected, held, already verified. */
  readonly skip: (cid: string) => boolean
  readonly standing: (peerId: string) => Standing
  /** Seeded uniform [0, 1) source. */
  readonly random: () => number
  /** Whether the only connection to this peer runs through a relay; absent: none does. */
  readonly relayedOnly?: (peerId: string) => boolean
}

const TIER: Record<Standing, number> = { trusted: 0, neutral: 1, deprioritised: 2, ignored: 3 }

/** The slots to fetch, in order, at most `maxFetches`; `ranked` is the strategy's ranking. */
export function planFetches(
  ranked: readonly ReceivedOffer[],
  c: FetchPlanContext,
  init: FetchPlanInit = DEFAULT_FETCH_PLAN
): FetchSlot[] {
  const peers = new Set<string>()
  const byCid = new Map<string, { offer: ReceivedOffer; tier: number; alternates: ReceivedOffer[] }>()
  const eligible: Array<{ offer: ReceivedOffer; tier: number; alternates: ReceivedOffer[] }> = []
  for (const offer of ranked) {
    const cid = c.cidOf(offer)
    if (peers.has(offer.peerId) || c.skip(cid)) continue
    const standing = c.standing(offer.peerId)
    if (standing === 'ignored') continue
    peers.add(offer.peerId)
    const same = byCid.get(cid)
    if (same !== undefined) {
      // the same content from a direct holder: it takes the slot, the relayed one stays an alternate
      if (c.relayedOnly?.(same.offer.peerId) === true && c.relayedOnly(offer.peerId) !== true) {
        same.alternates.unshift(same.offer)
        same.offer = offer
        same.tier = TIER[standing]
        if (same.alternates.length > MAX_ALTERNATES) same.alternates.pop()
      } else if (same.alternates.length < MAX_ALTERNATES) same.alternates.push(offer)
      continue
    }
    const e = { offer, tier: TIER[standing], alternates: [] }
    byCid.set(cid, e)
    eligible.push(e)
  }
  if (eligible.length === 0) return []
  const top = Math.max(...eligible.map(e => e.offer.offer.reward))
  const highClaim = (e: (typeof eligible)[number]): boolean =>
    e.tier === TIER.neutral && e.offer.offer.reward >= top - init.highClaimBand
  const group = shuffle(eligible.filter(highClaim), c.random)
  // Every tier in ranking order (a stable sort keeps the strategy's order inside a tier), with
  // the high-claim group in its shuffled order at the place of its first member.
  const ordered: Array<(typeof eligible)[number]> = []
  let groupPlaced = false
  for (const e of [...eligible].sort((a, b) => a.tier - b.tier)) {
    if (!highClaim(e)) ordered.push(e)
    else if (!groupPlaced) {
      ordered.push(...group)
      groupPlaced = true
    }
  }
  const groupCap = Math.max(1, init.maxFetches - 1)
  const plan: FetchSlot[] = []
  const deferred: FetchSlot[] = []
  let fromGroup = 0
  for (const e of ordered) {
    if (plan.length >= init.maxFetches) break
    const slot = { offer: e.offer, alternates: e.alternates }
    if (highClaim(e) && fromGroup >= groupCap) {
      deferred.push(slot) // only if nothing else is left
      continue
    }
    if (highClaim(e)) fromGroup++
    plan.push(slot)
  }
  for (const slot of deferred) if (plan.length < init.maxFetches) plan.push(slot)
  return plan
}

/** Fisher–Yates with the given source. */
function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
