import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, runInProcess } from '../helpers.js'

const CI_SPEC = fileURLToPath(new URL('../../../../experiments/specs/ci.json', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'l2d2c-experiment-'))
const out = join(dir, 'ci')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('l2d2c experiment on the CI spec', () => {
  // The CI spec is two tiny runs (a lone agent; two sharing learners at 50 % loss). --cores 3
  // lets them run side by side: at this budget a run is mostly its daemons starting (about
  // 25 s of CPU in all; the timeout allows for a machine shared with other work).
  it('runs every condition × seed end to end, records each run, and reports them', async () => {
    const r = await runCli(['experiment', CI_SPEC, '--out', out, '--cores', '3', '--json'], { timeoutMs: 290_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      spec: 'ci',
      runs: 2,
      resumed: 0,
      completed: 2,
      failed: [],
      interrupted: false,
      cores: 3
    })
    expect(r.stderr).toMatch(/\[ci\] [01]\/2 runs done .*\| ETA /)
    for (const [run, learners] of [
      ['lone/seed-1', 1],
      ['sharing-2/seed-1', 2]
    ] as const) {
      const folder = join(out, 'runs', run)
      const result = JSON.parse(readFileSync(join(folder, 'result.json'), 'utf8'))
      expect(result).toMatchObject({
        format: 'l2d2c-experiment-run/1',
        spec: 'ci',
        seed: 1,
        optimal: 2,
        target: 1.88,
        stoppedBy: 'done'
      })
      expect(result.learners).toHaveLength(learners)
      expect(result.ownIcr).toHaveLength(learners)
      // Each learner trained its whole curriculum (2 tasks, at most 640 steps each) and was polled at the end.
      expect(result.stepsPerAgent).toBeGreaterThan(0)
      expect(result.stepsPerAgent).toBeLessThanOrEqual(1280)
      expect(result.curve.length).toBeGreaterThan(0)
      for (const l of result.learners) expect(l.bytesSent).toBeGreaterThan(0) // at least to its evaluator
      const csv = readFileSync(join(folder, 'icr.csv'), 'utf8').trim().split('\n')
      expect(csv[0]).toBe('time,wall_s,steps_per_agent,icr,ctgraph/d2b2/img1/leaf00,ctgraph/d2b2/img1/leaf01')
      expect(csv.length).toBe(result.curve.length + 1)
      const own = readFileSync(join(folder, 'own-icr.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map(l => JSON.parse(l))
      expect(new Set(own.map(o => o.learner)).size).toBe(learners)
      // The two sharing learners were paced (the spec's paceSteps): each answered the runner's limit; a lone agent is never paced.
      if (learners === 1) expect(result.pacedWaitMs).toBeUndefined()
      else {
        expect(result.pacedWaitMs).toHaveLength(2)
        for (const w of result.pacedWaitMs) expect(w).toBeGreaterThanOrEqual(0)
      }
    }
    // The nodes' data dirs go once a run is recorded.
    expect(existsSync(join(out, 'work', 'lone', 'seed-1'))).toBe(false)
    expect(JSON.parse(readFileSync(join(out, 'spec.json'), 'utf8'))).toMatchObject({
      source: CI_SPEC,
      spec: { name: 'ci' }
    })

    const doc = join(dir, 'docs', 'results.md')
    const rep = await runInProcess(['experiment', 'report', out, '--doc', doc, '--json'])
    expect(rep.code, rep.stderr).toBe(0)
    expect(JSON.parse(rep.stdout).experiments).toEqual([{ name: 'ci', dir: out, runs: 2 }])
    const text = readFileSync(doc, 'utf8')
    expect(text).toContain('## ci')
    expect(text).toContain(
      '| sharing-2 | 2 | on | rotated | mastery | 640 | bits | 50 % (all) | random | ≤ 256 steps ahead | 1 |'
    )
    expect(text).toContain('![ci-icr.svg](results/ci-icr.svg)')
    expect(readFileSync(join(dir, 'docs', 'results', 'ci-icr.svg'), 'utf8')).toMatch(
      /^<svg[\s\S]*sharing-2 \(1 seed\)[\s\S]*<\/svg>\n$/
    )
  }, 300_000)

  it('refuses to overwrite recorded runs, and --resume runs only what is missing (here nothing)', async () => {
    const again = await runInProcess(['experiment', CI_SPEC, '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('holds a previous experiment')
    const resumed = await runInProcess(['experiment', CI_SPEC, '--out', out, '--resume', '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runs: 2, resumed: 2, completed: 0 })
    const other = join(dir, 'other.json')
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(CI_SPEC, 'utf8')), seeds: [2] }))
    const mismatch = await runInProcess(['experiment', other, '--out', out, '--resume'])
    expect(mismatch.code).toBe(2)
    expect(mismatch.stderr).toContain('was run with another spec')
  })

  it('an interrupted experiment records nothing it did not finish and exits 130; the next invocation is asked for --resume', async () => {
    const early = join(dir, 'early')
    const stop = new AbortController()
    stop.abort(new Error('SIGINT'))
    const r = await runInProcess(['experiment', CI_SPEC, '--out', early, '--json'], { signal: stop.signal })
    expect(r.code, r.stderr).toBe(130)
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 2, completed: 0, interrupted: true })
    expect(existsSync(join(early, 'runs'))).toBe(false)
    // Its spec is recorded, so the next invocation needs --resume (and gets it).
    const again = await runInProcess(['experiment', CI_SPEC, '--out', early])
    expect(again.stderr).toContain('pass --resume to continue it')
  })

  it('rejects a bad spec with a usage error naming the field, launching nothing', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(
      bad,
      JSON.stringify({
        name: 'bad',
        tasks: ['meta-ctgraph'],
        seeds: [1],
        conditions: [{ name: 'x', learners: 2, drop: 2 }]
      })
    )
    const r = await runInProcess(['experiment', bad, '--out', join(dir, 'bad')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${bad}: conditions[0].drop: must be a number in [0, 1], got 2`)
    expect(existsSync(join(dir, 'bad'))).toBe(false)
    writeFileSync(
      bad,
      JSON.stringify({ name: 'bad', tasks: ['no-such-group'], seeds: [1], conditions: [{ name: 'x', learners: 1 }] })
    )
    const t = await runInProcess(['experiment', bad])
    expect(t.code).toBe(2)
    expect(t.stderr).toContain('tasks:')
  })
})
