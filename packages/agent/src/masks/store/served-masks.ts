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
import type { MaskStore, StoredMask } from './mask-store.js'
import { BoundedMemo } from '../../util/memo.js'

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
  readonly meta: MaskMeta
}

/** What the mask-exchange service serves from: the node's masks, seen synchronously. */
export interface LocalMasks {
  readonly backboneId: string
  /** The mask held for a task, as the sharing policy sees it, or null. */
  held: (taskKey: string) => HeldMask | null
  /** Every held mask (announcements, inventory answers). */
  list: () => HeldMask[]
  /** A held mask in an encoding, by its (stored or BITS) CID or by task key; null if not held. */
  load: (target: FetchTarget, encoding: MaskEncoding) => Promise<ServedMask | null>
}

/** (mask version, encoding) pairs whose frames are kept: a few tasks in three encodings. */
const SERVED_CACHE = 32
/** Versions replaced by a newer checkpoint stay servable by CID this long (an offer may be in flight). */
const RETIRED_TTL_MS = 60_000
const RETIRED_MAX = 64

/**
 * LocalMasks over a MaskStore. The store is async; the policy must answer queries without
 * waiting, so this keeps a synchronous index that `refresh()` rebuilds after every change.
 * The frames a fetch sends never change for a given (stored mask, encoding), so they and their
 * CID are computed once and cached, keyed by the stored CID: a replaced
 * checkpoint has a new CID and gets new frames.
 */
export class ServedMasks implements LocalMasks {
  private index = new Map<string, HeldMask>()
  private current = new Map<string, StoredMask>()
  /** Current masks by binary CID (stored and BITS), as a string key: a fetch looks up in O(1). */
  private byCid = new Map<string, StoredMask>()
  /** Recently replaced masks, by binary CID key: a peer may fetch what we just offered. */
  private readonly retired = new Map<string, { mask: StoredMask; until: number }>()
  private readonly served = new BoundedMemo<EncodedFrames>(SERVED_CACHE)

  constructor(
    private readonly store: MaskStore,
    readonly backboneId: string,
    private readonly now: () => number = Date.now
  ) {}

  async refresh(): Promise<void> {
    const next = new Map<string, HeldMask>()
    const nextCurrent = new Map<string, StoredMask>()
    const nextByCid = new Map<string, StoredMask>()
    const t = this.now()
    for (const m of await this.store.list()) {
      const full = await this.store.get(m.taskKey)
      if (full === null) continue
      const bitsCid = parseContentIdString(full.bitsCid).bytes
      nextCurrent.set(m.taskKey, full)
      nextByCid.set(cidKey(parseContentIdString(full.cid).bytes), full)
      nextByCid.set(cidKey(bitsCid), full)
      const old = this.current.get(m.taskKey)
      if (old !== undefined && old.cid !== full.cid) {
        for (const text of [old.cid, old.bitsCid])
          this.retired.set(cidKey(parseContentIdString(text).bytes), { mask: old, until: t + RETIRED_TTL_MS })
      }
      next.set(m.taskKey, {
        taskKey: full.taskKey,
        reward: full.meta.reward,
        stepsTrained: full.meta.stepsTrained,
        cid: bitsCid,
        encodedSize: full.bitsSize,
        encodings: [...SUPPORTED_ENCODINGS],
        origin: full.meta.origin
      })
    }
    this.index = next
    this.current = nextCurrent
    this.byCid = nextByCid
    for (const [cid, r] of this.retired) if (r.until < t || this.retired.size > RETIRED_MAX) this.retired.delete(cid)
  }

  held(taskKey: string): HeldMask | null {
    return this.index.get(taskKey) ?? null
  }

  list(): HeldMask[] {
    return [...this.index.values()]
  }

  async load(target: FetchTarget, encoding: MaskEncoding): Promise<ServedMask | null> {
    let m: StoredMask | null
    if ('cid' in target) {
      // Bytes that are not a CID simply miss: no parsing needed.
      const key = cidKey(target.cid)
      m = this.byCid.get(key) ?? null
      if (m === null) {
        const r = this.retired.get(key)
        m = r !== undefined && r.until >= this.now() ? r.mask : null
      }
    } else {
      m = this.current.get(target.taskKey) ?? null
    }
    if (m === null) return null
    const held = m
    // The metadata is read now, not cached with the frames: a re-put of the same bytes (same
    // CID) with new metadata must be served with the new metadata.
    return { ...this.served.get(`${held.cid}:${encoding}`, () => encodedAs(held, encoding)), meta: held.meta }
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

function cidKey(cid: Uint8Array): string {
  return Buffer.from(cid.buffer, cid.byteOffset, cid.byteLength).toString('base64')
}
