import { parseContentIdString } from '@l2d2c/protocol'
import type { StoredMask, StoredMaskInfo } from './mask-store.js'
import { infoOf } from './stored-mask.js'

/** A task's current mask changed: `previous` is what it replaced (null: none), `current` the new one. */
export interface MaskIndexChange {
  readonly previous: StoredMask | null
  readonly current: StoredMask
}

/**
 * The store's index read synchronously: the mask-exchange service answers queries and fetches
 * from it without waiting on the store's asynchronous API.
 */
export interface MaskIndexView {
  /** The current mask of a task, or null. */
  get: (taskKey: string) => StoredMask | null
  /** The current mask whose stored or BITS content id is `cid` (binary), or null. Bytes that are no CID miss. */
  byCid: (cid: Uint8Array) => StoredMask | null
  /** Every current mask, sorted by task key. */
  masks: () => StoredMask[]
  /** Summaries sorted by task key. */
  list: () => StoredMaskInfo[]
  /** Calls `listener` after every put that changes a task's current mask; returns the unsubscribe function. */
  onChange: (listener: (change: MaskIndexChange) => void) => () => void
}

/** The one in-memory index of both mask stores: the current mask per task, and by content id. */
export class MaskIndex implements MaskIndexView {
  private readonly byTask = new Map<string, StoredMask>()
  /** Current masks by binary CID (stored and BITS), as a string key: a fetch looks up in O(1). */
  private readonly byCidKey = new Map<string, StoredMask>()
  private readonly listeners = new Set<(change: MaskIndexChange) => void>()

  get(taskKey: string): StoredMask | null {
    return this.byTask.get(taskKey) ?? null
  }

  byCid(cid: Uint8Array): StoredMask | null {
    return this.byCidKey.get(cidKey(cid)) ?? null
  }

  masks(): StoredMask[] {
    return [...this.byTask.values()].sort((a, b) => (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0))
  }

  list(): StoredMaskInfo[] {
    return this.masks().map(infoOf)
  }

  onChange(listener: (change: MaskIndexChange) => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Makes `entry` its task's current mask. */
  set(entry: StoredMask): void {
    const previous = this.byTask.get(entry.taskKey) ?? null
    if (previous !== null) this.forgetCids(previous)
    this.byTask.set(entry.taskKey, entry)
    for (const key of cidKeysOf(entry)) this.byCidKey.set(key, entry)
    for (const listener of this.listeners) listener({ previous, current: entry })
  }

  has(taskKey: string): boolean {
    return this.byTask.has(taskKey)
  }

  delete(taskKey: string): boolean {
    const entry = this.byTask.get(taskKey)
    if (entry === undefined) return false
    this.forgetCids(entry)
    return this.byTask.delete(taskKey)
  }

  clear(): void {
    this.byTask.clear()
    this.byCidKey.clear()
  }

  private forgetCids(entry: StoredMask): void {
    // Two tasks never share a CID (the task key is part of the mask bytes).
    for (const key of cidKeysOf(entry)) if (this.byCidKey.get(key) === entry) this.byCidKey.delete(key)
  }
}

function cidKeysOf(entry: StoredMask): string[] {
  return [entry.cid, entry.bitsCid].map(text => cidKey(parseContentIdString(text).bytes))
}

/** A binary CID as a map key. */
export function cidKey(cid: Uint8Array): string {
  return Buffer.from(cid.buffer, cid.byteOffset, cid.byteLength).toString('base64')
}
