import { describe, expect, it } from 'vitest'
import { analyse } from '../../src/experiment/aggregate.js'
import { barChart, lineChart, niceCeil } from '../../src/experiment/charts.js'
import { cell, experimentSection } from '../../src/experiment/report.js'
import { RUN_FORMAT, type RunResult } from '../../src/experiment/results.js'
import { parseSpec } from '../../src/experiment/spec.js'
import { studentTQuantile } from '../../src/experiment/stats.js'

const spec = parseSpec(
  {
    name: 'synthetic',
    description: 'made-up runs',
    tasks: ['meta-ctgraph'],
    taskCount: 4,
    seeds: [1, 2],
    baseline: 'lone',
    gridSteps: 1000,
    conditions: [
      { name: 'lone', learners: 1, sharing: false },
      { name: 'sharing-2', learners: 2, compareTo: 'isolated-2' },
      { name: 'isolated-2', learners: 2, sharing: false }
    ]
  },
  'synthetic.json'
)

/** A run whose ICR rises by one task every `perTask` steps per agent, and whose agents' own ICR does the same. */
function run(condition: string, seed: number, perTask: number, bytes = 0, of = spec): RunResult {
  const c = of.conditions.find(x => x.name === condition)
  if (c === undefined) throw new Error(condition)
  const curve = [1, 2, 3, 4].map(k => ({ steps: k * perTask, icr: k }))
  return {
    format: RUN_FORMAT,
    spec: of.name,
    condition: c,
    seed,
    tasks: ['t1', 't2', 't3', 't4'],
    optimal: 4,
    target: 3.75,
    stoppedBy: 'done',
    startedAt: '2026-12-03T00:00:00.000Z',
    wallSeconds: 10,
    stepsPerAgent: 4 * perTask,
    curve,
    ownIcr: Array.from({ length: c.learners }, () => [
      { steps: 0, ownIcr: 0 },
      ...curve.map(p => ({ steps: p.steps, ownIcr: p.icr }))
    ]),
    learners: Array.from({ length: c.learners }, () => ({
      steps: 4 * perTask,
      evalSteps: 0,
      masksAdopted: c.sharing ? 2 : 0,
      masksServed: 0,
      tasksLearned: 2,
      tasksAdopted: 0,
      bytesSent: bytes,
      bytesReceived: bytes / 2
    }))
  }
}

const results = [
  run('lone', 1, 4000),
  run('lone', 2, 4000),
  run('sharing-2', 1, 1000, 30_000),
  run('sharing-2', 2, 2000, 50_000),
  run('isolated-2', 1, 2000),
  run('isolated-2', 2, 4000)
]

describe('analysis over seeds', () => {
  const a = analyse(spec, results)

  it('compares each run with the lone agent of its seed and its isolated twin', () => {
    const s1 = a.runs.find(r => r.condition === 'sharing-2' && r.seed === 1)
    expect(s1).toMatchObject({
      finalIcr: 4,
      stepsToTarget: 4000,
      ta: [4, 4, 4, 4],
      stepsEveryAgentOwn90: 4000,
      ownSpeedup: 2
    })
    const s2 = a.runs.find(r => r.condition === 'sharing-2' && r.seed === 2)
    expect(s2).toMatchObject({ ta: [2, 2, 2, 2], ownSpeedup: 2, bytesSentPerAgent: 50_000, adoptionsPerAgent: 2 })
    expect(a.runs.find(r => r.condition === 'lone')).toMatchObject({
      tla: null,
      ilaPeak: null,
      ta: [null, null, null, null]
    })
  })

  it('gives the mean and the exact t band over seeds', () => {
    const s = a.conditions.find(c => c.condition.name === 'sharing-2')
    const half = (studentTQuantile(0.975, 1) * Math.SQRT2) / Math.sqrt(2) // values 4 and 2: sd √2
    expect(s?.ta[2]).toMatchObject({ n: 2, runs: 2, mean: 3 })
    expect(s?.ta[2]?.low).toBeCloseTo(3 - half, 9)
    expect(s?.ta[2]?.high).toBeCloseTo(3 + half, 9)
    expect(s?.bytesSentPerAgent.mean).toBe(40_000)
    // TLA at the horizon (16,000 steps): all runs have ended, so it measures the area before.
    expect(a.horizon).toBe(16_000)
    expect(s?.tla.mean).toBeGreaterThan(1)
  })

  it("averages the ICR curve over seeds on the grid and draws the TA curve up to the lone agent's best", () => {
    const s = a.conditions.find(c => c.condition.name === 'sharing-2')
    expect(s?.icrCurve.find(p => p.x === 2000)).toMatchObject({ y: (2 + 1) / 2 })
    expect(s?.taCurve.map(p => p.x)).toEqual([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4].map(p => (p / 3.75) * 100))
  })

  it('counts a level some seeds never reached instead of hiding it', () => {
    const partial = analyse(spec, [
      ...results.filter(r => !(r.condition.name === 'isolated-2' && r.seed === 2)),
      { ...run('isolated-2', 2, 4000), curve: [{ steps: 1000, icr: 1 }] }
    ])
    const iso = partial.conditions.find(c => c.condition.name === 'isolated-2')
    expect(iso?.stepsToTarget).toMatchObject({ n: 1, runs: 2 })
    expect(cell(iso?.stepsToTarget as never, 0)).toBe('8,000 (1/2 seeds)')
  })

  it('leaves out of a comparison the seeds whose baseline or twin was not run', () => {
    const missing = analyse(
      spec,
      results.filter(r => !(r.seed === 2 && r.condition.name !== 'sharing-2'))
    )
    const s = missing.conditions.find(c => c.condition.name === 'sharing-2')
    expect(s?.ta[2]).toMatchObject({ n: 1, runs: 1, mean: 4 })
    expect(s?.ownSpeedup).toMatchObject({ n: 1, runs: 1, mean: 2 })
    expect(s?.finalIcr).toMatchObject({ n: 2, runs: 2 })
    const none = analyse(
      spec,
      results.filter(r => r.condition.name === 'sharing-2')
    )
    expect(cell(none.conditions[0]?.ta[0] as never)).toBe('n/a (not run)')
  })
})

describe('results document', () => {
  it('formats a cell as mean [band], with the seeds behind it', () => {
    expect(cell({ n: 3, runs: 3, mean: 3.7, low: 3.26, high: 4.15 })).toBe('3.70 [3.26, 4.15]')
    expect(cell({ n: 1, runs: 1, mean: 2, low: null, high: null })).toBe('2.00 (1 seed)')
    expect(cell({ n: 0, runs: 3, mean: null, low: null, high: null })).toBe('not reached (0/3)')
    expect(cell({ n: 2, runs: 2, mean: 20480, low: 16000, high: 24960 }, 0)).toBe('20,480 [16,000, 24,960]')
  })

  it('writes a section with the settings, both tables and links to its figures', () => {
    const s = experimentSection(analyse(spec, results), 'results', 'l2d2c experiment synthetic.json --out x')
    expect(Object.keys(s.figures).sort()).toEqual(['synthetic-bytes.svg', 'synthetic-icr.svg', 'synthetic-ta.svg'])
    expect(s.markdown).toContain('## synthetic')
    expect(s.markdown).toContain(
      '| sharing-2 | 2 | on | rotated | mastery | 12,800 | bits | 0 | random | off | 1, 2 | 20 s |'
    )
    expect(s.markdown).toContain('![synthetic-ta.svg](results/synthetic-ta.svg)')
    // Steps to ICR 3.75: 4,000 and 8,000 (mean 6,000, sd 2,828, t(0.975, 1) = 12.706); TA 4 and 2.
    expect(s.markdown).toMatch(
      /\| sharing-2 \| 4\.00 \[4\.00, 4\.00\] \| 6,000 \[-19,412, 31,412\] \|.*\| 3\.00 \[-9\.71, 15\.71\] \| 1 \|/
    )
    for (const svg of Object.values(s.figures)) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\n$/)
    expect(s.figures['synthetic-ta.svg']).toContain('0.5·N, N = 2')
  })

  it("prints the 0.8·N reference as tenths, not as a float's digits (0.8 × 12)", () => {
    const twelve = parseSpec(
      {
        name: 'twelve',
        description: 'made-up runs',
        tasks: ['meta-ctgraph'],
        taskCount: 4,
        seeds: [1],
        baseline: 'lone',
        gridSteps: 1000,
        conditions: [
          { name: 'lone', learners: 1, sharing: false },
          { name: 'sharing-12', learners: 12, compareTo: 'isolated-12' },
          { name: 'isolated-12', learners: 12, sharing: false }
        ]
      },
      'twelve.json'
    )
    const runs = [
      run('lone', 1, 4000, 0, twelve),
      run('sharing-12', 1, 1000, 0, twelve),
      run('isolated-12', 1, 2000, 0, twelve)
    ]
    const s = experimentSection(analyse(twelve, runs), 'results', 'l2d2c experiment twelve.json --out x')
    expect(s.markdown).toMatch(/\| sharing-12 \|.*\| 2\.00 \(1 seed\) vs isolated-12 \| 9\.6 \|/)
    expect(s.markdown).not.toContain('9.600000000000001')
  })

  it('draws a loss figure only when the loss probability varies', () => {
    const lossSpec = parseSpec(
      {
        name: 'lossy',
        tasks: ['meta-ctgraph'],
        seeds: [1],
        conditions: [
          { name: 'loss-0', learners: 2 },
          { name: 'loss-95', learners: 2, drop: 0.95 }
        ]
      },
      'lossy.json'
    )
    const r = (name: string): RunResult => ({
      ...run('sharing-2', 1, 1000),
      condition: lossSpec.conditions.find(c => c.name === name) as never
    })
    const s = experimentSection(analyse(lossSpec, [r('loss-0'), r('loss-95')]), 'results', 'cmd')
    expect(Object.keys(s.figures)).toContain('lossy-loss.svg')
    expect(s.figures['lossy-loss.svg']).toContain('loss probability (%)')
  })
})

describe('charts', () => {
  it('rounds axis maxima up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([niceCeil(0.7), niceCeil(1.3), niceCeil(2.2), niceCeil(4), niceCeil(16.8), niceCeil(0)]).toEqual([
      1, 2, 2.5, 5, 20, 1
    ])
  })

  it('draws bands, reference lines, and escapes names', () => {
    const svg = lineChart({
      title: 'a < b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'n & m',
          color: '#123456',
          points: [
            { x: 0, y: 1, low: 0.5, high: 1.5 },
            { x: 1, y: 2, low: 1, high: 3 }
          ]
        }
      ],
      references: [{ y: 2, label: '0.5·N', color: '#999' }]
    })
    expect(svg).toContain('a &lt; b')
    expect(svg).toContain('n &amp; m')
    expect(svg).toContain('<polygon')
    expect(svg).toContain('0.5·N')
    const bars = barChart({
      title: 't',
      yLabel: 'kB',
      categories: ['bits', 'f32'],
      series: [{ name: 's', color: '#000', values: [{ x: 0, y: 14 }, null] }]
    })
    expect(bars.match(/<rect x=/g)?.length).toBe(2) // the legend's background and one bar
  })
})

describe('transfer figures', () => {
  const tspec = parseSpec(
    {
      name: 'transfer-synthetic',
      tasks: ['x'],
      teacherTasks: ['y'],
      seeds: [1, 2],
      conditions: [
        { name: 'import', learners: 1, teachers: 2, maskInit: 'blc', importBasis: 4, compareTo: 'random' },
        { name: 'random', learners: 1 }
      ]
    },
    'transfer.json'
  )
  const tasks = ['ctgraph/d2b2/img1/leaf10', 'ctgraph/d2b2/img1/leaf11']
  /** A student run that mastered each task after the given training steps (null: never). */
  function student(condition: string, seed: number, steps: Array<number | null>): RunResult {
    const c = tspec.conditions.find(x => x.name === condition)!
    return {
      format: RUN_FORMAT,
      spec: tspec.name,
      condition: c,
      seed,
      tasks,
      optimal: 2,
      target: 1.88,
      stoppedBy: 'done',
      startedAt: '2026-12-03T00:00:00.000Z',
      wallSeconds: 10,
      stepsPerAgent: 1000,
      curve: [{ steps: 1000, icr: 2 }],
      ownIcr: [[{ steps: 1000, ownIcr: 2 }]],
      learners: [
        {
          steps: 1000,
          evalSteps: 0,
          masksAdopted: 0,
          masksServed: 0,
          tasksLearned: 2,
          tasksAdopted: 0,
          bytesSent: 0,
          bytesReceived: 0
        }
      ],
      ...(condition === 'import'
        ? {
            basisImports: [
              [
                { task: tasks[0]!, from: ['y/1', 'y/2'] },
                { task: tasks[1]!, from: [] }
              ]
            ]
          }
        : {}),
      learnerTasks: [
        tasks.map((key, i) => ({
          key,
          stepsTrained: steps[i] ?? 12_800,
          mastery: steps[i] === null ? null : { by: 'learned' as const, steps: steps[i] as number }
        }))
      ]
    }
  }
  const results = [
    student('import', 1, [2000, 3000]),
    student('random', 1, [4000, 6000]),
    student('import', 2, [3000, null]),
    student('random', 2, [5000, 5000])
  ]

  it('steps to mastery per task over seeds, their sum, and the paired speed-up against compareTo', async () => {
    const { analyseTransfer } = await import('../../src/experiment/transfer.js')
    const t = analyseTransfer(tspec, results)
    const imp = t.conditions.find(c => c.condition.name === 'import')!
    expect(imp.perTask[0]!.mean).toBe(2500)
    // Seed 2 never mastered the second task: counted, not averaged in.
    expect(imp.perTask[1]).toMatchObject({ mean: 3000, n: 1, runs: 2 })
    expect(imp.total).toMatchObject({ mean: 5000, n: 1 })
    // Seed 1: 10,000 / 5,000; seed 2 has no sum.
    expect(imp.speedup).toMatchObject({ mean: 2, n: 1, runs: 2 })
    const random = t.conditions.find(c => c.condition.name === 'random')!
    expect(random.total.mean).toBe(10_000)
    expect(random.speedup.runs).toBe(0)
    // 2 basis masks at the first task's start, none at the second's.
    expect(imp.basisPerTask).toMatchObject({ mean: 1, n: 2 })
    expect(random.basisPerTask.n).toBe(0)
  })

  it('the report of a transfer spec has the per-task table and its plot; other specs have neither', () => {
    const section = experimentSection(analyse(tspec, results), 'results', 'l2d2c experiment transfer.json', results)
    expect(section.markdown).toContain('**Transfer**')
    expect(section.markdown).toContain('| import | blc | up to 4 | 2 | 2,500')
    // A student with teachers shares (it imports from them): not a lone agent.
    expect(section.markdown).toContain('| import | 1 | on |')
    expect(section.markdown).toContain('| random | 1 | (lone) |')
    expect(section.markdown).toContain('2.00 (1/2 seeds) vs random')
    expect(Object.keys(section.figures)).toContain('transfer-synthetic-transfer.svg')
    const plain = experimentSection(analyse(spec, [run('lone', 1, 1000)]), 'results', 'x', [run('lone', 1, 1000)])
    expect(plain.markdown).not.toContain('**Transfer**')
  })
})
