import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CORRUPT_MASKS_DIR,
  encodeMaskFile,
  isProtocolError,
  MAX_MASK_FILE_BYTES,
  parseContentIdString,
  readVerifiedMaskFile,
  ProtocolError,
  type MaskHeader,
  type MaskMeta
} from '@l2d2c/protocol'
import type { DeltaBaseProvider } from '../initial-mask.js'
import { isTempFile, writeFileAtomic } from '../../util/atomic-file.js'
import { infoOf, makeStoredMask } from './stored-mask.js'
import { MaskIndex } from './mask-index.js'
import { MaskStoreError, type MaskStore, type StoredMask, type StoredMaskInfo } from './mask-store.js'

/**
 * One file per task mask under `dir`, in the protocol's mask file format, named after the
 * task key ('/' becomes '+', which task keys never contain). Writes are atomic (temp file +
 * fsync + rename), so a crash leaves either the old or the new mask, never a torn file.
 * At open, every file is verified (envelope, content id, task key vs. name, backbone); a
 * file that fails is moved to `dir/corrupt/` and reported, never silently used or deleted.
 *
 * With `deltaBase` (the bases this node can rebuild) the store also takes DELTA masks, from a
 * put or a file dropped into `dir` (`l2d2c mask convert --encoding delta`); it holds them as
 * their BITS encoding (makeStoredMask) and writes BITS on put. Without it a DELTA file is
 * refused like any other file it cannot verify.
 */
export class FileMaskStore implements MaskStore {
  readonly index = new MaskIndex()
  private opened = false
  /** Files moved aside at open, with the reason (for logs and status). */
  readonly quarantined: Array<{ file: string; reason: string }> = []

  constructor(
    readonly dir: string,
    private readonly backboneId: string | null = null,
    private readonly deltaBase?: DeltaBaseProvider
  ) {}

  static fileName(taskKey: string): string {
    return `${taskKey.replaceAll('/', '+')}.l2dm`
  }

  async open(): Promise<void> {
    if (this.opened) return
    await mkdir(this.dir, { recursive: true })
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name)
      if (isTempFile(name)) {
        await rm(path, { force: true }) // an interrupted write: the previous file is intact
        continue
      }
      if (!name.endsWith('.l2dm')) continue
      try {
        const entry = await this.load(path, name)
        this.index.set(entry)
      } catch (err) {
        const reason = (err as Error).message
        await this.quarantine(path, name)
        this.quarantined.push({ file: name, reason })
      }
    }
    this.opened = true
  }

  private async load(path: string, name: string): Promise<StoredMask> {
    const info = await stat(path)
    if (info.size > MAX_MASK_FILE_BYTES) throw new MaskStoreError(`${name} is larger than any mask file`)
    const deltaBase = this.deltaBase
    const file = readVerifiedMaskFile(await readFile(path), {
      ...(this.backboneId !== null ? { expectedBackboneId: this.backboneId } : {}),
      ...(deltaBase !== undefined ? { deltaBase: (h: MaskHeader) => deltaBase(h) ?? noBase(h) } : {})
    }) // decodes once, checks CID and backbone
    if (FileMaskStore.fileName(file.header.taskKey) !== name)
      throw new MaskStoreError(`${name} holds the mask of ${file.header.taskKey}`)
    return makeStoredMask(file.maskBytes, file.meta, this.backboneId, { cid: file.cid, mask: file.mask })
  }

  private async quarantine(path: string, name: string): Promise<void> {
    const dir = join(this.dir, CORRUPT_MASKS_DIR)
    await mkdir(dir, { recursive: true })
    await rename(path, join(dir, `${name}.${Date.now()}`)).catch(async () => {
      await rm(path, { force: true })
    })
  }

  private assertOpen(): void {
    if (!this.opened) throw new MaskStoreError('the mask store is not open')
  }

  async put(bytes: Uint8Array, meta: MaskMeta): Promise<StoredMaskInfo> {
    this.assertOpen()
    const entry = makeStoredMask(Uint8Array.from(bytes), meta, this.backboneId, undefined, this.deltaBase)
    let file: Uint8Array
    try {
      // makeStoredMask has just decoded the bytes and computed their CID: not done twice.
      file = encodeMaskFile(entry.bytes, entry.meta, { cid: parseContentIdString(entry.cid) })
    } catch (err) {
      if (isProtocolError(err))
        throw new MaskStoreError(`refusing mask metadata (${err.code}): ${err.message}`, { cause: err })
      throw err
    }
    await writeFileAtomic(join(this.dir, FileMaskStore.fileName(entry.taskKey)), file)
    this.index.set(entry)
    return infoOf(entry)
  }

  async get(taskKey: string): Promise<StoredMask | null> {
    this.assertOpen()
    return this.index.get(taskKey)
  }

  async list(): Promise<StoredMaskInfo[]> {
    this.assertOpen()
    return this.index.list()
  }

  async delete(taskKey: string): Promise<boolean> {
    this.assertOpen()
    if (!this.index.has(taskKey)) return false
    await rm(join(this.dir, FileMaskStore.fileName(taskKey)), { force: true })
    this.index.delete(taskKey)
    return true
  }

  async close(): Promise<void> {
    this.index.clear()
    this.opened = false
  }
}

function noBase(header: MaskHeader): never {
  throw new ProtocolError(
    'MISSING_BASE',
    `this node cannot rebuild the initial mask of ${header.taskKey} on backbone ${header.backboneId}, which this DELTA mask is coded against`
  )
}
