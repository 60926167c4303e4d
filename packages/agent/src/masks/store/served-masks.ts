import {
  chunkMask,
  contentIdBytes,
  decodeMask,
  encodeChunk,
  encodeMask,
  MAX_CHUNK_BYTES,
  parseContentIdString,
  SUPPORTED_ENCODINGS,
  type FetchTarget,
  type MaskEncoding,
  type MaskMeta
} from '@l2d2c/protocol'
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

/** A held mask ready to send, with the holder's metadata as stored now. */
export interface ServedMask extends EncodedFrames {
  readonly taskKey: string
  readonly meta: MaskMeta
}

/** (mask version, encoding) pairs whose frames are kept: a few tasks in three encodings. */
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
 */
export class ServedMasks {
  /** Recently replaced masks, by binary CID key. */
  private readonly retired = new Map<string, { mask: StoredMask; until: number }>()
  private readonly served = new BoundedMemo<EncodedFrames>(SERVED_CACHE)
  /** Each stored mask as the policy sees it (computed once per stored version). */
  private readonly heldOf = new WeakMap<StoredMask, HeldMask>()
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly index: MaskIndexView,
    readonly backboneId: string,
    private readonly now: () => number = Date.now
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

  /** A held mask in an encoding, by its (stored or BITS) CID or by task key; null if not held. */
  async load(target: FetchTarget, encoding: MaskEncoding): Promise<ServedMask | null> {
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
    // The metadata is read now, not cached with the frames: a re-put of the same bytes (same
    // CID) with new metadata must be served with the new metadata.
    return {
      ...this.served.get(`${held.cid}:${encoding}`, () => encodedAs(held, encoding)),
      taskKey: held.taskKey,
      meta: held.meta
    }
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

  private asHeld(m: StoredMask): HeldMask {
    let held = this.heldOf.get(m)
    if (held === undefined) {
      held = {
        taskKey: m.taskKey,
        reward: m.meta.reward,
        stepsTrained: m.meta.stepsTrained,
        cid: parseContentIdString(m.bitsCid).bytes,
        encodedSize: m.bitsSize,
        encodings: [...SUPPORTED_ENCODINGS],
        origin: m.meta.origin
      }
      this.heldOf.set(m, held)
    }
    return held
  }
}

function encodedAs(m: StoredMask, encoding: MaskEncoding): EncodedFrames {
  let bytes: Uint8Array
  let cid: Uint8Array
  if (encoding === 'bits') {
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
