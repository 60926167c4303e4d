import { resolve } from 'node:path'
import { META_CTGRAPH_TASKS, MINIGRID_CROSSING_TASKS } from '@l2d2c/agent/envs'
import { describe, expect, it } from 'vitest'
import { launchDemoNodes, type ChildDaemon } from '../../src/demo/launcher.js'
import {
  evaluatorArgs,
  isolatedLearnerArgs,
  learnerArgs,
  loneLearnerArgs,
  planDemo,
  type DemoOptions
} from '../../src/demo/plan.js'
import { CliError } from '../../src/exit-codes.js'

/** The demo command's defaults, as commander hands them over. */
const DEFAULTS: DemoOptions = {
  agents: '4',
  env: 'ctgraph',
  out: 'demo-output',
  drop: '0',
  maxMinutes: '30',
  seed: '0'
}

describe('planDemo', () => {
  it('by default races 4 learners over all 16 CT-graph tasks at 12800 steps each to ICR 15', async () => {
    const plan = await planDemo(DEFAULTS)
    expect(plan).toMatchObject({
      agents: 4,
      env: 'ctgraph',
      tasks: [...META_CTGRAPH_TASKS],
      stepsPerTask: 12_800,
      drop: 0,
      seed: 0,
      maxMinutes: '30',
      maxMs: 30 * 60_000,
      out: resolve('demo-output'),
      target: 15,
      ownTarget: 15
    })
    // Rotated curricula: the same tasks, each learner starting 16/4 tasks further on.
    expect(plan.curricula.map(c => c[0])).toEqual([0, 4, 8, 12].map(i => META_CTGRAPH_TASKS[i]))
    for (const c of plan.curricula) expect([...c].sort()).toEqual([...META_CTGRAPH_TASKS].sort())
  })

  it('takes the first K tasks of the family and its default budget', async () => {
    const plan = await planDemo({ ...DEFAULTS, env: 'minigrid', tasks: '2', agents: '2' })
    expect(plan.tasks).toEqual(MINIGRID_CROSSING_TASKS.slice(0, 2))
    expect(plan.stepsPerTask).toBe(102_400)
    expect(plan.curricula).toEqual([plan.tasks, [...plan.tasks].reverse()])
  })

  it.each([
    [{ drop: '1.5' }, '--drop must be in [0, 1], got "1.5"'],
    [{ drop: 'x' }, '--drop must be in [0, 1], got "x"'],
    [{ tasks: '17' }, '--tasks must be an integer in 1..16, got "17"'],
    [{ maxMinutes: '0' }, '--max-minutes must be an integer in 1..10000, got "0"'],
    [{ stepsPerTask: '1e3' }, '--steps-per-task must be an integer in 1..100000000, got "1e3"']
  ])('refuses %o with a usage error naming the flag', async (flags, message) => {
    const err = await planDemo({ ...DEFAULTS, ...flags }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ exitCode: 2, message })
  })

  it("gives each learner its curriculum and seed; only the collective's learners drop messages", async () => {
    const plan = await planDemo({ ...DEFAULTS, agents: '2', tasks: '2', seed: '10', drop: '0.25' })
    const [a, b] = plan.tasks
    expect(learnerArgs(plan, 1)).toEqual([
      '--tasks',
      `${b},${a}`,
      '--steps-per-task',
      '12800',
      '--seed',
      '12',
      '--announce-interval-ms',
      '1000',
      '--query-window-ms',
      '1000',
      '--drop',
      '0.25'
    ])
    expect(loneLearnerArgs(plan)).toEqual(expect.arrayContaining(['--no-sharing', '--seed', '11', `${a},${b}`]))
    expect(loneLearnerArgs(plan)).not.toContain('--drop')
    expect(evaluatorArgs(plan).slice(0, 4)).toEqual(['--role', 'evaluator', '--tasks', `${a},${b}`])
    expect(learnerArgs(await planDemo({ ...DEFAULTS, agents: '2' }), 0)).not.toContain('--drop')
  })

  it("gives the isolated collective's learner i exactly the sharing learner i's flags, with sharing off", async () => {
    const plan = await planDemo({ ...DEFAULTS, agents: '3', tasks: '6', seed: '7', drop: '0.1' })
    for (let i = 0; i < 3; i++) expect(isolatedLearnerArgs(plan, i)).toEqual([...learnerArgs(plan, i), '--no-sharing'])
    expect(plan.ownTarget).toBe(5)
  })
})

/** A stand-in for launchDaemon: a node that serves at once, or whose launch fails, after ms. */
function fakeStart(failing: string | null, ms: (name: string) => number) {
  const started: Array<{ name: string; dataDir: string; args: string[] }> = []
  const start = async (name: string, dataDir: string, args: string[]): Promise<ChildDaemon> => {
    started.push({ name, dataDir, args })
    await new Promise(resolve => setTimeout(resolve, ms(name)))
    if (name === failing) throw new Error(`${name} exited before serving`)
    return { name, dataDir, discovery: { addrs: [`/addr/${name}`] } } as unknown as ChildDaemon
  }
  return { start, started }
}

describe('launchDemoNodes', () => {
  it('starts three unconnected swarms: in each, learners bootstrap to its first, its evaluator to all of them', async () => {
    const plan = await planDemo({ ...DEFAULTS, agents: '3', tasks: '3', out: '/runs/x' })
    const { start, started } = fakeStart(null, () => 1)
    const launched: string[] = []
    const nodes = await launchDemoNodes(plan, d => launched.push(d.name), start)
    const names = (swarm: keyof typeof nodes) => [
      ...nodes[swarm].learners.map(d => d.name),
      nodes[swarm].evaluator.name
    ]
    expect(names('sharing')).toEqual(['learner-1', 'learner-2', 'learner-3', 'evaluator'])
    expect(names('isolated')).toEqual(['isolated-1', 'isolated-2', 'isolated-3', 'isolated-evaluator'])
    expect(names('lone')).toEqual(['single', 'single-evaluator'])
    // The first learner of each swarm starts at once; everything else needs one of them.
    expect(new Set(started.slice(0, 3).map(s => s.name))).toEqual(new Set(['learner-1', 'isolated-1', 'single']))
    expect(new Set(launched)).toEqual(new Set(started.map(s => s.name)))
    expect(launched).toHaveLength(10)
    const args = Object.fromEntries(started.map(s => [s.name, s.args]))
    const bootstraps = (name: string) => args[name]?.filter((_, i, a) => a[i - 1] === '--bootstrap')
    expect(bootstraps('learner-2')).toEqual(['/addr/learner-1'])
    expect(bootstraps('isolated-3')).toEqual(['/addr/isolated-1'])
    expect(bootstraps('single-evaluator')).toEqual(['/addr/single'])
    expect(bootstraps('evaluator')).toEqual(['/addr/learner-1', '/addr/learner-2', '/addr/learner-3'])
    expect(bootstraps('isolated-evaluator')).toEqual(['/addr/isolated-1', '/addr/isolated-2', '/addr/isolated-3'])
    // Each evaluator's dashboard links to its learners' (the swarm view the demo prints); nobody else's does.
    const links = (name: string) => args[name]?.filter((_, i, a) => a[i - 1] === '--link-dashboard')
    expect(links('evaluator')).toEqual(['/runs/x/learner-1', '/runs/x/learner-2', '/runs/x/learner-3'])
    expect(links('isolated-evaluator')).toEqual(['/runs/x/isolated-1', '/runs/x/isolated-2', '/runs/x/isolated-3'])
    expect(links('single-evaluator')).toEqual(['/runs/x/single'])
    expect(links('learner-2')).toEqual([])
    expect(args['isolated-2']).toContain('--no-sharing')
    expect(args['learner-2']).not.toContain('--no-sharing')
    expect(started.find(s => s.name === 'isolated-3')?.dataDir).toBe('/runs/x/isolated-3')
  })

  it('when a launch fails, launches nothing more and waits for those under way, so each daemon that starts can be stopped', async () => {
    const plan = await planDemo({ ...DEFAULTS, agents: '2', tasks: '2' })
    // learner-1 fails at once; the lone learner and isolated-1, started beside it, serve later.
    const { start, started } = fakeStart('learner-1', name => (name === 'single' || name === 'isolated-1' ? 100 : 1))
    const launched: string[] = []
    await expect(launchDemoNodes(plan, d => launched.push(d.name), start)).rejects.toThrow(/learner-1 exited/)
    expect(launched.sort()).toEqual(['isolated-1', 'single'])
    expect(started.map(s => s.name).sort()).toEqual(['isolated-1', 'learner-1', 'single'])
  })
})
