import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dataDirPaths } from '@l2d2c/protocol'
import { runCli, runInProcess } from '../helpers.js'

const out = mkdtempSync(join(tmpdir(), 'l2d2c-demo-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('l2d2c demo at a tiny budget', () => {
  it('runs learners, evaluators and the lone baseline end to end and writes the summary and plot', async () => {
    const r = await runCli(
      ['demo', '--agents', '2', '--tasks', '2', '--steps-per-task', '1280', '--out', out, '--json'],
      { timeoutMs: 240_000 }
    )
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({
      agents: 2,
      tasks: 2,
      target: 1.88,
      env: 'ctgraph',
      stepsPerTask: 1280,
      plot: join(out, 'icr.svg'),
      interrupted: false
    })
    for (const side of ['collective', 'single']) {
      expect(Object.keys(s[side]).sort()).toEqual(['finalIcr', 'stepsToTarget'])
      expect(s[side].finalIcr).toBeGreaterThanOrEqual(0)
      expect(s[side].finalIcr).toBeLessThanOrEqual(2)
    }
    expect('speedup' in s).toBe(true)
    // Both evaluators measured something and saw the learners' progress.
    expect(s.curves.collective.length).toBeGreaterThan(0)
    expect(s.curves.single.length).toBeGreaterThan(0)
    expect(Math.max(...s.curves.collective.map((p: { steps: number }) => p.steps))).toBeGreaterThan(0)
    expect(readFileSync(s.plot, 'utf8')).toMatch(
      /^<svg[\s\S]*collective \(2 agents\)[\s\S]*single agent[\s\S]*<\/svg>\n$/
    )
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).agents).toBe(2)
    for (const node of ['learner-1', 'learner-2', 'evaluator', 'single', 'single-evaluator']) {
      expect(existsSync(dataDirPaths(join(out, node)).log), node).toBe(true)
      expect(existsSync(dataDirPaths(join(out, node)).discovery), `${node} stopped cleanly`).toBe(false)
    }
    expect(readFileSync(dataDirPaths(join(out, 'evaluator')).evaluationCsv, 'utf8').split('\n')[0]).toBe(
      'time,icr,mean_learner_steps,ctgraph/d2b2/img1/leaf00,ctgraph/d2b2/img1/leaf01'
    )
  }, 300_000)

  // What a rerun removes and keeps is unit-tested (demo-outputs.test.ts); this checks that the
  // demo runs those checks before it launches anything (in this process: nothing is launched).
  it('refuses an --out where a name it would use holds something a demo did not write, launching nothing', async () => {
    const mine = mkdtempSync(join(tmpdir(), 'l2d2c-demo-mine-'))
    try {
      mkdirSync(join(mine, 'single'))
      writeFileSync(join(mine, 'single', 'thesis.tex'), 'mine')
      const r = await runInProcess(['demo', '--agents', '1', '--tasks', '1', '--steps-per-task', '640', '--out', mine])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain(
        `l2d2c: ${mine} holds single, which a demo would overwrite but did not write; choose another --out`
      )
      expect(readdirSync(mine)).toEqual(['single'])
      expect(readdirSync(join(mine, 'single'))).toEqual(['thesis.tex'])
    } finally {
      rmSync(mine, { recursive: true, force: true })
    }
  })
})
