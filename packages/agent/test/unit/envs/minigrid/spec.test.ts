import { describe, expect, it } from 'vitest'
import { MiniGridNameError, parseMiniGridName } from '../../../../src/envs/minigrid/spec.js'

describe('MiniGrid task names', () => {
  it('parses crossing tasks, bare or as gym ids, with 3 actions and max_steps 4·S²', () => {
    expect(parseMiniGridName('SimpleCrossingS9N1')).toEqual({
      kind: 'crossing',
      name: 'SimpleCrossingS9N1',
      obstacle: 'wall',
      size: 9,
      numCrossings: 1,
      maxSteps: 324,
      numActions: 3
    })
    expect(parseMiniGridName('MiniGrid-LavaCrossingS11N5-v0')).toEqual({
      kind: 'crossing',
      name: 'LavaCrossingS11N5',
      obstacle: 'lava',
      size: 11,
      numCrossings: 5,
      maxSteps: 484,
      numActions: 3
    })
    // Unregistered but well-formed sizes are accepted (any odd S >= 5, N up to S-3 candidate rivers).
    expect(parseMiniGridName('LavaCrossingS5N2')).toMatchObject({ size: 5, numCrossings: 2, maxSteps: 100 })
    expect(parseMiniGridName('SimpleCrossingS9N6')).toMatchObject({ numCrossings: 6 })
  })

  it('gives DoorKey the sizes gym-minigrid 1.1.0 registers (6x6 builds size 5), 7 actions, max_steps 10·S²', () => {
    expect(parseMiniGridName('DoorKey-5x5')).toEqual({
      kind: 'doorkey',
      name: 'DoorKey-5x5',
      size: 5,
      maxSteps: 250,
      numActions: 7
    })
    expect(parseMiniGridName('MiniGrid-DoorKey-6x6-v0')).toEqual({
      kind: 'doorkey',
      name: 'DoorKey-6x6',
      size: 5,
      maxSteps: 250,
      numActions: 7
    })
    expect(parseMiniGridName('DoorKey-8x8')).toMatchObject({ size: 8, maxSteps: 640 })
    expect(parseMiniGridName('DoorKey-16x16')).toMatchObject({ size: 16, maxSteps: 2560 })
  })

  it('rejects unknown or out-of-range names with MiniGridNameError', () => {
    const bad = [
      'Foo',
      '',
      'SimpleCrossingS8N1',
      'SimpleCrossingS3N1',
      'SimpleCrossingS9N0',
      'SimpleCrossingS9N7',
      'SimpleCrossingS09N1',
      'LavaCrossingS9N01',
      'SimpleCrossingS257N1',
      'DoorKey-7x7',
      'DoorKey-5x6',
      'MiniGrid-SimpleCrossingS9N1-v1',
      'simplecrossings9n1',
      ' SimpleCrossingS9N1'
    ]
    for (const name of bad) expect(() => parseMiniGridName(name), name).toThrow(MiniGridNameError)
    expect(() => parseMiniGridName('SimpleCrossingS9N7')).toThrow(/6 candidate rivers/)
  })
})
