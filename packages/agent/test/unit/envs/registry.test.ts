import { describe, expect, it } from 'vitest'
import { AutoResetEnv } from '../../../src/envs/env.js'
import { catalogue, expandTaskList, taskShape, taskSpec, TaskListError } from '../../../src/envs/registry.js'
import { META_CTGRAPH_TASKS, MINIGRID_CROSSING_TASKS, TaskKeyError } from '../../../src/envs/task-key.js'

describe('task catalogue', () => {
  it('builds CT-graph specs from the key alone', () => {
    const s = taskSpec('ctgraph/d2b2/img1/leaf01')
    expect(s).toMatchObject({ family: 'ctgraph', observationSize: 144, numActions: 3, optimalReturn: 1 })
    expect(s.observationScale).toBeCloseTo(1 / 255)
    // The optimal action sequence for leaf 01 earns 1 and ends one step after the reward.
    const env = new AutoResetEnv(s.createEnv())
    env.reset()
    const rewards = [0, 0, 1, 0, 2, 0, 0].map(a => env.step(a))
    expect(rewards.map(r => r.reward)).toEqual([0, 0, 0, 0, 0, 1, 0])
    expect(rewards[6]!.done).toBe(true)
    expect(taskSpec('ctgraph/d2b3/img1/leaf21').numActions).toBe(4)
  })

  it('builds MiniGrid specs with the optimal return of the layout (docs/environments.md §3.7)', () => {
    expect(taskSpec('minigrid/SimpleCrossingS9N1/seed9157')).toMatchObject({
      family: 'minigrid',
      observationSize: 147,
      numActions: 3
    })
    expect(taskSpec('minigrid/SimpleCrossingS9N1/seed9157').optimalReturn).toBeCloseTo(0.9583, 4)
    expect(taskSpec('minigrid/SimpleCrossingS9N3/seed861').optimalReturn).toBeCloseTo(0.9472, 4)
    expect(taskSpec('minigrid/DoorKey-5x5/seed9157').optimalReturn).toBeCloseTo(0.9712, 4)
    expect(taskSpec('minigrid/DoorKey-5x5/seed9157').numActions).toBe(7)
    expect(taskSpec('minigrid/SimpleCrossingS9N1/seed9157').observationScale).toBeCloseTo(0.1)
  })

  it('caches specs and creates independent environments', () => {
    const s = taskSpec('ctgraph/d2b2/img2/leaf10')
    expect(taskSpec('ctgraph/d2b2/img2/leaf10')).toBe(s)
    const a = s.createEnv()
    const b = s.createEnv()
    a.reset()
    b.reset()
    a.step(0)
    expect(() => b.step(0)).not.toThrow()
  })

  it('refuses invalid keys, including non-canonical MiniGrid names', () => {
    expect(() => taskSpec('minigrid/SimpleCrossingS09N1/seed1')).toThrow(TaskKeyError)
    expect(() => taskSpec('minigrid/MiniGrid-SimpleCrossingS9N1-v0/seed1')).toThrow(TaskKeyError)
    expect(() => taskSpec('minigrid/SimpleCrossingS8N1/seed1')).toThrow(/odd/)
    expect(() => taskSpec('minigrid/SimpleCrossingS9N7/seed1')).toThrow(/candidate rivers/)
  })

  it('lists catalogue entries that are all valid keys with shapes', () => {
    const entries = catalogue()
    expect(entries.filter(e => e.group === 'meta-ctgraph').length).toBe(16)
    for (const e of entries) expect(taskShape(e.key).observationSize).toBeGreaterThan(0)
  })

  it('expands catalogue groups in a task list and keeps valid keys in place', () => {
    expect(expandTaskList(['meta-ctgraph'])).toEqual(META_CTGRAPH_TASKS)
    expect(expandTaskList(['minigrid-crossing'])).toEqual(MINIGRID_CROSSING_TASKS)
    expect(expandTaskList(['ctgraph/d2b2/img9/leaf11', 'ctgraph-d4', 'ctgraph/d2b2/img9/leaf00'])).toEqual([
      'ctgraph/d2b2/img9/leaf11',
      'ctgraph/d4b2/img1/leaf0000',
      'ctgraph/d2b2/img9/leaf00'
    ])
    // Every group of the catalogue expands to exactly its entries.
    for (const group of new Set(catalogue().map(e => e.group))) {
      expect(expandTaskList([group]), group).toEqual(
        catalogue()
          .filter(e => e.group === group)
          .map(e => e.key)
      )
    }
    expect(expandTaskList([])).toEqual([])
  })

  it('refuses task-list items that are neither a group nor a valid key, with their index', () => {
    const cases: Array<[unknown[], number, RegExp]> = [
      [
        ['meta-ctgraph', 'minigrid-crosing'],
        1,
        /invalid task key "minigrid-crosing": unknown family.*nor a catalogue group: meta-ctgraph/
      ],
      [['ctgraph/d2b2/img1/leaf0'], 0, /exactly 2 digits/],
      [['ctgraph/d8b9/img1/leaf00000000'], 0, /more than 1048576 leaves/],
      [['ctgraph/d2b2/img1/leaf00', 3], 1, /must be a task key or a catalogue group name/]
    ]
    for (const [items, index, reason] of cases) {
      let caught: unknown
      try {
        expandTaskList(items)
      } catch (err) {
        caught = err
      }
      expect(caught, String(items)).toBeInstanceOf(TaskListError)
      expect(caught).toBeInstanceOf(TaskKeyError)
      expect((caught as TaskListError).index).toBe(index)
      expect((caught as Error).message).toMatch(reason)
      expect((caught as Error).message.includes('catalogue group')).toBe(!String(items[index]).includes('/'))
    }
  })
})
