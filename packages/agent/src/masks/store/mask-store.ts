import type { MaskEncoding, MaskMeta } from '@l2d2c/protocol'
import type { MaskIndexView } from './mask-index.js'

/**
 * Where a node keeps its task masks: at most one current mask per task key, stored in its
 * canonical encoding with the holder's metadata. Each mask is also known by the content id
 * of its BITS encoding, the id nodes announce and fetch by.
 */
export interface StoredMaskInfo {
  readonly taskKey: string
  readonly backboneId: string
  /** Encoding the mask is stored in (own masks: F32, full fidelity; received: as received). */
  readonly encoding: MaskEncoding
  /** CID (base32 text) of the stored canonical bytes. */
  readonly cid: string
  /** CID (base32 text) of the mask's BITS encoding: the id announced to peers. */
  readonly bitsCid: string
  /** Size of the BITS encoding in bytes. */
  readonly bitsSize: number
  readonly meta: MaskMeta
}

export interface StoredMask extends StoredMaskInfo {
  /** The stored canonical encoding. */
  readonly bytes: Uint8Array
  /** The BITS encoding (what is served by default). */
  readonly bitsBytes: Uint8Array
}

export interface MaskStore {
  /**
   * The store's in-memory index (current mask per task, and by content id), read synchronously;
   * it changes with every put, so views built on it never need refreshing.
   */
  readonly index: MaskIndexView
  /** Opens the store (loads an index, recovers from an interrupted write). Idempotent. */
  open(): Promise<void>
  /**
   * Stores a mask (canonical bytes of any supported encoding), replacing the task's previous
   * mask. Validates the bytes (decodes them) and refuses masks of another backbone.
   */
  put(bytes: Uint8Array, meta: MaskMeta): Promise<StoredMaskInfo>
  /** The current mask of a task, or null. */
  get(taskKey: string): Promise<StoredMask | null>
  /** Summaries of all stored masks, sorted by task key. */
  list(): Promise<StoredMaskInfo[]>
  /** Removes a task's mask; returns whether there was one. */
  delete(taskKey: string): Promise<boolean>
  close(): Promise<void>
}

/** A store refused a mask or could not read its storage. */
export class MaskStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MaskStoreError'
  }
}
