import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { contentId, encodeMask, encodeMaskFile, type Mask } from '@l2d2c/protocol'
import { runInProcess } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'l2d2c-inspect-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const mask: Mask = {
  taskKey: 'ctgraph/d2b2/img2/leaf11',
  backboneId: '0123456789abcdef0123456789abcdef',
  layers: [
    { name: 'body.0', shape: [200, 144], scores: Float32Array.from({ length: 28_800 }, (_, i) => Math.sin(i)) },
    { name: 'policy', shape: [3, 200], scores: Float32Array.from({ length: 600 }, (_, i) => Math.cos(i)) }
  ]
}
const maskBytes = encodeMask(mask, 'bits')
const good = join(dir, 'good.l2dm')
writeFileSync(
  good,
  encodeMaskFile(maskBytes, {
    reward: 0.95,
    stepsTrained: 12_800,
    origin: '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM',
    createdAtMs: 1_790_000_000_000
  })
)

describe('l2d2c mask inspect', () => {
  it('--json prints one document describing the mask', async () => {
    const r = await runInProcess(['mask', 'inspect', good, '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({
      taskKey: mask.taskKey,
      backboneId: mask.backboneId,
      encoding: 'bits',
      layers: [
        { name: 'body.0', shape: [200, 144] },
        { name: 'policy', shape: [3, 200] }
      ],
      weights: 29_400,
      bytes: maskBytes.length,
      cid: contentId(maskBytes).toString(),
      cidValid: true,
      stepsTrained: 12_800
    })
  })

  it('prints a readable summary without --json', async () => {
    const r = await runInProcess(['mask', 'inspect', good])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(mask.taskKey)
    expect(r.stdout).toContain('(valid)')
    expect(r.stdout).toContain('200 x 144')
  })

  it('exits 3 with a clear message for a corrupt payload, still describing it with cidValid false', async () => {
    const bytes = encodeMaskFile(maskBytes, { reward: 0.95, stepsTrained: 1, origin: '', createdAtMs: 0 })
    bytes[bytes.length - 3]! ^= 0xff
    const bad = join(dir, 'flipped.l2dm')
    writeFileSync(bad, bytes)
    const r = await runInProcess(['mask', 'inspect', bad, '--json'])
    expect(r.code).toBe(3)
    expect(JSON.parse(r.stdout).cidValid).toBe(false)
    expect(r.stderr).toMatch(/corrupt/)
  })

  it('exits 3 for truncated, foreign and missing files', async () => {
    const truncated = join(dir, 'truncated.l2dm')
    writeFileSync(
      truncated,
      encodeMaskFile(maskBytes, { reward: 1, stepsTrained: 1, origin: '', createdAtMs: 0 }).subarray(0, 50)
    )
    const foreign = join(dir, 'foreign.txt')
    writeFileSync(foreign, 'hello world, not a mask')
    for (const f of [truncated, foreign, join(dir, 'missing.l2dm')]) {
      const r = await runInProcess(['mask', 'inspect', f, '--json'])
      expect(r.code, f).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/not a valid mask file|cannot read/)
    }
  })
})
