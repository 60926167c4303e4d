import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { META_CTGRAPH_TASKS } from '@l2d2c/agent/envs'
import { dataDirPaths } from '@l2d2c/protocol'
import { runCli, runInProcess } from '../helpers.js'

const out = mkdtempSync(join(tmpdir(), 'l2d2c-demo-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('l2d2c demo at a tiny budget', () => {
  it('runs the sharing, isolated and lone swarms end to end: every sharing learner adopts, and sharing gets every agent to the target sooner', async () => {
    const r = await runCli(
      ['demo', '--agents', '2', '--tasks', '4', '--steps-per-task', '6400', '--out', out, '--json'],
      { timeoutMs: 270_000 }
    )
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({
      tasks: 4,
      target: 3.75,
      env: 'ctgraph',
      stepsPerTask: 6400,
      plot: join(out, 'icr.svg'),
      interrupted: false
    })
    expect(Object.keys(s.agents).sort()).toEqual(['count', 'isolated', 'sharing', 'speedup'])
    expect(s.agents.count).toBe(2)
    for (const side of ['collective', 'single', 'isolatedCollective']) {
      expect(Object.keys(s[side]).sort()).toEqual(['finalIcr', 'stepsToTarget'])
      expect(s[side].finalIcr).toBeGreaterThanOrEqual(0)
      expect(s[side].finalIcr).toBeLessThanOrEqual(4)
    }
    // Sharing worked: every learner of the sharing collective adopted a peer's mask...
    expect(Object.keys(s.adoptions).sort()).toEqual(['learner-1', 'learner-2'])
    for (const [name, n] of Object.entries(s.adoptions)) expect(n, name).toBeGreaterThan(0)
    expect(s.bytesSent).toBeGreaterThan(0)
    // ...and so the mean agent could do all but one task itself after fewer of its own steps
    // than without sharing (the isolated agents may not get there at all within the budget).
    const { sharing, isolated } = s.agents
    expect(sharing.stepsToTarget, 'sharing agents reach own ICR 3').not.toBeNull()
    expect(sharing.finalOwnIcr).toBeGreaterThanOrEqual(3)
    if (isolated.stepsToTarget !== null) expect(sharing.stepsToTarget).toBeLessThan(isolated.stepsToTarget)
    // Every swarm was measured on its own: the evaluators saw the learners' progress.
    for (const curve of ['collective', 'single', 'isolated', 'agentsSharing', 'agentsIsolated'])
      expect(s.curves[curve].length, curve).toBeGreaterThan(0)
    expect(readFileSync(s.plot, 'utf8')).toMatch(
      /^<svg[\s\S]*sharing collective \(2\), ICR[\s\S]*isolated: mean agent, own ICR[\s\S]*<\/svg>\n$/
    )
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).agents.count).toBe(2)
    for (const node of [
      'learner-1',
      'learner-2',
      'evaluator',
      'isolated-1',
      'isolated-2',
      'isolated-evaluator',
      'single',
      'single-evaluator'
    ]) {
      expect(existsSync(dataDirPaths(join(out, node)).log), node).toBe(true)
      expect(existsSync(dataDirPaths(join(out, node)).discovery), `${node} stopped cleanly`).toBe(false)
    }
    expect(readFileSync(dataDirPaths(join(out, 'isolated-evaluator')).evaluationCsv, 'utf8').split('\n')[0]).toBe(
      ['time', 'icr', 'mean_learner_steps', ...META_CTGRAPH_TASKS.slice(0, 4)].join(',')
    )
  }, 300_000)

  it('a signal that came before the demo listened still stops it: nothing launched, the summary marked interrupted', async () => {
    const early = mkdtempSync(join(tmpdir(), 'l2d2c-demo-early-'))
    try {
      const stop = new AbortController()
      stop.abort(new Error('SIGINT'))
      const r = await runInProcess(
        ['demo', '--agents', '1', '--tasks', '1', '--steps-per-task', '640', '--out', early, '--json'],
        { signal: stop.signal }
      )
      expect(r.code, r.stderr).toBe(130)
      expect(JSON.parse(r.stdout)).toMatchObject({ interrupted: true, collective: { stepsToTarget: null } })
      expect(readdirSync(early).sort()).toEqual(['icr.svg', 'summary.json'])
    } finally {
      rmSync(early, { recursive: true, force: true })
    }
  })

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
