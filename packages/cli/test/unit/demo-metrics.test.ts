import { describe, expect, it } from 'vitest'
import { planDemo } from '../../src/demo/plan.js'
import {
  icrTarget,
  meanOwnIcrCurve,
  normaliseCurve,
  ownIcrTarget,
  speedup,
  stepsAt,
  stepsToTarget
} from '../../src/demo/metrics.js'
import { demoPlot, renderPlot } from '../../src/demo/plot.js'

describe('demo metrics', () => {
  it('target is 15/16 of the best achievable ICR: 15 of 16 CT-graph tasks', () => {
    expect(icrTarget(Array(16).fill(1))).toBe(15)
    expect(icrTarget(Array(4).fill(1))).toBe(3.75)
    expect(icrTarget([0.9583, 0.9583, 0.9583])).toBe(2.7)
  })

  it('steps to target is the first per-agent step count whose ICR reaches it', () => {
    const curve = normaliseCurve([
      { meanLearnerSteps: 3000, icr: 14.9 },
      { meanLearnerSteps: 1000, icr: 2 },
      { meanLearnerSteps: 4000, icr: 15 },
      { meanLearnerSteps: 5000, icr: 16 }
    ])
    expect(curve.map(p => p.steps)).toEqual([1000, 3000, 4000, 5000])
    expect(stepsToTarget(curve, 15)).toBe(4000)
    expect(stepsToTarget(curve, 16.5)).toBeNull()
    expect(stepsToTarget([], 1)).toBeNull()
  })

  it("places evaluations on the learners' step clock by interpolation", () => {
    const samples = [
      { t: 1000, steps: 0 },
      { t: 2000, steps: 1000 },
      { t: 4000, steps: 5000 }
    ]
    expect(stepsAt(samples, 500)).toBe(0)
    expect(stepsAt(samples, 1500)).toBe(500)
    expect(stepsAt(samples, 3000)).toBe(3000)
    expect(stepsAt(samples, 9000)).toBe(5000)
    expect(stepsAt([], 1)).toBe(0)
  })

  it('own-ICR target: every task but one', () => {
    expect(ownIcrTarget(16)).toBe(15)
    expect(ownIcrTarget(4)).toBe(3)
  })

  it("the mean agent's own ICR: each agent's latest sweep at or before a step count, 0 before its first", () => {
    const fast = [
      { steps: 1000, ownIcr: 1 },
      { steps: 2000, ownIcr: 3 },
      // Finished its curriculum at 2000 steps: later sweeps happen at the same step count.
      { steps: 2000, ownIcr: 3.5 }
    ]
    const slow = [
      { steps: 1500, ownIcr: 1 },
      { steps: 4000, ownIcr: 2 }
    ]
    const curve = meanOwnIcrCurve([fast, slow])
    expect(curve).toEqual([
      { steps: 1000, icr: 0.5 },
      { steps: 1500, icr: 1 },
      // Of two sweeps at the same step count, the later one counts.
      { steps: 2000, icr: 2.25 },
      { steps: 4000, icr: 2.75 }
    ])
    expect(stepsToTarget(curve, 2.5)).toBe(4000)
    // An agent that has not swept yet counts 0 (its daemon may not serve sweeps at all).
    expect(meanOwnIcrCurve([fast, []]).map(p => p.icr)).toEqual([0.5, 1.75])
    expect(meanOwnIcrCurve([])).toEqual([])
  })

  it('speed-up: how many times sooner the fast side reached the target, when both did', () => {
    expect(speedup(30_000, 9_000)).toBe(3.333)
    expect(speedup(null, 9_000)).toBeNull()
    expect(speedup(30_000, null)).toBeNull()
  })

  it('renders an SVG with every series, the target lines and markers', () => {
    const svg = renderPlot({
      title: 't <&>',
      yLabel: 'y',
      series: [
        { name: 'a', color: 'red', points: [{ steps: 10, icr: 1 }] },
        { name: 'b', color: 'blue', points: [], dashed: true }
      ],
      yMax: 2,
      targets: [
        { value: 1.5, label: 'target 1.5' },
        { value: 1, label: 'own 1' }
      ],
      markers: [
        { steps: 10, value: 1.5, color: 'red' },
        { steps: null, value: 1, color: 'blue' }
      ]
    })
    expect(svg).toContain('t &lt;&amp;&gt;')
    expect(svg).toContain('stroke="red"')
    expect(svg).toContain('target 1.5')
    expect(svg).toContain('own 1')
    expect(svg.match(/<circle/g)?.length).toBe(1)
    // The dashed series is dashed in its legend too.
    expect(svg).toMatch(/stroke="blue" stroke-width="3" stroke-dasharray/)
  })

  it("the demo's plot: three collective curves, two own-ICR curves, a marker per target reached", async () => {
    const plan = await planDemo({
      agents: '2',
      env: 'ctgraph',
      out: 'x',
      tasks: '4',
      drop: '0',
      maxMinutes: '1',
      seed: '0'
    })
    const p = (steps: number, icr: number) => [{ steps, icr }]
    const svg = demoPlot(
      plan,
      {
        collective: p(100, 4),
        single: p(900, 4),
        isolated: p(300, 4),
        agentsSharing: p(200, 3),
        agentsIsolated: p(800, 3)
      },
      { collective: 100, single: null, isolated: 300, agentsSharing: 200, agentsIsolated: 800 }
    )
    for (const name of [
      'sharing collective (2), ICR',
      'isolated collective (2), ICR',
      'lone agent, ICR',
      'sharing: mean agent, own ICR',
      'isolated: mean agent, own ICR',
      'collective target 3.75',
      'own target 3'
    ])
      expect(svg).toContain(name)
    expect(svg.match(/<circle/g)?.length).toBe(4)
    expect(svg.match(/<path /g)?.length).toBe(5)
  })
})
