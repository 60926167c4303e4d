import { describe, expect, it } from 'vitest'
import { l2d2cCtGraphConfig } from '../../../src/envs/ct-graph.js'
import {
  ctGraphTaskKey,
  META_CTGRAPH_TASKS,
  MINIGRID_CROSSING_TASKS,
  miniGridTaskKey,
  parseTaskKey,
  TaskKeyError
} from '../../../src/envs/task-key.js'

describe('task keys', () => {
  it('parses CT-graph keys into their parameters', () => {
    expect(parseTaskKey('ctgraph/d2b2/img3/leaf10')).toEqual({
      family: 'ctgraph',
      key: 'ctgraph/d2b2/img3/leaf10',
      depth: 2,
      branching: 2,
      imageSeed: 3,
      goalPath: [1, 0]
    })
    expect(parseTaskKey('ctgraph/d4b2/img1/leaf1011')).toMatchObject({ depth: 4, goalPath: [1, 0, 1, 1] })
    expect(parseTaskKey('ctgraph/d2b3/img2/leaf21')).toMatchObject({ branching: 3, goalPath: [2, 1] })
  })

  it('parses MiniGrid keys', () => {
    expect(parseTaskKey('minigrid/SimpleCrossingS9N2/seed9157')).toEqual({
      family: 'minigrid',
      key: 'minigrid/SimpleCrossingS9N2/seed9157',
      envName: 'SimpleCrossingS9N2',
      layoutSeed: 9157
    })
    expect(parseTaskKey('minigrid/LavaCrossingS11N5/seed860')).toMatchObject({
      envName: 'LavaCrossingS11N5',
      layoutSeed: 860
    })
    expect(parseTaskKey('minigrid/DoorKey-5x5/seed9157')).toMatchObject({ envName: 'DoorKey-5x5' })
  })

  it('formats keys that parse back to themselves', () => {
    for (const key of [
      ...META_CTGRAPH_TASKS,
      ...MINIGRID_CROSSING_TASKS,
      ctGraphTaskKey(4, 2, 1, [0, 1, 1, 0]),
      miniGridTaskKey('DoorKey-5x5', 0)
    ]) {
      expect(parseTaskKey(key).key).toBe(key)
    }
  })

  it('lists the 16-task meta CT-graph in the reference order (image seed-major, leaves 00,01,10,11)', () => {
    expect(META_CTGRAPH_TASKS.length).toBe(16)
    expect(META_CTGRAPH_TASKS.slice(0, 5)).toEqual([
      'ctgraph/d2b2/img1/leaf00',
      'ctgraph/d2b2/img1/leaf01',
      'ctgraph/d2b2/img1/leaf10',
      'ctgraph/d2b2/img1/leaf11',
      'ctgraph/d2b2/img2/leaf00'
    ])
    expect(META_CTGRAPH_TASKS[15]).toBe('ctgraph/d2b2/img4/leaf11')
    expect(new Set(META_CTGRAPH_TASKS).size).toBe(16)
  })

  it('refuses non-canonical and invalid keys with a reason', () => {
    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['atari/pong', /unknown family/],
      ['ctgraph/d2b2/img01/leaf00', /leading zeros/],
      ['ctgraph/d2b2/img1/leaf0', /exactly 2 digits/],
      ['ctgraph/d2b2/img1/leaf02', /below the branching/],
      ['ctgraph/d0b2/img1/leaf', /depth must be at least 1/],
      ['ctgraph/d2b1/img1/leaf00', /branching must be at least 2/],
      ['ctgraph/d9b2/img1/leaf000000000', /exceeds 8/],
      ['ctgraph/d2b2/img1', /expected ctgraph/],
      ['ctgraph/D2B2/img1/leaf00', /must look like d2b2/],
      ['ctgraph/d2b2/img99999999999/leaf00', /exceeds/],
      ['minigrid/SimpleCrossingS9N1', /expected minigrid/],
      ['minigrid/Empty-5x5/seed1', /unknown MiniGrid environment: .*expected SimpleCrossingS\{S\}N\{N\}/],
      [
        'minigrid/MiniGrid-SimpleCrossingS9N1-v0/seed1',
        /non-canonical MiniGrid name .*use the bare name SimpleCrossingS9N1$/
      ],
      ['minigrid/SimpleCrossingS9N1/seed-1', /non-negative integer/],
      ['minigrid/SimpleCrossingS9N1/9157', /must look like seed9157/]
    ]
    for (const [key, reason] of bad) {
      expect(() => parseTaskKey(key), key).toThrow(TaskKeyError)
      expect(() => parseTaskKey(key), key).toThrow(reason)
    }
    // The list of MiniGrid names is given once, not repeated by the key parser.
    expect(() => parseTaskKey('minigrid/Foo/seed1')).toThrow(/^(?!.*expected SimpleCrossing.*expected SimpleCrossing)/)
  })

  it('refuses exactly the CT-graph shapes the env cannot build, so every parsed key is buildable', () => {
    // Too many leaves (> 2^20) or too many dataset images (> 65536) for the L2D2-C layout.
    const unbuildable = new Set([
      'd5b8',
      'd5b9',
      'd6b6',
      'd6b7',
      'd6b8',
      'd6b9',
      'd7b5',
      'd7b6',
      'd7b7',
      'd7b8',
      'd7b9',
      'd8b4',
      'd8b5',
      'd8b6',
      'd8b7',
      'd8b8',
      'd8b9'
    ])
    for (let depth = 1; depth <= 8; depth++) {
      for (let branching = 2; branching <= 9; branching++) {
        const key = ctGraphTaskKey(
          depth,
          branching,
          1,
          Array.from({ length: depth }, () => 0)
        )
        if (unbuildable.has(`d${depth}b${branching}`)) {
          expect(() => parseTaskKey(key), key).toThrow(TaskKeyError)
          expect(() => parseTaskKey(key), key).toThrow(/leaves|images/)
        } else {
          expect(parseTaskKey(key).key, key).toBe(key)
          expect(l2d2cCtGraphConfig(depth, branching, 1).depth, key).toBe(depth)
        }
      }
    }
    expect(unbuildable.size).toBe(17)
  })
})
