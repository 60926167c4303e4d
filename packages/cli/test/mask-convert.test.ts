import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { backboneOfMask, initialMaskBase } from '@l2d2c/agent'
import { contentId, DeltaBase, encodeMask, encodeMaskFile, type Mask, maskDigest, readMaskFile } from '@l2d2c/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../src/program.js'

/** Runs `l2d2c ARGV` in this process (program.ts's run) and captures what it writes. */
async function l2d2c(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk))
        done()
      }
    })
  const code = await run(argv, {
    stdout: sink(s => {
      stdout += s
    }),
    stderr: sink(s => {
      stderr += s
    }),
    env: {}
  })
  return { code, stdout, stderr }
}

const dir = mkdtempSync(join(tmpdir(), 'l2d2c-convert-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// The CT-graph backbone of seed 9157 (backboneOfMask recomputes and checks this id).
const TASK = 'ctgraph/d2b2/img1/leaf10'
const backbone = backboneOfMask({
  backboneId: '7e7ce5d515d5a2b162a10cdc7590e5fe',
  layers: [
    { name: 'body.0', shape: [200, 144] },
    { name: 'body.1', shape: [200, 200] },
    { name: 'body.2', shape: [200, 200] },
    { name: 'policy', shape: [3, 200] },
    { name: 'value', shape: [1, 200] }
  ]
})
const base = initialMaskBase(backbone, TASK)

/** A mask that left its initial mask in ~6% of weights, mostly near the threshold, as training does. */
function trainedLike(flipRate: (cls: number) => number): Mask {
  let x = 12345
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    return x / 2 ** 32
  }
  return {
    taskKey: TASK,
    backboneId: backbone.id,
    layers: backbone.layers.map((l, li) => {
      const b = base.layers[li]!
      const scores = Float32Array.from(b.initialBits, (bit, i) => {
        const on = (bit === 1) !== next() < flipRate(b.classes[i]!)
        return (on ? 1 : -1) * (0.01 + 0.1 * next())
      })
      return { name: l.name, shape: [l.outSize, l.inSize], scores }
    })
  }
}

const meta = { reward: 0.96, stepsTrained: 3840, origin: '', createdAtMs: 1_790_000_000_000 }
const trained = trainedLike(q => [0.3, 0.12, 0.05, 0.02, 0.01, 0.004, 0.002, 0.001][q]!)
const f32File = join(dir, 'trained.f32.l2dm')
writeFileSync(f32File, encodeMaskFile(encodeMask(trained, 'f32'), meta))

describe('l2d2c mask convert and inspect (DELTA)', () => {
  it('converts F32 to DELTA and back to BITS: same policy (mask digest), same metadata', async () => {
    const deltaFile = join(dir, 'trained.delta.l2dm')
    const toDelta = await l2d2c('mask', 'convert', f32File, '--encoding', 'delta', '--out', deltaFile, '--json')
    expect(toDelta.code, toDelta.stderr).toBe(0)
    const d = JSON.parse(toDelta.stdout)
    expect(d).toMatchObject({ from: 'f32', requested: 'delta', encoding: 'delta', maskDigest: maskDigest(trained) })
    expect(d.bytes * 2.3).toBeLessThan(encodeMask(trained, 'bits').length)
    expect(readMaskFile(readFileSync(deltaFile), { deltaBase: base }).meta).toEqual(meta)

    const bitsFile = join(dir, 'trained.bits.l2dm')
    const toBits = await l2d2c('mask', 'convert', deltaFile, '--encoding', 'bits', '--out', bitsFile, '--json')
    expect(toBits.code, toBits.stderr).toBe(0)
    expect(JSON.parse(toBits.stdout)).toMatchObject({ from: 'delta', encoding: 'bits', maskDigest: d.maskDigest })
    // DELTA carries what BITS carries: the round trip gives the BITS encoding of the original, byte for byte.
    expect(Uint8Array.from(readMaskFile(readFileSync(bitsFile)).maskBytes)).toEqual(encodeMask(trained, 'bits'))
  })

  it('inspect --json reports ones and the mask digest, equal across encodings', async () => {
    const deltaFile = join(dir, 'inspect.delta.l2dm')
    expect((await l2d2c('mask', 'convert', f32File, '--encoding', 'delta', '--out', deltaFile)).code).toBe(0)
    const ones = trained.layers.reduce((n, l) => n + l.scores.filter(v => v >= 0).length, 0)
    for (const [file, encoding] of [
      [f32File, 'f32'],
      [deltaFile, 'delta']
    ]) {
      const r = await l2d2c('mask', 'inspect', file!, '--json')
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({ encoding, ones, maskDigest: maskDigest(trained), cidValid: true })
    }
    const human = await l2d2c('mask', 'inspect', deltaFile)
    expect(human.stdout).toContain(`mask digest  ${maskDigest(trained)}`)
    expect(human.stdout).toContain(`${ones.toLocaleString('en-US')} of 109,600 weights on`)
  })

  it('writes BITS, and says so, when DELTA would be larger (a mask far from its initial one)', async () => {
    const far = trainedLike(() => 0.5)
    const file = join(dir, 'far.f32.l2dm')
    writeFileSync(file, encodeMaskFile(encodeMask(far, 'f32'), meta))
    const r = await l2d2c('mask', 'convert', file, '--encoding', 'delta', '--out', join(dir, 'far.out.l2dm'), '--json')
    expect(r.code, r.stderr).toBe(0)
    const c = JSON.parse(r.stdout)
    expect(c).toMatchObject({ requested: 'delta', encoding: 'bits', bytes: encodeMask(far, 'bits').length })
    expect(c.note).toMatch(/larger than BITS/)
  })

  it('a DELTA file with the wrong --backbone-seed is a usage error naming the flag', async () => {
    const deltaFile = join(dir, 'seed.delta.l2dm')
    expect((await l2d2c('mask', 'convert', f32File, '--encoding', 'delta', '--out', deltaFile)).code).toBe(0)
    const r = await l2d2c('mask', 'inspect', deltaFile, '--backbone-seed', '77', '--json')
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/not the backbone of seed 77.*--backbone-seed/)
    expect((await l2d2c('mask', 'inspect', deltaFile, '--backbone-seed', 'x')).code).toBe(2)
  })

  it('a DELTA file whose layer table is no backbone cannot be decoded (exit 3)', async () => {
    const layers = [{ name: 'w', shape: [40, 40] }]
    const foreignBase = new DeltaBase(TASK, backbone.id, [
      { initialBits: new Uint8Array(1600), classes: Uint8Array.from({ length: 1600 }, (_, i) => i & 7) }
    ])
    const scores = Float32Array.from({ length: 1600 }, (_, i) => (i % 97 === 0 ? 1 : -1))
    const delta = encodeMask({ taskKey: TASK, backboneId: backbone.id, layers: [{ ...layers[0]!, scores }] }, 'delta', {
      base: foreignBase
    })
    const file = join(dir, 'foreign.delta.l2dm')
    writeFileSync(file, encodeMaskFile(delta, meta, { cid: contentId(delta) }))
    const r = await l2d2c('mask', 'inspect', file, '--json')
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/cannot be decoded: the mask's layer table .* is not an l2d2c backbone's/)
  })

  it('refuses an unknown encoding (exit 2), a corrupt input (exit 3) and an unwritable output (exit 3)', async () => {
    const bad = await l2d2c('mask', 'convert', f32File, '--encoding', 'gzip', '--out', join(dir, 'x.l2dm'))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--encoding must be one of bits, f16, f32, delta/)
    const bytes = encodeMaskFile(encodeMask(trained, 'bits'), meta)
    bytes[bytes.length - 1]! ^= 0x01
    const corrupt = join(dir, 'corrupt.l2dm')
    writeFileSync(corrupt, bytes)
    const r = await l2d2c('mask', 'convert', corrupt, '--encoding', 'f16', '--out', join(dir, 'y.l2dm'))
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/corrupt/)
    const unwritable = await l2d2c('mask', 'convert', f32File, '--encoding', 'bits', '--out', join(f32File, 'z.l2dm'))
    expect(unwritable.code).toBe(3)
    expect(unwritable.stderr).toMatch(/cannot write/)
  })
})
