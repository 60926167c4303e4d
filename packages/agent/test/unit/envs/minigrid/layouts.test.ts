import { describe, expect, it } from 'vitest'
import { MiniGridEnv } from '../../../../src/envs/minigrid/env.js'
import { generateLayout, layoutFor } from '../../../../src/envs/minigrid/layout-cache.js'
import type { Layout } from '../../../../src/envs/minigrid/layout.js'
import { ObjectType } from '../../../../src/envs/minigrid/objects.js'
import { optimalReturn, shortestSolution } from '../../../../src/envs/minigrid/optimal.js'
import { parseMiniGridName, type CrossingSpec } from '../../../../src/envs/minigrid/spec.js'
import { actions, interiorRows } from './helpers.js'

// docs/environments.md §3.7: task, seed, optimal steps (BFS, actions 0-2), interior rows y = 1..7.
const TABLE: Array<[string, number, number, string]> = [
  ['SimpleCrossingS9N1', 9157, 15, 'A..#... ...#... ...#... ...#... ....... ...#... ...#..G'],
  ['SimpleCrossingS9N1', 860, 14, 'A#..... .#..... .#..... .#..... .#..... .#..... ......G'],
  ['SimpleCrossingS9N1', 861, 13, 'A...... ...#... ...#... ...#... ...#... ...#... ...#..G'],
  ['SimpleCrossingS9N2', 9157, 15, 'A..#... #.##### ....... ...#... ...#... ...#... ...#..G'],
  ['SimpleCrossingS9N2', 860, 15, 'A#..... .###### .#..... .#..... .#..... ....... .#....G'],
  ['SimpleCrossingS9N2', 861, 14, 'A..#... ...#... ...#... ...#... ...#... #.##### ......G'],
  ['SimpleCrossingS9N3', 9157, 15, 'A..#... ##.#### .#..... .#.#... .#.#... .#.#... .#.#..G'],
  ['SimpleCrossingS9N3', 860, 13, 'A...... ######. .#...#. .#...#. .#...#. .#...#. .#...#G'],
  ['SimpleCrossingS9N3', 861, 19, 'A..#.#. ...#... .....#. ...#.#. ...#.#. ######. ...#.#G'],
  ['LavaCrossingS9N1', 9157, 15, 'A..~... ...~... ...~... ...~... ....... ...~... ...~..G'],
  ['LavaCrossingS9N1', 860, 14, 'A~..... .~..... .~..... .~..... .~..... .~..... ......G'],
  ['LavaCrossingS9N1', 861, 13, 'A...... ...~... ...~... ...~... ...~... ...~... ...~..G'],
  ['LavaCrossingS9N2', 9157, 15, 'A..~... ~.~~~~~ ....... ...~... ...~... ...~... ...~..G'],
  ['LavaCrossingS9N2', 860, 15, 'A~..... .~~~~~~ .~..... .~..... .~..... ....... .~....G'],
  ['LavaCrossingS9N2', 861, 14, 'A..~... ...~... ...~... ...~... ...~... ~.~~~~~ ......G'],
  ['LavaCrossingS9N3', 9157, 15, 'A..~... ~~.~~~~ .~..... .~.~... .~.~... .~.~... .~.~..G'],
  ['LavaCrossingS9N3', 860, 13, 'A...... ~~~~~~. .~...~. .~...~. .~...~. .~...~. .~...~G'],
  ['LavaCrossingS9N3', 861, 19, 'A..~.~. ...~... .....~. ...~.~. ...~.~. ~~~~~~. ...~.~G']
]

describe('MiniGrid layouts for the seeds L2D2-C uses (docs/environments.md §3.7)', () => {
  for (const [task, seed, opt, rows] of TABLE) {
    it(`${task} seed ${seed}: layout, ${opt}-step optimum and its reward on replay`, () => {
      const env = new MiniGridEnv(task, { layoutSeed: seed })
      env.reset()
      expect(interiorRows(env)).toBe(rows)
      expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, direction: 0 })

      const path = shortestSolution(env.spec, env.currentLayout())
      expect(path).not.toBeNull()
      expect(path?.length).toBe(opt)
      expect(path?.every(a => a >= 0 && a <= 2)).toBe(true)
      let last = null
      for (const a of path ?? []) {
        expect(last?.terminated ?? false).toBe(false)
        last = env.step(a)
      }
      const rStar = 1 - (0.9 * opt) / 324
      expect(last).toMatchObject({ terminated: true, truncated: false })
      expect(last?.reward).toBeCloseTo(rStar, 12)
      expect(optimalReturn(env.spec, env.currentLayout())).toBeCloseTo(rStar, 12)
    })
  }

  it('DoorKey-5x5 and DoorKey-6x6 seed 9157: agent (1,1) facing south, key (1,2), locked door (2,2); the 8-step optimum pays 0.9712', () => {
    for (const task of ['DoorKey-5x5', 'DoorKey-6x6']) {
      const env = new MiniGridEnv(task, { layoutSeed: 9157 })
      env.reset()
      expect(env.renderText()).toBe(['#####', '#v#.#', '#KL.#', '#.#G#', '#####'].join('\n'))
      expect(env.describe()).toMatchObject({ agentX: 1, agentY: 1, direction: 1, carrying: null, maxSteps: 250 })

      const optimum = actions('PFLTFFRF')
      expect(shortestSolution(env.spec, env.currentLayout())?.length).toBe(optimum.length)
      let last = null
      for (const a of optimum) last = env.step(a)
      expect(last).toMatchObject({ terminated: true, truncated: false })
      expect((last?.reward ?? 0).toFixed(4)).toBe('0.9712')
    }
  })

  it('LavaCrossingS11N5 seed 9157 generates a solvable 11x11 layout with max_steps 484', () => {
    const env = new MiniGridEnv('LavaCrossingS11N5')
    env.reset()
    expect(env.maxSteps).toBe(484)
    const layout = env.currentLayout()
    expect(layout.width).toBe(11)
    expect(layout.typeAt(9, 9)).toBe(ObjectType.GOAL)
    expect(riverCount(env.spec as CrossingSpec, layout)).toBe(5)
    const path = shortestSolution(env.spec, layout)
    expect(path).not.toBeNull()
    let last = null
    for (const a of path ?? []) last = env.step(a)
    expect(last?.reward).toBeCloseTo(1 - (0.9 * (path?.length ?? 0)) / 484, 12)
  })

  it('crossing layouts for many seeds have N rivers with exactly one opening each and a reachable goal', () => {
    for (const task of [
      'SimpleCrossingS9N1',
      'SimpleCrossingS9N3',
      'LavaCrossingS9N2',
      'LavaCrossingS11N5',
      'SimpleCrossingS5N2',
      'LavaCrossingS9N6'
    ]) {
      const spec = parseMiniGridName(task) as CrossingSpec
      const malformed: number[] = []
      for (let seed = 0; seed < 50; seed++) {
        const layout = generateLayout(spec, seed)
        const ok =
          riverCount(spec, layout) === spec.numCrossings &&
          layout.typeAt(spec.size - 2, spec.size - 2) === ObjectType.GOAL &&
          shortestSolution(spec, layout) !== null
        if (!ok) malformed.push(seed)
      }
      expect(malformed, task).toEqual([])
    }
  })

  it('DoorKey layouts for many seeds: split wall with one locked door, agent and key left of it, solvable', () => {
    for (const task of ['DoorKey-5x5', 'DoorKey-8x8', 'DoorKey-16x16']) {
      const spec = parseMiniGridName(task)
      const size = spec.size
      for (let seed = 0; seed < 30; seed++) {
        const layout = generateLayout(spec, seed)
        const doors: number[][] = []
        const keys: number[][] = []
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const c = layout.cell(x, y)
            if (c.type === ObjectType.DOOR) {
              doors.push([x, y])
              expect(c).toEqual({ type: 4, color: 4, state: 2 })
            }
            if (c.type === ObjectType.KEY) {
              keys.push([x, y])
              expect(c.color).toBe(4)
            }
          }
        }
        expect(doors.length).toBe(1)
        expect(keys.length).toBe(1)
        const [splitX = -1, doorY = -1] = doors[0] ?? []
        expect(splitX >= 2 && splitX < size - 2 && doorY >= 1 && doorY < size - 2).toBe(true)
        for (let y = 0; y < size; y++) if (y !== doorY) expect(layout.typeAt(splitX, y)).toBe(ObjectType.WALL)
        expect((keys[0]?.[0] ?? 99) < splitX && layout.agentX < splitX).toBe(true)
        expect(layout.typeAt(layout.agentX, layout.agentY)).toBe(ObjectType.EMPTY)
        expect(layout.typeAt(size - 2, size - 2)).toBe(ObjectType.GOAL)
        expect(shortestSolution(spec, layout), `${task} seed ${seed}`).not.toBeNull()
      }
    }
  })

  it('caches one layout per (task, seed) and returns the same layout for number and bigint seeds', () => {
    const spec = parseMiniGridName('SimpleCrossingS9N2')
    expect(layoutFor(spec, 860)).toBe(layoutFor(spec, 860))
    expect(layoutFor(spec, 860n)).toBe(layoutFor(spec, 860))
    expect(layoutFor(spec, 861)).not.toBe(layoutFor(spec, 860))
  })
})

/**
 * Counts rivers: interior columns/rows made of obstacles except exactly one opening. A line
 * that is not a river only holds obstacles where it crosses one, at most (S-3)/2 of them; any
 * other count, or a river on an odd line, makes the layout malformed (returns -1).
 */
function riverCount(spec: CrossingSpec, layout: Layout): number {
  const s = spec.size
  const obstacle = spec.obstacle === 'lava' ? ObjectType.LAVA : ObjectType.WALL
  let rivers = 0
  for (let line = 1; line < s - 1; line++) {
    let inColumn = 0
    let inRow = 0
    for (let t = 1; t < s - 1; t++) {
      if (layout.typeAt(line, t) === obstacle) inColumn++
      if (layout.typeAt(t, line) === obstacle) inRow++
    }
    for (const count of [inColumn, inRow]) {
      if (count === s - 3 && line % 2 === 0) rivers++
      else if (count > (s - 3) / 2) return -1
    }
  }
  return rivers
}
