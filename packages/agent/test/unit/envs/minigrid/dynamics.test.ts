import { describe, expect, it } from 'vitest'
import { AutoResetEnv, EnvUsageError } from '../../../../src/envs/env.js'
import { MiniGridEnv } from '../../../../src/envs/minigrid/env.js'
import { MiniGridNameError } from '../../../../src/envs/minigrid/spec.js'
import { actions, sum } from './helpers.js'

describe('MiniGrid dynamics (docs/environments.md §3.3)', () => {
  it('LavaCrossingS9N1 / 860: one forward from the start steps into lava: terminated, reward 0', () => {
    const env = new MiniGridEnv('LavaCrossingS9N1', { layoutSeed: 860 })
    env.reset()
    const r = env.step(2)
    expect(r).toMatchObject({ reward: 0, terminated: true, truncated: false })
    expect(env.describe()).toMatchObject({ agentX: 2, agentY: 1, stepCount: 1, ended: true })
  })

  it('SimpleCrossingS9N1 / 860: forward into the wall at (2,1) costs a step and does not move', () => {
    const env = new MiniGridEnv('SimpleCrossingS9N1', { layoutSeed: 860 })
    const before = Array.from(env.reset())
    const r = env.step(2)
    expect(r).toMatchObject({ reward: 0, terminated: false, truncated: false })
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, direction: 0, stepCount: 1 })
    expect(Array.from(r.observation)).toEqual(before)
  })

  it('SimpleCrossingS9N1 / 9157: 324 left turns time out on step 324 with reward 0 (truncated)', () => {
    const env = new MiniGridEnv('SimpleCrossingS9N1')
    env.reset()
    for (let t = 1; t < 324; t++) expect(env.step(0)).toMatchObject({ reward: 0, terminated: false, truncated: false })
    expect(env.step(0)).toMatchObject({ reward: 0, terminated: false, truncated: true })
    expect(env.describe()).toMatchObject({ stepCount: 324, ended: true })
  })

  it('reaching the goal on the very last step pays 1 - 0.9 = 0.1 and is both terminated and truncated', () => {
    const env = new MiniGridEnv('SimpleCrossingS9N1')
    env.reset()
    // Waste 309 steps without changing the state (face the north wall, bump it 307 times, face
    // east again), then take the 15-step optimum: the goal is reached on step 324 = max_steps.
    env.step(0)
    for (let t = 0; t < 307; t++) env.step(2)
    env.step(1)
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, direction: 0, stepCount: 309 })
    let last = null
    for (const a of actions('RFFFFLFFFFFFRFF')) last = env.step(a)
    expect(env.describe().stepCount).toBe(324)
    expect(last).toMatchObject({ terminated: true, truncated: true })
    expect(last?.reward).toBeCloseTo(0.1, 12)
  })

  it('the done action (6) is a no-op that still costs a step (DoorKey)', () => {
    const env = new MiniGridEnv('DoorKey-5x5')
    const before = Array.from(env.reset())
    const r = env.step(6)
    expect(Array.from(r.observation)).toEqual(before)
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, direction: 1, stepCount: 1 })
  })

  it('DoorKey: pickup, drop, and a door that blocks until open and then toggles open/closed', () => {
    // Seed 9157: agent (1,1) facing south, key (1,2), locked door (2,2), split wall at x = 2.
    const env = new MiniGridEnv('DoorKey-5x5')
    env.reset()
    for (const a of actions('FL')) env.step(a) // forward is blocked by the key, then face east
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, direction: 0 })
    for (const a of actions('PT')) env.step(a) // the split wall: nothing to pick up or toggle
    expect(env.describe().carrying).toBeNull()
    for (const a of actions('RP')) env.step(a) // face south, take the key
    expect(env.describe().carrying).toBe('yellow key')
    for (const a of actions('FL')) env.step(a)
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 2, direction: 0 })
    expect(env.renderText().split('\n')[2]).toBe('#>L.#')
    env.step(4) // drop refuses a non-empty front cell (the door)
    expect(env.describe().carrying).toBe('yellow key')
    env.step(2) // locked: blocked
    expect(env.describe().agentX).toBe(1)
    env.step(5)
    expect(env.renderText().split('\n')[2]).toBe('#>/.#')
    env.step(5)
    expect(env.renderText().split('\n')[2]).toBe('#>D.#')
    env.step(2) // closed: blocked
    expect(env.describe().agentX).toBe(1)
    env.step(5)
    env.step(2)
    expect(env.describe()).toMatchObject({ agentX: 2, agentY: 2 })
    // In the open doorway: drop the key on the empty cell ahead, then pick it up again.
    env.step(4)
    expect(env.describe().carrying).toBeNull()
    expect(env.renderText().split('\n')[2]).toBe('#.>K#')
    env.step(3)
    expect(env.describe().carrying).toBe('yellow key')
  })

  it('DoorKey: toggling the locked door without the key leaves it locked', () => {
    const env = new MiniGridEnv('DoorKey-5x5')
    env.reset()
    for (const a of actions('PFD')) env.step(a) // take the key, step onto its cell, drop it south on (1,3)
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 2, carrying: null })
    expect(env.renderText().split('\n')[3]).toBe('#K#G#')
    for (const a of actions('LT')) env.step(a) // face the door, toggle empty-handed
    expect(env.renderText().split('\n')[2]).toBe('#>L.#')
    env.step(2)
    expect(env.describe().agentX).toBe(1)
    for (const a of actions('RPLT')) env.step(a) // fetch the key again, now the toggle unlocks
    expect(env.renderText().split('\n')[2]).toBe('#>/.#')
  })
})

describe('MiniGridEnv usage', () => {
  it('throws EnvUsageError on step before reset and after the episode ended', () => {
    const env = new MiniGridEnv('LavaCrossingS9N1', { layoutSeed: 860 })
    expect(() => env.step(0)).toThrow(EnvUsageError)
    expect(() => env.describe()).toThrow(EnvUsageError)
    expect(() => env.renderText()).toThrow(EnvUsageError)
    env.reset()
    env.step(2) // lava
    expect(() => env.step(0)).toThrow(EnvUsageError)
    env.reset()
    expect(env.step(0).terminated).toBe(false)
  })

  it('rejects actions outside the task action space', () => {
    const crossing = new MiniGridEnv('SimpleCrossingS9N1')
    crossing.reset()
    for (const a of [3, 6, -1, 1.5, Number.NaN]) expect(() => crossing.step(a), String(a)).toThrow(EnvUsageError)
    const doorKey = new MiniGridEnv('DoorKey-5x5')
    doorKey.reset()
    expect(() => doorKey.step(7)).toThrow(EnvUsageError)
    expect(doorKey.numActions).toBe(7)
    expect(crossing.numActions).toBe(3)
    // A rejected action does not count as a step.
    expect(crossing.describe().stepCount).toBe(0)
  })

  it('rejects invalid names and seeds with typed errors', () => {
    expect(() => new MiniGridEnv('DoorKey-7x7')).toThrow(MiniGridNameError)
    expect(() => new MiniGridEnv('SimpleCrossingS9N1', { layoutSeed: -1 })).toThrow(EnvUsageError)
    const env = new MiniGridEnv('SimpleCrossingS9N1')
    expect(() => env.reset(2.5)).toThrow(EnvUsageError)
  })

  it('replays the task layout on every reset; a reset seed is validated but does not change the task', () => {
    const env = new MiniGridEnv('SimpleCrossingS9N1', { layoutSeed: 9157 })
    expect(sum(env.reset())).toBe(68)
    env.step(1)
    env.step(2)
    expect(sum(env.reset())).toBe(68)
    expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, stepCount: 0, direction: 0, layoutSeed: 9157 })
    expect(sum(env.reset(860))).toBe(68)
    expect(env.describe().layoutSeed).toBe(9157)
    // The layout seed is chosen at construction: seed 860 is another task.
    const other = new MiniGridEnv('SimpleCrossingS9N1', { layoutSeed: 860 })
    expect(sum(other.reset())).toBe(46)
    expect(other.layoutSeed).toBe(860)
    expect(sum(new MiniGridEnv('SimpleCrossingS9N1').reset())).toBe(68) // default seed 9157
    expect(new MiniGridEnv('SimpleCrossingS9N1', { layoutSeed: 2n ** 70n }).reset().length).toBe(147)
  })

  it('renders the whole grid as text with the agent as >, v, < or ^', () => {
    const env = new MiniGridEnv('LavaCrossingS9N2', { layoutSeed: 9157 })
    env.reset()
    expect(env.renderText()).toBe(
      [
        '#########',
        '#>..~...#',
        '#~.~~~~~#',
        '#.......#',
        '#...~...#',
        '#...~...#',
        '#...~...#',
        '#...~..G#',
        '#########'
      ].join('\n')
    )
    env.step(1)
    expect(env.renderText().split('\n')[1]).toBe('#v..~...#')
    env.step(1)
    expect(env.renderText().split('\n')[1]).toBe('#<..~...#')
    env.step(1)
    expect(env.renderText().split('\n')[1]).toBe('#^..~...#')
  })

  it('keeps a step observation intact through the auto-reset that follows it', () => {
    const env = new AutoResetEnv(new MiniGridEnv('LavaCrossingS9N1', { layoutSeed: 860 }))
    const resetSum = sum(env.reset())
    const reference = new MiniGridEnv('LavaCrossingS9N1', { layoutSeed: 860 })
    reference.reset()
    const terminalSum = sum(reference.step(2).observation)
    const r = env.step(2)
    expect(r).toMatchObject({ done: true, reward: 0, terminated: true })
    expect(sum(r.observation)).toBe(resetSum)
    expect(sum(r.terminalObservation ?? new Uint8Array())).toBe(terminalSum)
    expect(terminalSum).not.toBe(resetSum)
  })
})
