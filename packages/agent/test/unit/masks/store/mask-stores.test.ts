import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeMask } from '@l2d2c/protocol'
import { FileMaskStore } from '../../../../src/masks/store/file-mask-store.js'
import { MemoryMaskStore } from '../../../../src/masks/store/memory-mask-store.js'
import { BACKBONE, maskStoreComplianceSuite, meta, testMask } from '../../../suites/mask-store-compliance.js'

const root = mkdtempSync(join(tmpdir(), 'l2d2c-store-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const freshDir = (): string => join(root, `s${n++}`)

maskStoreComplianceSuite('MemoryMaskStore', async () => {
  const s = new MemoryMaskStore(BACKBONE)
  await s.open()
  return s
})
maskStoreComplianceSuite('FileMaskStore', async () => {
  const s = new FileMaskStore(freshDir(), BACKBONE)
  await s.open()
  return s
})

describe('FileMaskStore persistence', () => {
  it('a reopened store holds the same masks and metadata (restart)', async () => {
    const dir = freshDir()
    const a = new FileMaskStore(dir, BACKBONE)
    await a.open()
    await a.put(encodeMask(testMask('ctgraph/d2b2/img1/leaf00', 1), 'f32'), meta(0.8, 100))
    await a.put(encodeMask(testMask('ctgraph/d2b2/img1/leaf01', 2), 'bits'), meta(0.9, 200))
    const before = await a.list()
    await a.close()
    const b = new FileMaskStore(dir, BACKBONE)
    await b.open()
    expect(await b.list()).toEqual(before)
    expect(b.quarantined).toEqual([])
  })

  it('writes one file per task in the mask file format, named after the key', async () => {
    const dir = freshDir()
    const s = new FileMaskStore(dir, BACKBONE)
    await s.open()
    await s.put(encodeMask(testMask('ctgraph/d2b2/img3/leaf10', 1), 'f32'), meta(1))
    expect(readdirSync(dir)).toEqual(['ctgraph+d2b2+img3+leaf10.l2dm'])
    expect(readFileSync(join(dir, 'ctgraph+d2b2+img3+leaf10.l2dm')).subarray(0, 4).toString()).toBe('L2DF')
  })

  it('quarantines corrupt, truncated and misnamed files at open instead of using or deleting them', async () => {
    const dir = freshDir()
    const s = new FileMaskStore(dir, BACKBONE)
    await s.open()
    await s.put(encodeMask(testMask('t/good', 1), 'f32'), meta(1))
    await s.put(encodeMask(testMask('t/flipped', 2), 'f32'), meta(1))
    await s.put(encodeMask(testMask('t/short', 3), 'f32'), meta(1))
    await s.close()
    const flipped = readFileSync(join(dir, 't+flipped.l2dm'))
    flipped[flipped.length - 5]! ^= 0xff
    writeFileSync(join(dir, 't+flipped.l2dm'), flipped)
    writeFileSync(join(dir, 't+short.l2dm'), readFileSync(join(dir, 't+short.l2dm')).subarray(0, 30))
    writeFileSync(join(dir, 't+renamed.l2dm'), readFileSync(join(dir, 't+good.l2dm')))
    const r = new FileMaskStore(dir, BACKBONE)
    await r.open()
    expect((await r.list()).map(m => m.taskKey)).toEqual(['t/good'])
    expect(r.quarantined.map(q => q.file).sort()).toEqual(['t+flipped.l2dm', 't+renamed.l2dm', 't+short.l2dm'])
    expect(readdirSync(join(dir, 'corrupt')).length).toBe(3)
  })

  it('drops leftover temp files of an interrupted write and keeps the previous mask', async () => {
    const dir = freshDir()
    const s = new FileMaskStore(dir, BACKBONE)
    await s.open()
    const bytes = encodeMask(testMask('t/a', 1), 'f32')
    await s.put(bytes, meta(0.5))
    await s.close()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, '.t+a.l2dm.abcdef.tmp'), Buffer.from('half a mask'))
    const r = new FileMaskStore(dir, BACKBONE)
    await r.open()
    expect(readdirSync(dir)).toEqual(['t+a.l2dm'])
    expect(Buffer.compare((await r.get('t/a'))!.bytes, bytes)).toBe(0)
  })

  it('refuses use before open', async () => {
    const s = new FileMaskStore(freshDir(), BACKBONE)
    await expect(s.list()).rejects.toThrow(/not open/)
  })
})
