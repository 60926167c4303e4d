import { decodeMask, encodeMask, parseContentId, parseContentIdString, SUPPORTED_ENCODINGS, type FetchTarget, type MaskEncoding, type MaskMeta } from '@l2d2c/protocol'
import type { HeldMask } from '../../sharing/strategy.js'
import type { MaskStore, StoredMask } from '../../store/mask-store.js'

/** What the mask-exchange service serves from: the node's masks, seen synchronously. */
export interface LocalMasks {
  readonly backboneId: string
  /** The mask held for a task, as the sharing policy sees it, or null. */
  held: (taskKey: string) => HeldMask | null
  /** Every held mask (announcements, inventory answers). */
  list: () => HeldMask[]
  /** Canonical bytes of a held mask in an encoding, by its BITS CID or by task key. */
  load: (target: FetchTarget, encoding: MaskEncoding) => Promise<{ bytes: Uint8Array, meta: MaskMeta } | null>
}

const CONVERSION_CACHE = 32
/** Versions replaced by a newer checkpoint stay servable by CID this long (an offer may be in flight). */
const RETIRED_TTL_MS = 60_000
const RETIRED_MAX = 64

/**
 * LocalMasks over a MaskStore. The store is async; the policy must answer queries without
 * waiting, so this keeps a synchronous index that `refresh()` rebuilds after every change.
 * Encodings other than the stored one and BITS are converted on demand and cached.
 */
export class StoreMasks implements LocalMasks {
  private index = new Map<string, HeldMask>()
  private readonly conversions = new Map<string, Uint8Array>()
  /** Recently replaced masks, by stored CID and BITS CID: a peer may fetch what we just offered. */
  private readonly retired = new Map<string, { mask: StoredMask, until: number }>()
  private current = new Map<string, StoredMask>()

  constructor (private readonly store: MaskStore, readonly backboneId: string, private readonly now: () => number = Date.now) {}

  async refresh (): Promise<void> {
    const next = new Map<string, HeldMask>()
    const nextCurrent = new Map<string, StoredMask>()
    const t = this.now()
    for (const m of await this.store.list()) {
      const full = await this.store.get(m.taskKey)
      if (full !== null) {
        nextCurrent.set(m.taskKey, full)
        const old = this.current.get(m.taskKey)
        if (old !== undefined && old.cid !== full.cid) {
          this.retired.set(old.cid, { mask: old, until: t + RETIRED_TTL_MS })
          this.retired.set(old.bitsCid, { mask: old, until: t + RETIRED_TTL_MS })
        }
      }
      next.set(m.taskKey, {
        taskKey: m.taskKey,
        reward: m.meta.reward,
        stepsTrained: m.meta.stepsTrained,
        cid: parseContentIdString(m.bitsCid).bytes,
        encodedSize: m.bitsSize,
        encodings: [...SUPPORTED_ENCODINGS],
        origin: m.meta.origin
      })
    }
    this.index = next
    this.current = nextCurrent
    for (const [cid, r] of this.retired) if (r.until < t || this.retired.size > RETIRED_MAX) this.retired.delete(cid)
  }

  held (taskKey: string): HeldMask | null {
    return this.index.get(taskKey) ?? null
  }

  list (): HeldMask[] {
    return [...this.index.values()]
  }

  async load (target: FetchTarget, encoding: MaskEncoding): Promise<{ bytes: Uint8Array, meta: MaskMeta } | null> {
    let m: StoredMask | null
    if ('cid' in target) {
      const cid = parseContentId(target.cid).toString()
      m = await this.store.getByCid(cid)
      if (m === null) {
        const r = this.retired.get(cid)
        m = r !== undefined && r.until >= this.now() ? r.mask : null
      }
    } else {
      m = await this.store.get(target.taskKey)
    }
    if (m === null) return null
    return { bytes: this.encoded(m, encoding), meta: m.meta }
  }

  private encoded (m: StoredMask, encoding: MaskEncoding): Uint8Array {
    if (encoding === 'bits') return m.bitsBytes
    if (encoding === m.encoding) return m.bytes
    const key = `${m.cid}:${encoding}`
    const hit = this.conversions.get(key)
    if (hit !== undefined) return hit
    const bytes = encodeMask(decodeMask(m.bytes), encoding)
    if (this.conversions.size >= CONVERSION_CACHE) this.conversions.delete(this.conversions.keys().next().value as string)
    this.conversions.set(key, bytes)
    return bytes
  }
}
