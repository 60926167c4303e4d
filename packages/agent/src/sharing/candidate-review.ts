import {
  contentId,
  decodeMask,
  encodeMask,
  type DecodedMask,
  type LayerSpec,
  type MaskEncoding,
  SUPPORTED_ENCODINGS
} from '@l2d2c/protocol'
import type { EvaluatedCandidate } from './query-round.js'

/**
 * The candidates a site in review mode (`--adopt review`) holds for its operator: masks a
 * round fetched, verified and evaluated, that do at least as well as what the node runs, kept
 * until the operator adopts or rejects one (`l2d2c candidates`, `adopt`, `reject`). Bounded:
 * the best `maxPerTask` of a task and `maxTotal` in all (the oldest go first); the mask bytes
 * are kept in the encoding they were fetched in (BITS: 13,866 bytes for the CT-graph network),
 * so the bound is `maxTotal` masks. The agent persists `toJSON()` (candidates.json), and a
 * candidate read back is checked again (content id of its bytes, the mask for this backbone,
 * task and layer table) before anything uses it.
 */

export interface HeldCandidate {
  readonly taskKey: string
  /** The offered (BITS) content id: what the operator names. */
  readonly cid: string
  /** The peer that served it, and the peer that trained it. */
  readonly from: string
  readonly origin: string
  readonly claimedReward: number
  /** What this node measured with it, and with its own mask at the time. */
  readonly verifiedReward: number
  readonly currentReward: number | null
  readonly stepsTrained: number
  readonly heldAt: number
  readonly encoding: MaskEncoding
  /** The mask as fetched (a DELTA transfer as BITS), and the content id of exactly these bytes (checked when read back). */
  readonly bytes: Uint8Array
  readonly bytesCid: string
}

export interface CandidateReviewInit {
  readonly maxPerTask: number
  readonly maxTotal: number
}

export const DEFAULT_CANDIDATE_REVIEW: CandidateReviewInit = { maxPerTask: 4, maxTotal: 32 }

/** The persisted form: bytes in base64. */
export interface HeldCandidatesFile {
  readonly version: 1
  readonly candidates: Array<Omit<HeldCandidate, 'bytes'> & { bytes: string }>
}

export class CandidateReview {
  /** Insertion order is age order. Keyed by task and CID. */
  private readonly held = new Map<string, HeldCandidate>()
  version = 0

  constructor(readonly init: CandidateReviewInit = DEFAULT_CANDIDATE_REVIEW) {
    if (!(init.maxPerTask >= 1 && init.maxTotal >= 1)) throw new RangeError('review bounds must be >= 1')
  }

  get size(): number {
    return this.held.size
  }

  /** Whether a content id is held (rounds do not fetch it again). */
  has(cid: string): boolean {
    for (const c of this.held.values()) if (c.cid === cid) return true
    return false
  }

  list(): HeldCandidate[] {
    return [...this.held.values()].sort((a, b) =>
      a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : b.verifiedReward - a.verifiedReward
    )
  }

  get(taskKey: string, cid: string): HeldCandidate | null {
    return this.held.get(key(taskKey, cid)) ?? null
  }

  /** Holds a round's candidates; returns how many are held now (a full task keeps its best). */
  hold(taskKey: string, candidates: readonly EvaluatedCandidate[], now: number): number {
    let added = 0
    for (const e of candidates) {
      if (this.held.has(key(taskKey, e.cid))) continue
      // A DELTA transfer is held as BITS (the offered content id itself): candidates.json is
      // then read back without the task's base, like the mask store (docs/protocol.md §5.2.1).
      const bytes = e.encoding === 'delta' ? encodeMask(e.mask, 'bits') : e.bytes
      this.held.set(key(taskKey, e.cid), {
        taskKey,
        cid: e.cid,
        from: e.from,
        origin: e.meta.origin,
        claimedReward: e.claimedReward,
        verifiedReward: e.verifiedReward,
        currentReward: e.currentReward,
        stepsTrained: e.meta.stepsTrained,
        heldAt: now,
        encoding: e.encoding === 'delta' ? 'bits' : e.encoding,
        bytes,
        bytesCid: contentId(bytes).toString()
      })
      added++
    }
    this.bound(taskKey)
    if (added > 0) this.version++
    return added
  }

  /** Removes a candidate (adopted or rejected by the operator) and returns it. */
  remove(taskKey: string, cid: string): HeldCandidate | null {
    const c = this.held.get(key(taskKey, cid)) ?? null
    if (c !== null) {
      this.held.delete(key(taskKey, cid))
      this.version++
    }
    return c
  }

  private bound(taskKey: string): void {
    const ofTask = [...this.held.values()].filter(c => c.taskKey === taskKey)
    ofTask.sort((a, b) => b.verifiedReward - a.verifiedReward)
    for (const c of ofTask.slice(this.init.maxPerTask)) this.held.delete(key(c.taskKey, c.cid))
    while (this.held.size > this.init.maxTotal) this.held.delete(this.held.keys().next().value as string)
  }

  toJSON(): HeldCandidatesFile {
    return {
      version: 1,
      candidates: [...this.held.values()].map(c => ({ ...c, bytes: Buffer.from(c.bytes).toString('base64') }))
    }
  }

  /**
   * Restores a saved document, keeping only candidates whose bytes still hash to their content
   * id and decode as a mask of `taskKey` for this backbone and layer table. Returns how many
   * were kept and how many dropped.
   */
  load(doc: unknown, expect: { backboneId: string; layers: readonly LayerSpec[] }): { kept: number; dropped: number } {
    const out = { kept: 0, dropped: 0 }
    if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) return out
    const list = (doc as { candidates?: unknown }).candidates
    for (const e of Array.isArray(list) ? list.slice(-this.init.maxTotal) : []) {
      const c = readCandidate(e, expect)
      if (c === null) {
        out.dropped++
        continue
      }
      this.held.set(key(c.taskKey, c.cid), c)
      out.kept++
    }
    return out
  }

  /** A held candidate's mask, checked again (for adoption). */
  static mask(c: HeldCandidate, expect: { backboneId: string; layers: readonly LayerSpec[] }): DecodedMask {
    return decodeMask(c.bytes, {
      expectedBackboneId: expect.backboneId,
      expectedTaskKey: c.taskKey,
      expectedLayers: expect.layers
    })
  }
}

function key(taskKey: string, cid: string): string {
  return `${taskKey}\n${cid}`
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isText = (v: unknown, max = 256): v is string => typeof v === 'string' && v !== '' && v.length <= max

function readCandidate(e: unknown, expect: { backboneId: string; layers: readonly LayerSpec[] }): HeldCandidate | null {
  if (typeof e !== 'object' || e === null) return null
  const o = e as Record<string, unknown>
  if (!isText(o.taskKey) || !isText(o.cid, 128) || !isText(o.from, 128) || !isText(o.bytesCid, 128)) return null
  if (typeof o.origin !== 'string' || !isNum(o.claimedReward) || !isNum(o.verifiedReward)) return null
  if (o.currentReward !== null && !isNum(o.currentReward)) return null
  if (!isNum(o.stepsTrained) || !isNum(o.heldAt) || typeof o.bytes !== 'string') return null
  if (!(SUPPORTED_ENCODINGS as readonly unknown[]).includes(o.encoding)) return null
  const bytes = new Uint8Array(Buffer.from(o.bytes, 'base64'))
  const c: HeldCandidate = {
    taskKey: o.taskKey,
    cid: o.cid,
    from: o.from,
    origin: o.origin,
    claimedReward: o.claimedReward,
    verifiedReward: o.verifiedReward,
    currentReward: o.currentReward as number | null,
    stepsTrained: o.stepsTrained,
    heldAt: o.heldAt,
    encoding: o.encoding as MaskEncoding,
    bytes,
    bytesCid: o.bytesCid
  }
  try {
    if (contentId(bytes).toString() !== c.bytesCid) return null
    CandidateReview.mask(c, expect)
  } catch {
    return null
  }
  return c
}
