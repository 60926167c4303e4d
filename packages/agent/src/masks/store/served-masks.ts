import {
  chunkMask,
  contentIdBytes,
  decodeMask,
  encodedMaskSize,
  encodeChunk,
  encodeMask,
  encodeMaskCompact,
  MAX_CHUNK_BYTES,
  parseContentIdString,
  ProtocolError,
  readMaskHeader,
  SUPPORTED_ENCODINGS,
  type FetchTarget,
  type MaskEncoding,
  type MaskMeta
} from '@l2d2c/protocol'
import type { DeltaBaseProvider } from '../initial-mask.js'
import type { HeldMask } from '../../sharing/policy/strategy.js'
import { BoundedMemo } from '../../util/memo.js'
import { cidKey, type MaskIndexChange, type MaskIndexView } from './mask-index.js'
import type { StoredMask } from './mask-store.js'

/** A held mask's bytes in one encoding, ready to send: their size, their CID and the chunk frames. */
interface EncodedFrames {
  /** Length of the encoded bytes (the frames carry the bytes themselves: not kept twice). */
  readonly totalSize: number
  /** Binary CID of the encoded bytes (the transfer header's cid). */
  readonly cid: Uint8Array
  readonly chunkSize: number
  /** Encoded MaskChunk messages, in order (without length prefixes). */
  readonly frames: readonly Uint8Array[]
}

/** A held mask ready to send, in the encoding chosen for the request, with the holder's metadata as stored now. */
export interface ServedMask extends EncodedFrames {
  readonly taskKey: string
  readonly encoding: MaskEncoding
  readonly meta: MaskMeta
}

/** (mask version, encoding) pairs whose frames are kept: a few tasks in four encodings. */
const SERVED_CACHE = 32
/** Versions replaced by a newer checkpoint stay servable by CID this long (an offer may be in flight). */
const RETIRED_TTL_MS = 60_000
const RETIRED_MAX = 64

/**
 * The masks this agent serves, as the mask exchange sees them: read synchronously from the
 * store's index (the sharing policy answers queries without waiting), with the frames a fetch
 * sends. Those never change for a given (stored mask, encoding), so they and their CID are
 * computed once and cached, keyed by the stored CID: a replaced checkpoint has a new CID and gets
 * new frames. A replaced version stays servable by CID for a while, since a peer may fetch what
 * was just offered.
 *
 * DELTA is produced here, from the stored mask and the task's base, when a request accepts it
 * and this node can rebuild that base (`deltaBase`): stores keep self-contained encodings only
 * (makeStoredMask), so a DELTA transfer costs one encoding per mask version (~1 ms, then
 * cached), and a node that cannot rebuild a base (another backbone seed) still serves BITS.
 */
export class ServedMasks {
  /** Recently replaced masks, by binary CID key. */
  private readonly retired = new Map<string, { mask: StoredMask; until: number }>()
  private readonly served = new BoundedMemo<EncodedFrames | null>(SERVED_CACHE)
  /** Each stored mask as the policy sees it (computed once per stored version). */
  private readonly heldOf = new WeakMap<StoredMask, HeldMask>()
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly index: MaskIndexView,
    readonly backboneId: string,
    private readonly now: () => number = Date.now,
    private readonly deltaBase: DeltaBaseProvider | null = null
  ) {
    index.onChange(change => {
      this.replaced(change)
    })
  }

  /** Calls `listener` whenever the held masks change (the announcer re-announces); returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** The mask held for a task, as the sharing policy sees it, or null. */
  held(taskKey: string): HeldMask | null {
    const m = this.index.get(taskKey)
    return m === null ? null : this.asHeld(m)
  }

  /** Every held mask (announcements, inventory answers). */
  list(): HeldMask[] {
    return this.index.masks().map(m => this.asHeld(m))
  }

  /**
   * A held mask, by its (stored or BITS) CID or by task key, in the smallest of the `accepted`
   * encodings this node can produce for it (equal sizes: the earlier one); null if not held.
   * Throws ProtocolError UNSUPPORTED_ENCODING when it cannot be produced in any of them (DELTA
   * alone, without the base or larger than BITS).
   */
  async load(target: FetchTarget, accepted: MaskEncoding | readonly MaskEncoding[]): Promise<ServedMask | null> {
    let m: StoredMask | null
    if ('cid' in target) {
      m = this.index.byCid(target.cid)
      if (m === null) {
        const r = this.retired.get(cidKey(target.cid))
        m = r !== undefined && r.until >= this.now() ? r.mask : null
      }
    } else {
      m = this.index.get(target.taskKey)
    }
    if (m === null) return null
    const held = m
    const list = typeof accepted === 'string' ? [accepted] : accepted
    let best: { encoding: MaskEncoding; size: number } | null = null
    for (const encoding of list) {
      const size = this.sizeIn(held, encoding)
      if (size !== null && (best === null || size < best.size)) best = { encoding, size }
    }
    if (best === null)
      throw new ProtocolError('UNSUPPORTED_ENCODING', `this mask cannot be sent as ${list.join(' or ')}`)
    const encoding = best.encoding
    const frames = this.frames(held, encoding) as EncodedFrames
    // The metadata is read now, not cached with the frames: a re-put of the same bytes (same
    // CID) with new metadata must be served with the new metadata.
    return { ...frames, taskKey: held.taskKey, encoding, meta: held.meta }
  }

  /** Whether this node can ever serve `encoding` (DELTA: only with bases it can rebuild). */
  serves(encoding: MaskEncoding): boolean {
    return SUPPORTED_ENCODINGS.includes(encoding) || (encoding === 'delta' && this.deltaBase !== null)
  }

  /**
   * The size of each encoding this node can serve a held task mask in (`masks --json`); DELTA
   * is left out where it cannot be produced. Null if no mask is held for the task.
   */
  sizes(taskKey: string): Partial<Record<MaskEncoding, number>> | null {
    const m = this.index.get(taskKey)
    if (m === null) return null
    const sizes: Partial<Record<MaskEncoding, number>> = {}
    for (const e of ['delta', ...SUPPORTED_ENCODINGS] as const) {
      const size = this.sizeIn(m, e)
      if (size !== null) sizes[e] = size
    }
    return sizes
  }

  /** Bytes of `m` in `encoding`, or null when this node cannot produce it. */
  private sizeIn(m: StoredMask, encoding: MaskEncoding): number | null {
    if (encoding === 'bits') return m.bitsSize
    if (encoding === 'delta') return this.frames(m, 'delta')?.totalSize ?? null
    if (!SUPPORTED_ENCODINGS.includes(encoding)) return null
    return encoding === m.encoding ? m.bytes.length : encodedMaskSize(readMaskHeader(m.bitsBytes), encoding)
  }

  /** The frames of `m` in `encoding` (cached per stored version); null: DELTA cannot be produced. */
  private frames(m: StoredMask, encoding: MaskEncoding): EncodedFrames | null {
    return this.served.get(`${m.cid}:${encoding}`, () => encodedAs(m, encoding, this.deltaBase))
  }

  private replaced({ previous, current }: MaskIndexChange): void {
    const t = this.now()
    if (previous !== null && previous.cid !== current.cid) {
      for (const text of [previous.cid, previous.bitsCid])
        this.retired.set(cidKey(parseContentIdString(text).bytes), { mask: previous, until: t + RETIRED_TTL_MS })
    }
    for (const [cid, r] of this.retired) if (r.until < t || this.retired.size > RETIRED_MAX) this.retired.delete(cid)
    for (const listener of this.listeners) listener()
  }

  private canDelta(m: StoredMask): boolean {
    return this.deltaBase !== null && this.deltaBase(readMaskHeader(m.bitsBytes)) !== null
  }

  private asHeld(m: StoredMask): HeldMask {
    let held = this.heldOf.get(m)
    if (held === undefined) {
      held = {
        taskKey: m.taskKey,
        reward: m.meta.reward,
        stepsTrained: m.meta.stepsTrained,
        cid: parseContentIdString(m.bitsCid).bytes,
        encodedSize: m.bitsSize,
        // DELTA is listed where this node can rebuild the task's base; a mask further from it
        // than BITS is large is then still served as BITS to a fetch that accepts both.
        encodings: this.canDelta(m) ? ['delta', ...SUPPORTED_ENCODINGS] : [...SUPPORTED_ENCODINGS],
        origin: m.meta.origin
      }
      this.heldOf.set(m, held)
    }
    return held
  }
}

function encodedAs(m: StoredMask, encoding: MaskEncoding, deltaBase: DeltaBaseProvider | null): EncodedFrames | null {
  let bytes: Uint8Array
  let cid: Uint8Array
  if (encoding === 'delta') {
    const base = deltaBase?.(readMaskHeader(m.bitsBytes)) ?? null
    if (base === null) return null
    // From BITS: DELTA carries the same signs and per-layer magnitudes, whatever is stored.
    bytes = encodeMaskCompact(decodeMask(m.bitsBytes), { base })
    if (readMaskHeader(bytes).encoding !== 'delta') return null // BITS would be smaller
    cid = contentIdBytes(bytes)
  } else if (encoding === 'bits') {
    bytes = m.bitsBytes
    cid = parseContentIdString(m.bitsCid).bytes
  } else if (encoding === m.encoding) {
    bytes = m.bytes
    cid = parseContentIdString(m.cid).bytes
  } else {
    bytes = encodeMask(decodeMask(m.bytes), encoding)
    cid = contentIdBytes(bytes)
  }
  return {
    totalSize: bytes.length,
    cid,
    chunkSize: MAX_CHUNK_BYTES,
    frames: chunkMask(bytes, MAX_CHUNK_BYTES).map(encodeChunk)
  }
}
