import { infoOf } from './mask-entry.js'
import type { StoredMask, StoredMaskInfo } from './mask-store.js'

/**
 * The in-memory index both mask stores keep: the current mask per task, and every current
 * mask by its stored CID and its BITS CID (so a lookup by CID is a map access, not a scan).
 */
export class MaskIndex {
  private readonly byTask = new Map<string, StoredMask>()
  private readonly byCid = new Map<string, StoredMask>()

  get (taskKey: string): StoredMask | null {
    return this.byTask.get(taskKey) ?? null
  }

  getByCid (cid: string): StoredMask | null {
    return this.byCid.get(cid) ?? null
  }

  /** Summaries sorted by task key. */
  list (): StoredMaskInfo[] {
    return [...this.byTask.values()].map(infoOf).sort((a, b) => a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0)
  }

  /** Makes `entry` its task's current mask (the previous one is no longer found by its CIDs). */
  set (entry: StoredMask): void {
    this.delete(entry.taskKey)
    this.byTask.set(entry.taskKey, entry)
    this.byCid.set(entry.cid, entry)
    this.byCid.set(entry.bitsCid, entry)
  }

  has (taskKey: string): boolean {
    return this.byTask.has(taskKey)
  }

  delete (taskKey: string): boolean {
    const old = this.byTask.get(taskKey)
    if (old === undefined) return false
    this.byTask.delete(taskKey)
    // Two tasks never share a CID (the task key is inside the encoded bytes), but be exact anyway.
    for (const cid of [old.cid, old.bitsCid]) if (this.byCid.get(cid) === old) this.byCid.delete(cid)
    return true
  }

  clear (): void {
    this.byTask.clear()
    this.byCid.clear()
  }
}
