import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contentId, encodeMask, encodeMaskCompact, encodeMaskFile, readMaskFile } from '@l2d2c/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { deltaBaseOfMask, deltaBaseProvider } from '../../../../src/masks/initial-mask.js'
import { FileMaskStore } from '../../../../src/masks/store/file-mask-store.js'
import { MaskStoreError } from '../../../../src/masks/store/mask-store.js'
import { MemoryMaskStore } from '../../../../src/masks/store/memory-mask-store.js'
import { CT_BACKBONE, meta, nearInitialMask, TASK } from '../../../helpers/masks.js'

// Stores hold self-contained encodings: a DELTA mask (a put, or a file dropped into the data
// dir) is decoded against its task's base and held as its BITS encoding.

const root = mkdtempSync(join(tmpdir(), 'l2d2c-delta-store-'))
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

const MASK = nearInitialMask(0.06)
const DELTA = encodeMaskCompact(MASK, { base: deltaBaseOfMask(MASK) })
const BITS = encodeMask(MASK, 'bits')

describe('DELTA masks in the stores', () => {
  it('a put of DELTA is held as BITS (same BITS CID), and refused by a store that cannot rebuild the base', async () => {
    const store = new MemoryMaskStore(CT_BACKBONE.id, deltaBaseProvider())
    const info = await store.put(DELTA, meta(0.9))
    expect(info).toMatchObject({ encoding: 'bits', cid: contentId(BITS).toString(), bitsSize: BITS.length })
    expect((await store.get(TASK))!.bytes).toEqual(BITS)
    await expect(new MemoryMaskStore(CT_BACKBONE.id).put(DELTA, meta(0.9))).rejects.toThrow(MaskStoreError)
    await expect(new MemoryMaskStore(CT_BACKBONE.id, deltaBaseProvider(1)).put(DELTA, meta(0.9))).rejects.toThrow(
      /cannot rebuild the initial mask/
    )
  })

  it('the file store opens a DELTA file as BITS and writes BITS on put; without the base it sets the file aside', async () => {
    const dir = join(root, 'a')
    const cid = contentId(DELTA)
    const store = new FileMaskStore(dir, CT_BACKBONE.id, deltaBaseProvider())
    await store.open()
    writeFileSync(join(dir, FileMaskStore.fileName(TASK)), encodeMaskFile(DELTA, meta(0.9), { cid }))
    await store.close()
    await store.open()
    expect(store.quarantined).toEqual([])
    expect(await store.get(TASK)).toMatchObject({ encoding: 'bits', bitsCid: contentId(BITS).toString() })
    await store.put(DELTA, meta(0.95))
    const file = readMaskFile(new Uint8Array(readFileSync(join(dir, FileMaskStore.fileName(TASK)))))
    expect(file.header.encoding).toBe('bits')

    const other = join(root, 'b')
    const plain = new FileMaskStore(other, CT_BACKBONE.id)
    await plain.open()
    writeFileSync(join(other, FileMaskStore.fileName(TASK)), encodeMaskFile(DELTA, meta(0.9), { cid }))
    await plain.close()
    await plain.open()
    expect(plain.quarantined[0]?.reason).toMatch(/MISSING_BASE|initial mask/)
    expect(readdirSync(other)).not.toContain(FileMaskStore.fileName(TASK))
  })
})
