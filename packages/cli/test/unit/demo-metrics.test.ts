import { describe, expect, it } from 'vitest'
import { icrTarget, normaliseCurve, stepsAt, stepsToTarget } from '../../src/demo/metrics.js'
import { renderPlot } from '../../src/demo/plot.js'

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

  it('renders an SVG with both series, the target line and markers', () => {
    const svg = renderPlot({
      title: 't <&>',
      series: [
        { name: 'a', color: 'red', points: [{ steps: 10, icr: 1 }] },
        { name: 'b', color: 'blue', points: [] }
      ],
      yMax: 2,
      target: 1.5,
      markers: [
        { steps: 10, color: 'red' },
        { steps: null, color: 'blue' }
      ]
    })
    expect(svg).toContain('t &lt;&amp;&gt;')
    expect(svg).toContain('stroke="red"')
    expect(svg).toContain('target 1.5')
    expect(svg.match(/<circle/g)?.length).toBe(1)
  })
})
