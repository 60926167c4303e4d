import { describe, expect, it } from 'vitest'
import { runInProcess } from './helpers.js'

describe('l2d2c env', () => {
  it('trace --json reproduces the reference MiniGrid trace (docs/environments.md §3.9)', async () => {
    const r = await runInProcess([
      'env',
      'trace',
      '--task',
      'minigrid/SimpleCrossingS9N1/seed9157',
      '--actions',
      '1,2,2,2,2,0,2,2,2,2,2,2,1,2,2',
      '--json'
    ])
    expect(r.code).toBe(0)
    const t = JSON.parse(r.stdout)
    expect(t).toMatchObject({ task: 'minigrid/SimpleCrossingS9N1/seed9157', obsSize: 147, numActions: 3 })
    expect(t.steps[0]).toEqual({ action: null, obsSum: 68, reward: 0, done: false })
    expect(t.steps.map((s: { obsSum: number }) => s.obsSum)).toEqual([
      68, 113, 131, 114, 97, 80, 129, 165, 152, 111, 96, 83, 70, 88, 77, 52
    ])
    expect(t.steps.at(-1).reward).toBeCloseTo(0.958333, 6)
    expect(t.steps.at(-1).done).toBe(true)
  })

  it('trace shows the CT-graph reward cue one step before done, then resets for further actions', async () => {
    const r = await runInProcess([
      'env',
      'trace',
      '--task',
      'ctgraph/d2b2/img1/leaf00',
      '--actions',
      '0,0,1,0,1,0,0,0',
      '--json'
    ])
    const t = JSON.parse(r.stdout)
    expect(t.steps.map((s: { obsSum: number }) => s.obsSum)).toEqual([
      13230, 14777, 12113, 12232, 10915, 13168, 20819, 13230, 14777
    ])
    expect(t.steps.map((s: { reward: number }) => s.reward)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0])
    expect(t.steps.map((s: { done: boolean }) => s.done)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false
    ])
  })

  it('trace prints a table without --json', async () => {
    const r = await runInProcess(['env', 'trace', '--task', 'ctgraph/d2b2/img1/leaf00', '--actions', '0'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('obs sum')
    expect(r.stdout).toContain('13230')
  })

  it('refuses unknown tasks and invalid actions with exit 2', async () => {
    const a = await runInProcess(['env', 'trace', '--task', 'ctgraph/d2b2/img1/leaf0'])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/exactly 2 digits/)
    const b = await runInProcess(['env', 'trace', '--task', 'ctgraph/d2b2/img1/leaf00', '--actions', '0,3'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/not an action in 0..2/)
    const c = await runInProcess(['env', 'trace'])
    expect(c.code).toBe(2)
    // A well-formed key whose graph is too large to build is a usage error too, not an internal one.
    const d = await runInProcess(['env', 'trace', '--task', 'ctgraph/d8b9/img1/leaf00000000'])
    expect(d.code).toBe(2)
    expect(d.stderr).toMatch(/invalid task key "ctgraph\/d8b9\/img1\/leaf00000000": .*more than 1048576 leaves/)
    expect(d.stderr).not.toMatch(/internal error/)
  })

  it('list --json lists the meta CT-graph and MiniGrid tasks with shapes', async () => {
    const r = await runInProcess(['env', 'list', '--family', 'ctgraph', '--json'])
    const d = JSON.parse(r.stdout)
    expect(d.tasks.filter((t: { group: string }) => t.group === 'meta-ctgraph').length).toBe(16)
    expect(d.tasks.every((t: { family: string }) => t.family === 'ctgraph')).toBe(true)
    const m = JSON.parse((await runInProcess(['env', 'list', '--family', 'minigrid', '--json'])).stdout)
    expect(m.tasks.find((t: { key: string }) => t.key === 'minigrid/SimpleCrossingS9N1/seed9157')).toMatchObject({
      observationSize: 147,
      numActions: 3
    })
    expect((await runInProcess(['env', 'list', '--family', 'atari'])).code).toBe(2)
  })

  it('render draws the MiniGrid agent and the CT-graph state', async () => {
    const m = await runInProcess(['env', 'render', '--task', 'minigrid/SimpleCrossingS9N1/seed9157', '--actions', '1'])
    expect(m.stdout).toContain('#>..#...#')
    expect(m.stdout).toContain('#v..#...#')
    const c = await runInProcess(['env', 'render', '--task', 'ctgraph/d2b2/img1/leaf00', '--actions', '0,0'])
    expect(c.stdout).toContain('state home, image 0')
    expect(c.stdout).toContain('state decision (decisions taken: 0), image 9')
  })

  it('render numbers steps by action across an episode end and labels the mid-run reset', async () => {
    // The optimal leaf-00 walk ends the episode on its 7th action; the 8th follows a reset.
    const optimal = ['0', '0', '1', '0', '1', '0', '0']
    const r = await runInProcess([
      'env',
      'render',
      '--task',
      'ctgraph/d2b2/img1/leaf00',
      '--actions',
      [...optimal, '2'].join(','),
      '--json'
    ])
    expect(r.code).toBe(0)
    const frames = JSON.parse(r.stdout).frames as Array<{ step: number | null; action: number | null; done: boolean }>
    expect(frames.map(f => f.step)).toEqual([null, 1, 2, 3, 4, 5, 6, 7, null, 8])
    expect(frames.map(f => f.action)).toEqual([null, 0, 0, 1, 0, 1, 0, 0, null, 2])
    expect(frames[7]!.done).toBe(true)
    const human = await runInProcess([
      'env',
      'render',
      '--task',
      'ctgraph/d2b2/img1/leaf00',
      '--actions',
      [...optimal, '2'].join(',')
    ])
    expect(human.stdout).toMatch(
      /step 7: action 0, done\n[\s\S]*\n\nreset\nstate home, image 0\n[\s\S]*\n\nstep 8: action 2\n/
    )
    expect(human.stdout).not.toContain('step 9')
  })
})
