import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CORRUPT_MASKS_DIR } from '@l2d2c/protocol'
import { runInProcess } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'l2d2c-train-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('l2d2c train', () => {
  it('trains a small curriculum, prints the JSON result and saves readable mask files', async () => {
    const out = join(dir, 'masks')
    // The directory is a mask store: an unreadable mask file already there is moved aside, not kept.
    mkdirSync(out)
    writeFileSync(join(out, 'junk.l2dm'), 'not a mask')
    const r = await runInProcess([
      'train',
      '--task-set',
      'ctgraph/d2b2/img1/leaf00,ctgraph/d2b2/img1/leaf01',
      '--steps-per-task',
      '2560',
      '--seed',
      '3',
      '--backend',
      'wasm',
      '--save-masks',
      out,
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ backend: 'wasm', budget: 'mastery', completed: true })
    expect(doc.backboneId).toMatch(/^[0-9a-f]{32}$/)
    expect(doc.stepsPerSecond).toBeGreaterThan(0)
    expect(doc.evalSteps).toBeGreaterThan(0)
    expect(doc.tasks.map((t: { key: string }) => t.key)).toEqual([
      'ctgraph/d2b2/img1/leaf00',
      'ctgraph/d2b2/img1/leaf01'
    ])
    for (const t of doc.tasks) {
      // 2,560 steps is each task's cap: a task mastered sooner ends sooner.
      expect(t.stepsTrained).toBeGreaterThan(0)
      expect(t.stepsTrained).toBeLessThanOrEqual(2560)
      if (t.stepsToMastery !== null) expect(t.stepsTrained).toBe(t.stepsToMastery)
      expect(t.finalReturn).toBeGreaterThanOrEqual(0)
      expect(t.returnAfterCurriculum).toBeGreaterThanOrEqual(0)
      expect(t.evalSteps).toBeGreaterThan(0)
      expect(Object.keys(t).sort()).toEqual([
        'evalSteps',
        'finalReturn',
        'key',
        'returnAfterCurriculum',
        'stepsToMastery',
        'stepsToThreshold',
        'stepsToThresholdTrain',
        'stepsTrained'
      ])
    }
    expect(doc.totalSteps).toBe(doc.tasks[0].stepsTrained + doc.tasks[1].stepsTrained)
    // The own ICR at the end is the sum of the returns after the curriculum.
    expect(doc.ownIcr).toBeCloseTo(doc.tasks[0].returnAfterCurriculum + doc.tasks[1].returnAfterCurriculum, 9)
    expect(r.stderr).toContain('backend wasm')
    expect(readdirSync(out).sort()).toEqual([
      CORRUPT_MASKS_DIR,
      'ctgraph+d2b2+img1+leaf00.l2dm',
      'ctgraph+d2b2+img1+leaf01.l2dm'
    ])
    expect(r.stderr).toMatch(/moved unreadable junk\.l2dm/)
    const inspect = await runInProcess(['mask', 'inspect', join(out, 'ctgraph+d2b2+img1+leaf01.l2dm'), '--json'])
    expect(inspect.code).toBe(0)
    expect(JSON.parse(inspect.stdout)).toMatchObject({
      taskKey: 'ctgraph/d2b2/img1/leaf01',
      backboneId: doc.backboneId,
      weights: 109_600,
      cidValid: true,
      stepsTrained: doc.tasks[1].stepsTrained
    })
  }, 150_000)

  it('--fixed-budget reproduces the figures of the loop before mastery-driven curricula, exactly', async () => {
    // Recorded with the fixed-budget loop as it was before tasks could end at mastery (commit
    // b06bd0a, `train --task-set leaf00,leaf01 --steps-per-task 3840 --seed 3 --backend wasm`):
    // --fixed-budget must keep them, evaluation draws included. That loop had no close-to-init
    // penalty (now the default): --close-to-init 0 turns it off.
    const before = [
      {
        key: 'ctgraph/d2b2/img1/leaf00',
        stepsTrained: 3840,
        stepsToThreshold: 2560,
        finalReturn: 1,
        returnAfterCurriculum: 0.96
      },
      {
        key: 'ctgraph/d2b2/img1/leaf01',
        stepsTrained: 3840,
        stepsToThreshold: 3840,
        finalReturn: 1,
        returnAfterCurriculum: 1
      }
    ]
    const r = await runInProcess([
      'train',
      '--task-set',
      'ctgraph/d2b2/img1/leaf00,ctgraph/d2b2/img1/leaf01',
      '--steps-per-task',
      '3840',
      '--seed',
      '3',
      '--backend',
      'wasm',
      '--fixed-budget',
      '--close-to-init',
      '0',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ budget: 'fixed', totalSteps: 7680, completed: true })
    expect(doc.tasks).toMatchObject(before)
    // Mastery is still reported: leaf00's 0.9 at 2,560 was confirmed by the next evaluation.
    expect(doc.tasks[0].stepsToMastery).toBe(3840)
  }, 150_000)

  it('refuses bad flags with exit 2', async () => {
    expect((await runInProcess(['train', '--task-set', 'ctgraph/d2b2/img1/leaf00'])).code).toBe(2) // no budget
    expect((await runInProcess(['train', '--task-set', 'nope', '--steps-per-task', '10'])).stderr).toMatch(
      /invalid task key/
    )
    const gpu = await runInProcess([
      'train',
      '--task-set',
      'ctgraph/d2b2/img1/leaf00',
      '--steps-per-task',
      '10',
      '--backend',
      'gpu'
    ])
    expect(gpu.code).toBe(2)
    expect(gpu.stderr).toMatch(/--backend must be one of auto, wasm, cpu, node, got "gpu"/)
    const mixed = await runInProcess([
      'train',
      '--task-set',
      'ctgraph/d2b2/img1/leaf00,minigrid/SimpleCrossingS9N1/seed9157',
      '--steps-per-task',
      '10'
    ])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toMatch(/share one network shape/)
  })

  it("uses the curriculum agent's seed unless --seed is given", async () => {
    const file = join(dir, 'seeded.json')
    const tasks = ['ctgraph/d2b2/img1/leaf00']
    writeFileSync(file, JSON.stringify({ version: 1, stepsPerTask: 128, agents: [{ tasks, seed: 7 }, { tasks }] }))
    const seedOf = async (args: string[]): Promise<string | undefined> => {
      const r = await runInProcess([
        'train',
        '--curriculum',
        file,
        '--eval-episodes',
        '1',
        '--backend',
        'wasm',
        '--json',
        ...args
      ])
      expect(r.code, r.stderr).toBe(0)
      return /, seed (\d+),/.exec(r.stderr)?.[1]
    }
    expect(await seedOf([])).toBe('7')
    expect(await seedOf(['--seed', '2'])).toBe('2')
    expect(await seedOf(['--agent-index', '1'])).toBe('1')
  }, 200_000)

  it('reports a backend that cannot load here as unavailable (exit 3), not as an internal error', async () => {
    const r = await runInProcess([
      'train',
      '--task-set',
      'ctgraph/d2b2/img1/leaf00',
      '--steps-per-task',
      '128',
      '--eval-episodes',
      '1',
      '--backend',
      'node',
      '--json'
    ])
    if (r.code === 0) {
      // This machine loads tfjs-node's native addon: the flag simply works.
      expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'node' })
    } else {
      expect(r.code, r.stderr).toBe(3)
      expect(r.stderr).toMatch(/--backend node is unavailable.*tensorflow/i)
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
    }
  }, 70_000)
})
