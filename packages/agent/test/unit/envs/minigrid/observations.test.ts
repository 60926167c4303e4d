import { describe, expect, it } from 'vitest'
import { MiniGridEnv } from '../../../../src/envs/minigrid/env.js'
import { actions, sum, viewRows } from './helpers.js'

describe('MiniGrid egocentric observation (docs/environments.md §3.4, §3.9)', () => {
  it('SimpleCrossingS9N1 seed 9157: initial 7x7 view, sum 68, first 42 flattened values 0', () => {
    const env = new MiniGridEnv('SimpleCrossingS9N1', { layoutSeed: 9157 })
    const obs = env.reset()
    expect(obs).toBeInstanceOf(Uint8Array)
    expect(obs.length).toBe(147)
    expect(viewRows(obs)).toEqual([
      '000 000 000 000 000 000 000',
      '000 000 000 000 000 000 000',
      '000 000 000 000 000 000 000',
      '000 000 250 250 250 250 250',
      '000 000 250 100 100 100 100',
      '000 000 250 100 100 100 100',
      '000 000 250 100 100 100 100'
    ])
    expect(sum(obs)).toBe(68)
    expect(Array.from(obs.subarray(0, 42)).every(v => v === 0)).toBe(true)
  })

  it('SimpleCrossingS9N1 seed 9157: view after turning right (facing south)', () => {
    const env = new MiniGridEnv('SimpleCrossingS9N1')
    env.reset()
    const r = env.step(1)
    expect(viewRows(r.observation)).toEqual([
      '250 100 100 100 250 000 000',
      '250 100 100 100 250 000 000',
      '100 100 100 100 250 000 000',
      '250 100 100 100 250 000 000',
      '250 100 100 100 250 000 000',
      '250 100 100 100 250 000 000',
      '250 100 100 100 250 000 000'
    ])
  })

  it('shows the carried key in the agent cell and walls, doors and unseen cells around it (DoorKey-5x5)', () => {
    const env = new MiniGridEnv('DoorKey-5x5')
    const start = env.reset()
    // Facing south at (1,1): the key straight ahead at view (3,5), the agent cell reads empty.
    const cell = (obs: Uint8Array, i: number, j: number): number[] =>
      Array.from(obs.subarray((i * 7 + j) * 3, (i * 7 + j) * 3 + 3))
    expect(cell(start, 3, 6)).toEqual([1, 0, 0])
    expect(cell(start, 3, 5)).toEqual([5, 4, 0])
    const picked = env.step(actions('P')[0] ?? -1).observation
    expect(cell(picked, 3, 6)).toEqual([5, 4, 0])
    expect(cell(picked, 3, 5)).toEqual([1, 0, 0])
    const moved = env.step(2).observation
    const turned = env.step(0).observation
    // Now at (1,2) facing east: the locked yellow door is in front; nothing beyond it is visible.
    expect(cell(moved, 3, 6)).toEqual([5, 4, 0])
    expect(cell(turned, 3, 5)).toEqual([4, 4, 2])
    expect(cell(turned, 3, 4)).toEqual([0, 0, 0])
    const opened = env.step(5).observation
    expect(cell(opened, 3, 5)).toEqual([4, 4, 0])
    // Through the open door: (3,2) is empty floor beyond it.
    expect(cell(opened, 3, 4)).toEqual([1, 0, 0])
  })
})

/** A trace step: action letter, the env's observation sum after it, and optionally the expected pose. */
type TraceStep = [string, number, [number, number, number]?]

function replay(
  task: string,
  seed: number,
  resetSum: number,
  steps: TraceStep[]
): { reward: number; terminated: boolean; stepCount: number } {
  const env = new MiniGridEnv(task, { layoutSeed: seed })
  expect(sum(env.reset())).toBe(resetSum)
  let result = { reward: 0, terminated: false, stepCount: 0 }
  steps.forEach(([letter, expectedSum, pose], n) => {
    expect(result.terminated, `step ${n} after the end`).toBe(false)
    const r = env.step(actions(letter)[0] ?? -1)
    expect(sum(r.observation), `sum after step ${n + 1} (${letter})`).toBe(expectedSum)
    const d = env.describe()
    if (pose !== undefined) expect([d.agentX, d.agentY, d.direction], `pose after step ${n + 1}`).toEqual(pose)
    result = { reward: r.reward, terminated: r.terminated, stepCount: d.stepCount }
  })
  return result
}

describe('MiniGrid traces with observation sums (docs/environments.md §3.9)', () => {
  it('SimpleCrossingS9N1 / 9157', () => {
    const end = replay('SimpleCrossingS9N1', 9157, 68, [
      ['R', 113, [1, 1, 1]],
      ['F', 131, [1, 2, 1]],
      ['F', 114, [1, 3, 1]],
      ['F', 97, [1, 4, 1]],
      ['F', 80, [1, 5, 1]],
      ['L', 129, [1, 5, 0]],
      ['F', 165, [2, 5, 0]],
      ['F', 152, [3, 5, 0]],
      ['F', 111, [4, 5, 0]],
      ['F', 96, [5, 5, 0]],
      ['F', 83, [6, 5, 0]],
      ['F', 70, [7, 5, 0]],
      ['R', 88, [7, 5, 1]],
      ['F', 77, [7, 6, 1]],
      ['F', 52, [7, 7, 1]]
    ])
    expect(end.terminated).toBe(true)
    expect(end.stepCount).toBe(15)
    expect(end.reward.toFixed(6)).toBe('0.958333')
  })

  it('SimpleCrossingS9N1 / 860', () => {
    const sums = [101, 121, 106, 91, 76, 61, 46, 103, 113, 98, 87, 76, 65, 46]
    const letters = 'RFFFFFFLFFFFFF'
    // Only the final pose is given in the doc: the goal cell, still facing east.
    const steps: TraceStep[] = [...letters].map((l, n) =>
      n === 13 ? [l, sums[n] ?? -1, [7, 7, 0]] : [l, sums[n] ?? -1]
    )
    const end = replay('SimpleCrossingS9N1', 860, 46, steps)
    expect(end.terminated).toBe(true)
    expect(end.stepCount).toBe(14)
    expect(end.reward.toFixed(6)).toBe('0.961111')
  })

  it('SimpleCrossingS9N2 / 9157', () => {
    const end = replay('SimpleCrossingS9N2', 9157, 99, [
      ['F', 105, [2, 1, 0]],
      ['R', 130],
      ['F', 141, [2, 2, 1]],
      ['F', 126, [2, 3, 1]],
      ['L', 143],
      ['F', 108, [3, 3, 0]],
      ['F', 83],
      ['F', 68],
      ['F', 57],
      ['F', 46, [7, 3, 0]],
      ['R', 122],
      ['F', 111],
      ['F', 94],
      ['F', 77],
      ['F', 52, [7, 7, 1]]
    ])
    expect(end.terminated).toBe(true)
    expect(end.reward.toFixed(6)).toBe('0.958333')
  })

  it('SimpleCrossingS9N3 / 9157', () => {
    const end = replay('SimpleCrossingS9N3', 9157, 97, [
      ['F', 103, [2, 1, 0]],
      ['F', 88, [3, 1, 0]],
      ['R', 125],
      ['F', 129, [3, 2, 1]],
      ['F', 114, [3, 3, 1]],
      ['L', 124],
      ['F', 83],
      ['F', 68],
      ['F', 57],
      ['F', 46, [7, 3, 0]],
      ['R', 122],
      ['F', 111],
      ['F', 94],
      ['F', 77],
      ['F', 52, [7, 7, 1]]
    ])
    expect(end.terminated).toBe(true)
    expect(end.reward.toFixed(6)).toBe('0.958333')
  })
})
