import { infoOf, makeStoredMask } from './stored-mask.js'
import { MaskIndex } from './mask-index.js'
import type { MaskStore, StoredMask, StoredMaskInfo } from './mask-store.js'
import type { MaskMeta } from '@l2d2c/protocol'
import type { DeltaBaseProvider } from '../initial-mask.js'

/** An in-memory MaskStore for tests and throwaway nodes. */
export class MemoryMaskStore implements MaskStore {
  readonly index = new MaskIndex()

  /** `deltaBase`: to take DELTA masks (kept as BITS, see makeStoredMask); without it they are refused. */
  constructor(
    private readonly backboneId: string | null = null,
    private readonly deltaBase?: DeltaBaseProvider
  ) {}

  async open(): Promise<void> {}

  async put(bytes: Uint8Array, meta: MaskMeta): Promise<StoredMaskInfo> {
    const entry = makeStoredMask(Uint8Array.from(bytes), meta, this.backboneId, undefined, this.deltaBase)
    this.index.set(entry)
    return infoOf(entry)
  }

  async get(taskKey: string): Promise<StoredMask | null> {
    return this.index.get(taskKey)
  }

  async list(): Promise<StoredMaskInfo[]> {
    return this.index.list()
  }

  async delete(taskKey: string): Promise<boolean> {
    return this.index.delete(taskKey)
  }

  async close(): Promise<void> {}
}
