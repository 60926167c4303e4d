import { describe, expect, it } from 'vitest'
import {
  CurriculumError,
  parseCurriculum,
  parseCurriculumJson,
  randomCurriculum,
  rotatedCurriculum,
  sameOrderCurriculum,
  type TaskShape
} from '../../../src/envs/curriculum.js'
import { META_CTGRAPH_TASKS } from '../../../src/envs/task-key.js'

const shapes = (key: string): TaskShape =>
  key.startsWith('ctgraph') ? { observationSize: 144, numActions: 3 } : { observationSize: 147, numActions: 3 }

describe('curriculum documents', () => {
  const valid = {
    version: 1,
    name: 'two agents',
    stepsPerTask: 25_600,
    agents: [
      { tasks: ['ctgraph/d2b2/img1/leaf00', 'ctgraph/d2b2/img1/leaf01'] },
      { tasks: ['ctgraph/d2b2/img2/leaf11'], stepsPerTask: 12_800, seed: 7 }
    ]
  }

  it('accepts a valid document and applies the default budget', () => {
    const c = parseCurriculum(valid, shapes)
    expect(c.agents[0]).toEqual({ tasks: valid.agents[0]!.tasks, stepsPerTask: 25_600 })
    expect(c.agents[1]).toEqual({ tasks: ['ctgraph/d2b2/img2/leaf11'], stepsPerTask: 12_800, seed: 7 })
    expect(c.name).toBe('two agents')
    expect(parseCurriculum({ ...valid, description: 'for people' }).description).toBe('for people')
  })

  it('refuses bad documents with the JSON path of the problem', () => {
    const cases: Array<[unknown, string]> = [
      [[], 'curriculum: must be a JSON object'],
      [{ ...valid, version: 2 }, 'version: must be 1'],
      [{ ...valid, extra: true }, 'extra: unknown field'],
      [{ ...valid, stepsPerTask: 0 }, 'stepsPerTask: must be an integer'],
      [{ ...valid, stepsPerTask: 1.5 }, 'stepsPerTask: must be an integer'],
      [{ ...valid, agents: [] }, 'agents: must be a non-empty array'],
      [{ ...valid, agents: [{ tasks: [] }] }, 'agents[0].tasks: must be a non-empty array'],
      [
        { ...valid, agents: [{ tasks: ['ctgraph/d2b2/img1/leaf00'], max_steps: 5 }] },
        'agents[0].max_steps: unknown field'
      ],
      [
        { ...valid, agents: [{ tasks: ['ctgraph/d2b2/img1/leaf00', 'nope'] }] },
        'agents[0].tasks[1]: invalid task key "nope"'
      ],
      [{ ...valid, agents: [{ tasks: [3] }] }, 'agents[0].tasks[0]: must be a task key string'],
      [{ ...valid, agents: [{ tasks: ['ctgraph/d2b2/img1/leaf00'], seed: -1 }] }, 'agents[0].seed: must be an integer'],
      [
        { ...valid, agents: [valid.agents[0], { tasks: ['minigrid/SimpleCrossingS9N1/seed9157'] }] },
        'agents[1].tasks[0]: minigrid/SimpleCrossingS9N1/seed9157 has 147 inputs'
      ]
    ]
    for (const [doc, message] of cases) {
      let err: unknown
      try {
        parseCurriculum(doc, shapes)
      } catch (e) {
        err = e
      }
      expect(err, message).toBeInstanceOf(CurriculumError)
      expect((err as Error).message).toContain(message)
    }
  })

  it('reports JSON syntax errors as curriculum errors', () => {
    expect(() => parseCurriculumJson('{"version": 1,', shapes)).toThrow(/not valid JSON/)
  })
})

describe('curriculum shapes', () => {
  it('same order: every agent gets the full list', () => {
    const c = sameOrderCurriculum(META_CTGRAPH_TASKS, 3, 1000)
    expect(c.agents.map(a => a.tasks)).toEqual([META_CTGRAPH_TASKS, META_CTGRAPH_TASKS, META_CTGRAPH_TASKS])
  })

  it('rotated: starts spread evenly; every agent still meets every task once', () => {
    const c = rotatedCurriculum(META_CTGRAPH_TASKS, 4, 1000)
    expect(c.agents.map(a => a.tasks[0])).toEqual([
      META_CTGRAPH_TASKS[0],
      META_CTGRAPH_TASKS[4],
      META_CTGRAPH_TASKS[8],
      META_CTGRAPH_TASKS[12]
    ])
    for (const a of c.agents) expect([...a.tasks].sort()).toEqual([...META_CTGRAPH_TASKS].sort())
  })

  it('rotated with the reference offset i => -i (shell_16x16 starts 0, 15, 14, ...)', () => {
    const c = rotatedCurriculum(META_CTGRAPH_TASKS, 3, 1000, i => -i)
    expect(c.agents.map(a => a.tasks[0])).toEqual([
      META_CTGRAPH_TASKS[0],
      META_CTGRAPH_TASKS[15],
      META_CTGRAPH_TASKS[14]
    ])
  })

  it('random draws are reproducible from the seed and cover the task set', () => {
    const a = randomCurriculum(META_CTGRAPH_TASKS, 2, 200, 1000, 9157)
    const b = randomCurriculum(META_CTGRAPH_TASKS, 2, 200, 1000, 9157)
    const c = randomCurriculum(META_CTGRAPH_TASKS, 2, 200, 1000, 1)
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    expect(a.agents[0]!.tasks).not.toEqual(a.agents[1]!.tasks)
    expect(new Set(a.agents[0]!.tasks).size).toBe(16)
    expect(parseCurriculum(a, shapes)).toEqual(a)
    expect(() => randomCurriculum(META_CTGRAPH_TASKS, 2, 200, 1000, -1)).toThrow(CurriculumError)
    expect(() => randomCurriculum(META_CTGRAPH_TASKS, 2, 0, 1000, 1)).toThrow(CurriculumError)
  })

  it('refuses empty task lists, bad keys, bad counts and budgets as CurriculumError', () => {
    expect(() => sameOrderCurriculum([], 1, 10)).toThrow(CurriculumError)
    expect(() => rotatedCurriculum([], 2, 10)).toThrow(CurriculumError)
    expect(() => randomCurriculum([], 2, 5, 10, 1)).toThrow(CurriculumError)
    expect(() => rotatedCurriculum(META_CTGRAPH_TASKS, 0, 10)).toThrow(CurriculumError)
    expect(() => sameOrderCurriculum(META_CTGRAPH_TASKS, 1.5, 10)).toThrow(CurriculumError)
    expect(() => sameOrderCurriculum(META_CTGRAPH_TASKS, 1, 0)).toThrow(CurriculumError)
    for (const make of [
      () => sameOrderCurriculum(['bad'], 2, 10),
      () => rotatedCurriculum(['bad'], 2, 10),
      () => randomCurriculum(['bad'], 2, 3, 10, 1)
    ]) {
      expect(make).toThrow(CurriculumError)
      expect(make).toThrow(/agents\[0\]\.tasks\[0\]: invalid task key "bad"/)
    }
  })

  it('checks the network shapes of generated curricula with describeTask, as parseCurriculum does', () => {
    const mixed = ['ctgraph/d2b2/img1/leaf00', 'minigrid/SimpleCrossingS9N1/seed9157']
    expect(rotatedCurriculum(mixed, 2, 10).agents.length).toBe(2)
    expect(() => rotatedCurriculum(mixed, 2, 10, undefined, shapes)).toThrow(/share one network shape/)
    expect(() => sameOrderCurriculum(mixed, 1, 10, shapes)).toThrow(CurriculumError)
    expect(() => randomCurriculum(mixed, 1, 50, 10, 3, shapes)).toThrow(CurriculumError)
  })
})
