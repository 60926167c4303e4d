/**
 * Which peers' masks of OTHER tasks a learner imports as the BLC basis of a task nobody has
 * learned (docs/architecture.md §4, "Imported basis"). Pure: the caller passes what the peer
 * directory knows (announced task keys, content ids, claimed rewards, sizes) and the peers'
 * standing, and fetches what this returns.
 *
 * The rules, in order: never the task being started (a holder of it means sharing, not
 * transfer, answers it); never a task the node already holds (its own mask is in the basis
 * anyway); never a rejected content id, a peer the reputation ignores or the site refuses; a
 * claimed reward above `minReward` (an untrained mask is no knowledge). One mask per task, the
 * tasks with the best claims first, at most `k` tasks and `maxBytes` of BITS in all; for each,
 * up to `holdersPerTask` holders (best claim, then better standing) to fall back on when a
 * fetch fails.
 */
import type { Standing } from './reputation.js'

export interface AnnouncedMask {
  readonly peerId: string
  readonly taskKey: string
  /** Content id (text) of the BITS encoding, as announced. */
  readonly cid: string
  readonly claimedReward: number
  /** Size of the BITS encoding, as announced. */
  readonly encodedSize: number
}

export interface BasisSelectionInit {
  /** Tasks to import at most (0: none). */
  readonly k: number
  /** BITS bytes of all imported masks together at most. */
  readonly maxBytes: number
  /** A claim at or below this is not worth importing. */
  readonly minReward: number
  /** Holders kept per task to fall back on. */
  readonly holdersPerTask: number
}

export const DEFAULT_BASIS_SELECTION: Omit<BasisSelectionInit, 'k'> = {
  // 16 CT-graph BITS masks are 222 kB; a MiniGrid network's are larger: 4 MiB bounds any K.
  maxBytes: 4 * 1024 * 1024,
  minReward: 0,
  holdersPerTask: 3
}

export interface BasisChoice {
  readonly taskKey: string
  /** Best first; each a holder of this task's mask (possibly different content ids). */
  readonly holders: readonly AnnouncedMask[]
}

export interface BasisContext {
  readonly targetTask: string
  /** Tasks this node holds a mask for (its own or adopted). */
  readonly held: ReadonlySet<string>
  readonly standing: (peerId: string) => Standing
  readonly isRejected: (cid: string) => boolean
  /** Whether the site takes masks of this task, from this peer. */
  readonly accepts: (taskKey: string, peerId: string) => boolean
}

const STANDING_RANK: Record<Standing, number> = { trusted: 0, neutral: 1, deprioritised: 2, ignored: 3 }

/** The tasks to import and their holders, best first (empty when a peer holds the target task). */
export function selectBasis(
  announced: readonly AnnouncedMask[],
  ctx: BasisContext,
  init: BasisSelectionInit
): BasisChoice[] {
  if (init.k <= 0) return []
  if (announced.some(a => a.taskKey === ctx.targetTask)) return []
  const byTask = new Map<string, AnnouncedMask[]>()
  for (const a of announced) {
    if (a.taskKey === ctx.targetTask || ctx.held.has(a.taskKey)) continue
    if (!(a.claimedReward > init.minReward) || !(a.encodedSize > 0)) continue
    if (ctx.isRejected(a.cid) || ctx.standing(a.peerId) === 'ignored' || !ctx.accepts(a.taskKey, a.peerId)) continue
    const list = byTask.get(a.taskKey) ?? []
    list.push(a)
    byTask.set(a.taskKey, list)
  }
  const ranked = [...byTask.entries()].map(([taskKey, list]) => ({
    taskKey,
    holders: list
      .sort(
        (x, y) =>
          y.claimedReward - x.claimedReward ||
          STANDING_RANK[ctx.standing(x.peerId)] - STANDING_RANK[ctx.standing(y.peerId)] ||
          compare(x.peerId, y.peerId)
      )
      .slice(0, Math.max(1, init.holdersPerTask))
  }))
  // Tasks whose best claim is highest first; ties by key, so the choice is reproducible.
  ranked.sort(
    (x, y) => (y.holders[0]?.claimedReward ?? 0) - (x.holders[0]?.claimedReward ?? 0) || compare(x.taskKey, y.taskKey)
  )
  const out: BasisChoice[] = []
  let bytes = 0
  for (const c of ranked) {
    if (out.length >= init.k) break
    // The largest announced size of its holders: the bound holds whichever one delivers.
    const size = Math.max(...c.holders.map(h => h.encodedSize))
    if (bytes + size > init.maxBytes) continue
    bytes += size
    out.push(c)
  }
  return out
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
