import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers.js'

const out = mkdtempSync(join(tmpdir(), 'l2d2c-demo-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('l2d2c demo at a tiny budget', () => {
  it('runs learners, evaluators and the lone baseline end to end and writes the summary and plot', async () => {
    const r = await runCli(['demo', '--agents', '2', '--tasks', '2', '--steps-per-task', '1280', '--out', out, '--json'], { timeoutMs: 240_000 })
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({ agents: 2, tasks: 2, target: 1.88, env: 'ctgraph', stepsPerTask: 1280, plot: join(out, 'icr.svg'), interrupted: false })
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
    expect(readFileSync(s.plot, 'utf8')).toMatch(/^<svg[\s\S]*collective \(2 agents\)[\s\S]*single agent[\s\S]*<\/svg>\n$/)
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).agents).toBe(2)
    for (const node of ['learner-1', 'learner-2', 'evaluator', 'single', 'single-evaluator']) {
      expect(existsSync(join(out, node, 'daemon.log')), node).toBe(true)
      expect(existsSync(join(out, node, 'daemon.json')), `${node} stopped cleanly`).toBe(false)
    }
    expect(readFileSync(join(out, 'evaluator', 'evaluation.csv'), 'utf8').split('\n')[0]).toBe('time,icr,mean_learner_steps,ctgraph/d2b2/img1/leaf00,ctgraph/d2b2/img1/leaf01')
  }, 300_000)

  it('a rerun with the same --out starts afresh instead of resuming the previous daemons', async () => {
    // Learner 1 gets the same curriculum and seed as in the first run: resumed, it would train nothing.
    const r = await runCli(['demo', '--agents', '1', '--tasks', '2', '--steps-per-task', '1280', '--out', out, '--json'], { timeoutMs: 240_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/removing the previous run's outputs in .*evaluator, icr\.svg, learner-1, learner-2, single, single-evaluator, summary\.json/)
    expect(JSON.parse(r.stdout)).toMatchObject({ agents: 1, interrupted: false })
    expect(existsSync(join(out, 'learner-2')), 'the previous run\'s second learner is gone').toBe(false)
    const done = readFileSync(join(out, 'learner-1', 'daemon.log'), 'utf8').split('\n').filter(l => l.includes('"curriculum done"'))
    // One run in the log, and it trained both tasks (a resumed learner logs tasks: 0).
    expect(done).toHaveLength(1)
    expect(JSON.parse(done[0]!)).toMatchObject({ tasks: 2, totalSteps: 2560 })
    expect(readFileSync(join(out, 'evaluator', 'evaluation.csv'), 'utf8').split('\n').filter(l => l.startsWith('time,'))).toHaveLength(1)
  }, 300_000)
})
