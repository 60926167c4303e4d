import { describe, expect, it } from 'vitest'
import { isPaced, PACE_LIFTED, paceLimit } from '../../src/experiment/pace.js'
import {
  curricula,
  evaluatorArgs,
  EXPERIMENT_EVALUATOR_QUERY_WINDOW_MS,
  learnerArgs,
  learnerSeed,
  teacherArgs
} from '../../src/experiment/run-args.js'
import { claimOf, etaSeconds, formatDuration, runsToStart } from '../../src/experiment/schedule.js'
import { DROP_MODES, parseSpec, runsOf, SpecError } from '../../src/experiment/spec.js'

const minimal = {
  name: 'tiny',
  tasks: ['meta-ctgraph'],
  taskCount: 4,
  seeds: [1, 2],
  baseline: 'lone',
  defaults: { stepsPerTask: 6400 },
  conditions: [
    { name: 'lone', learners: 1, sharing: false },
    { name: 'sharing-2', learners: 2, drop: 0.95, dropMode: 'queries', compareTo: 'isolated-2' },
    { name: 'isolated-2', learners: 2, sharing: false, budget: 'fixed', encoding: 'f16' }
  ]
}

describe('experiment spec', () => {
  it('fills each condition from the spec defaults, then the built-in ones', () => {
    const s = parseSpec(minimal, 'tiny.json')
    expect(s).toMatchObject({
      name: 'tiny',
      seeds: [1, 2],
      baseline: 'lone',
      taskCount: 4,
      gridSteps: 1280,
      evalIntervalMs: 5000
    })
    expect(s.conditions[1]).toEqual({
      name: 'sharing-2',
      learners: 2,
      sharing: true,
      curriculum: 'rotated',
      budget: 'mastery',
      stepsPerTask: 6400,
      encoding: 'bits',
      drop: 0.95,
      dropMode: 'queries',
      maskInit: 'random',
      compareTo: 'isolated-2',
      importBasis: 0,
      teachers: 0,
      paceSteps: 0
    })
    expect(s.teacherTasks).toBeNull()
    expect(s.conditions[2]).toMatchObject({ sharing: false, budget: 'fixed', encoding: 'f16', stepsPerTask: 6400 })
  })

  it('lists every condition × seed, seed-major', () => {
    expect(runsOf(parseSpec(minimal, 'tiny.json')).map(r => r.id)).toEqual([
      'lone/seed-1',
      'sharing-2/seed-1',
      'isolated-2/seed-1',
      'lone/seed-2',
      'sharing-2/seed-2',
      'isolated-2/seed-2'
    ])
  })

  const bad: Array<[string, unknown, string]> = [
    ['not an object', [], 'the spec must be a JSON object'],
    ['an unknown field', { ...minimal, sedes: [1] }, 'unknown field(s) sedes'],
    [
      'an unknown condition field',
      { ...minimal, conditions: [{ name: 'a', learners: 1, shareing: true }] },
      'conditions[0].: unknown field(s) shareing'
    ],
    ['a bad name', { ...minimal, name: 'Tiny Spec' }, 'name: must match'],
    ['no seeds', { ...minimal, seeds: [] }, 'seeds: must be a non-empty array'],
    ['a repeated seed', { ...minimal, seeds: [1, 1] }, 'seeds: must not repeat a seed'],
    [
      'a drop above 1',
      { ...minimal, conditions: [{ name: 'a', learners: 2, drop: 1.5 }] },
      'conditions[0].drop: must be a number in [0, 1], got 1.5'
    ],
    [
      'a bad encoding',
      { ...minimal, defaults: { encoding: 'rle' } },
      'defaults.encoding: must be one of delta, bits, f16, f32'
    ],
    [
      'too many learners',
      { ...minimal, conditions: [{ name: 'a', learners: 33 }] },
      'conditions[0].learners: must be an integer in 1..32'
    ],
    ['a collective as baseline', { ...minimal, baseline: 'sharing-2' }, 'baseline: must be a lone-agent condition'],
    ['a missing baseline', { ...minimal, baseline: 'single' }, 'baseline: names no condition: single'],
    [
      'a dangling compareTo',
      { ...minimal, conditions: [{ name: 'a', learners: 2, compareTo: 'b' }], baseline: undefined },
      'compareTo names no condition: b'
    ],
    [
      'a basis import under random init',
      { ...minimal, baseline: undefined, conditions: [{ name: 'a', learners: 1, importBasis: 2 }] },
      'conditions[0].importBasis: needs maskInit lc or blc'
    ],
    [
      'a basis import without sharing',
      {
        ...minimal,
        baseline: undefined,
        conditions: [{ name: 'a', learners: 1, importBasis: 2, maskInit: 'blc', sharing: false }]
      },
      'conditions[0].importBasis: needs sharing'
    ],
    [
      'teachers with no teacher tasks',
      { ...minimal, baseline: undefined, conditions: [{ name: 'a', learners: 1, teachers: 2 }] },
      'conditions.a.teachers: the spec lists no teacherTasks'
    ],
    [
      'two conditions of one name',
      {
        ...minimal,
        baseline: undefined,
        conditions: [
          { name: 'a', learners: 1 },
          { name: 'a', learners: 2 }
        ]
      },
      'two conditions are named a'
    ]
  ]
  it.each(bad)('rejects %s with a usage error naming the field', (_, doc, message) => {
    let err: unknown
    try {
      parseSpec(doc, 'tiny.json')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SpecError)
    expect((err as SpecError).exitCode).toBe(2)
    expect((err as SpecError).message).toContain('tiny.json: ')
    expect((err as SpecError).message).toContain(message)
  })
})

describe('loss modes', () => {
  it("a spec accepts exactly the daemon's --drop-mode choices", async () => {
    const { LOSS_MODES } = await import('@l2d2c/agent')
    expect([...DROP_MODES]).toEqual([...LOSS_MODES])
  })
})

describe('run arguments', () => {
  const spec = parseSpec(minimal, 'tiny.json')
  const [lone, sharing, isolated] = spec.conditions as [never, never, never]
  const tasks = ['a/1', 'b/2', 'c/3', 'd/4']

  it('rotates the curricula so that the learners start apart, or keeps one order', () => {
    expect(curricula(tasks, sharing)).toEqual([
      ['a/1', 'b/2', 'c/3', 'd/4'],
      ['c/3', 'd/4', 'a/1', 'b/2']
    ])
    expect(curricula(tasks, { ...(sharing as object), curriculum: 'same' } as never)).toEqual([tasks, tasks])
  })

  it('gives every learner of an experiment its own seed, the lone agent that of learner 1', () => {
    expect([learnerSeed(1, 0), learnerSeed(1, 1), learnerSeed(2, 0)]).toEqual([101, 102, 201])
    expect(learnerArgs(tasks, lone, 3, 0)).toContain('301')
  })

  it('passes the condition to the daemon as flags', () => {
    const a = learnerArgs(tasks, sharing, 1, 1)
    expect(a.slice(0, 6)).toEqual(['--tasks', 'c/3,d/4,a/1,b/2', '--steps-per-task', '6400', '--seed', '102'])
    expect(a.join(' ')).toContain('--drop 0.95 --drop-mode queries')
    expect(a).not.toContain('--no-sharing')
    expect(a).not.toContain('--fixed-budget')
    const b = learnerArgs(tasks, isolated, 1, 0)
    expect(b).toContain('--no-sharing')
    expect(b).toContain('--fixed-budget')
    expect(b.join(' ')).toContain('--encoding f16')
    expect(b).not.toContain('--drop')
    expect(evaluatorArgs(tasks, isolated, 700).join(' ')).toContain(
      '--role evaluator --tasks a/1,b/2,c/3,d/4 --encoding f16 --eval-interval-ms 700'
    )
  })

  it("gives an experiment's evaluator the long offer window", () => {
    expect(evaluatorArgs(tasks, isolated, 700).join(' ')).toContain(
      `--query-window-ms ${EXPERIMENT_EVALUATOR_QUERY_WINDOW_MS}`
    )
    expect(EXPERIMENT_EVALUATOR_QUERY_WINDOW_MS).toBeGreaterThanOrEqual(5000)
  })

  it('transfer: passes --import-basis; teachers learn the teacher tasks rotated, at random init, with seeds after the learners', () => {
    const transfer = parseSpec(
      {
        name: 'transfer',
        tasks: ['x'],
        teacherTasks: ['y'],
        seeds: [1],
        conditions: [{ name: 'import', learners: 1, teachers: 2, maskInit: 'blc', importBasis: 3 }]
      },
      'transfer.json'
    )
    const c = transfer.conditions[0]!
    expect(transfer.teacherTasks).toEqual(['y'])
    const student = learnerArgs(tasks, c, 1, 0).join(' ')
    expect(student).toContain('--seed 101')
    expect(student).toContain('--mask-init blc')
    expect(student).toContain('--import-basis 3')
    const t2 = teacherArgs(['t/1', 't/2'], c, 1, 1).join(' ')
    expect(t2).toContain('--tasks t/2,t/1')
    expect(t2).toContain('--seed 103')
    expect(t2).toContain('--mask-init random')
    expect(t2).not.toContain('--import-basis')
    expect(t2).not.toContain('--no-sharing')
    expect(learnerArgs(tasks, sharing, 1, 0)).not.toContain('--import-basis')
  })
})

describe('pacing', () => {
  const tasks = ['a/1', 'b/2']
  const paced = parseSpec(
    {
      name: 'paced',
      tasks: ['x'],
      seeds: [1],
      defaults: { paceSteps: 2560 },
      conditions: [
        { name: 'lone', learners: 1, sharing: false },
        { name: 'four', learners: 4 },
        { name: 'free', learners: 4, paceSteps: 0 }
      ]
    },
    'paced.json'
  )
  const [lone, four, free] = paced.conditions as [never, never, never]

  it('paces the learners of a collective (--paced), never a lone agent or an unpaced condition', () => {
    expect(learnerArgs(tasks, four, 1, 2)).toContain('--paced')
    expect(learnerArgs(tasks, lone, 1, 0)).not.toContain('--paced')
    expect(learnerArgs(tasks, free, 1, 0)).not.toContain('--paced')
    expect([isPaced(four), isPaced(lone), isPaced(free)]).toEqual([true, false, false])
  })

  it('refuses a negative or fractional slack', () => {
    expect(() =>
      parseSpec(
        { name: 'p', tasks: ['x'], seeds: [1], conditions: [{ name: 'a', learners: 2, paceSteps: -1 }] },
        'p.json'
      )
    ).toThrow('conditions[0].paceSteps: must be an integer')
    expect(() =>
      parseSpec(
        { name: 'p', tasks: ['x'], seeds: [1], defaults: { paceSteps: 1.5 }, conditions: [{ name: 'a', learners: 2 }] },
        'p.json'
      )
    ).toThrow('defaults.paceSteps: must be an integer')
  })

  it('limits training to the slowest learner still training plus the slack; lifts it once none trains', () => {
    expect(
      paceLimit(
        [
          { steps: 5000, training: true },
          { steps: 1280, training: true },
          { steps: 9000, training: true }
        ],
        2560
      )
    ).toBe(3840)
    // A learner that finished its curriculum (or exited) holds nobody back.
    expect(
      paceLimit(
        [
          { steps: 5000, training: true },
          { steps: 1280, training: false }
        ],
        2560
      )
    ).toBe(7560)
    expect(paceLimit([{ steps: 1280, training: false }], 2560)).toBe(PACE_LIFTED)
    expect(PACE_LIFTED).toBe(Number.MAX_SAFE_INTEGER)
  })
})

describe('scheduler', () => {
  it('a run claims a core per process, at most the machine', () => {
    expect(claimOf(1, 2)).toBe(2)
    expect(claimOf(4, 2)).toBe(2)
    expect(claimOf(4, 16)).toBe(5)
    expect(claimOf(12, 8)).toBe(8)
  })

  it('starts runs in order while their claims fit, a smaller later one filling a gap', () => {
    expect(runsToStart([2, 5, 2], 8)).toEqual([0, 1])
    expect(runsToStart([5, 5, 2], 8)).toEqual([0, 2])
    expect(runsToStart([2, 2], 1)).toEqual([])
    expect(runsToStart([], 4)).toEqual([])
  })

  it('estimates the time left from the runs that ended', () => {
    expect(etaSeconds([{ condition: 'a', claim: 2, seconds: null, elapsed: 0 }], 2)).toBeNull()
    const runs = [
      { condition: 'a', claim: 2, seconds: 100, elapsed: 0 },
      { condition: 'a', claim: 2, seconds: null, elapsed: 40 },
      { condition: 'b', claim: 4, seconds: null, elapsed: 0 }
    ]
    // a: 100 s expected, 60 s left on 2 cores; b: none ended, 50 s per core × its 4 cores = 200 s on 4 cores.
    expect(etaSeconds(runs, 4)).toBeCloseTo((60 * 2 + 200 * 4) / 4, 9)
  })

  it('formats durations', () => {
    expect(formatDuration(7)).toBe('7 s')
    expect(formatDuration(95)).toBe('1 min 35 s')
    expect(formatDuration(3725)).toBe('1 h 02 min')
  })
})
