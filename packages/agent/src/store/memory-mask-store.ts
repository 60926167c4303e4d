import { infoOf, makeStoredMask } from './mask-entry.js'
import type { MaskStore, StoredMask, StoredMaskInfo } from './mask-store.js'
import type { MaskMeta } from '@l2d2c/protocol'

/** An in-memory MaskStore for tests and throwaway nodes. */
export class MemoryMaskStore implements MaskStore {
  private readonly masks = new Map<string, StoredMask>()

  constructor (private readonly backboneId: string | null = null) {}

  async open (): Promise<void> {}

  async put (bytes: Uint8Array, meta: MaskMeta): Promise<StoredMaskInfo> {
    const entry = makeStoredMask(Uint8Array.from(bytes), meta, this.backboneId)
    this.masks.set(entry.taskKey, entry)
    return infoOf(entry)
  }

  async get (taskKey: string): Promise<StoredMask | null> {
    return this.masks.get(taskKey) ?? null
  }

  async getByCid (cid: string): Promise<StoredMask | null> {
    for (const m of this.masks.values()) if (m.cid === cid || m.bitsCid === cid) return m
    return null
  }

  async list (): Promise<StoredMaskInfo[]> {
    return [...this.masks.values()].map(infoOf).sort((a, b) => a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0)
  }

  async delete (taskKey: string): Promise<boolean> {
    return this.masks.delete(taskKey)
  }

  async close (): Promise<void> {}
}
