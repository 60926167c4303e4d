import { infoOf } from './stored-mask.js'
import type { StoredMask, StoredMaskInfo } from './mask-store.js'

/**
 * The in-memory index both mask stores keep: the current mask per task. (Lookups by CID are
 * the mask-exchange service's, which keeps its own synchronous index: see ServedMasks.)
 */
export class MaskIndex {
  private readonly byTask = new Map<string, StoredMask>()

  get(taskKey: string): StoredMask | null {
    return this.byTask.get(taskKey) ?? null
  }

  /** Summaries sorted by task key. */
  list(): StoredMaskInfo[] {
    return [...this.byTask.values()]
      .map(infoOf)
      .sort((a, b) => (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0))
  }

  /** Makes `entry` its task's current mask. */
  set(entry: StoredMask): void {
    this.byTask.set(entry.taskKey, entry)
  }

  has(taskKey: string): boolean {
    return this.byTask.has(taskKey)
  }

  delete(taskKey: string): boolean {
    return this.byTask.delete(taskKey)
  }

  clear(): void {
    this.byTask.clear()
  }
}
