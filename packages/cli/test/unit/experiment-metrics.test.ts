import { describe, expect, it } from 'vitest'
import {
  advantage,
  ila,
  meanFinalOwnIcr,
  onGrid,
  ratio,
  sortedCurve,
  stepGrid,
  stepsUntilEveryAgent,
  timeAdvantage,
  timeAdvantageCurve,
  timeTo,
  tla,
  tpot,
  valueAt
} from '../../src/experiment/metrics.js'

const lone = [
  { steps: 1000, icr: 1 },
  { steps: 2000, icr: 2 },
  { steps: 4000, icr: 3 },
  { steps: 8000, icr: 4 }
]
const collective = [
  { steps: 500, icr: 2 },
  { steps: 1000, icr: 3.5 },
  { steps: 2000, icr: 4 }
]

describe('ICR on the per-agent step clock', () => {
  it('is a step function: 0 before the first row, the latest row at or before a step count, the last after the end', () => {
    expect(valueAt(lone, 0)).toBe(0)
    expect(valueAt(lone, 999)).toBe(0)
    expect(valueAt(lone, 1000)).toBe(1)
    expect(valueAt(lone, 3999)).toBe(2)
    expect(valueAt(lone, 1e9)).toBe(4)
  })

  it('sorts rows and drops the ones that are not finite', () => {
    expect(
      sortedCurve([
        { steps: 3, icr: 1 },
        { steps: Number.NaN, icr: 2 },
        { steps: 1, icr: 0.5 }
      ])
    ).toEqual([
      { steps: 1, icr: 0.5 },
      { steps: 3, icr: 1 }
    ])
  })

  it('puts the grid at every spacing up to the first point at or past the horizon', () => {
    expect(stepGrid(4000, 1000)).toEqual([0, 1000, 2000, 3000, 4000])
    expect(stepGrid(4001, 1000)).toEqual([0, 1000, 2000, 3000, 4000, 5000])
    expect(() => stepGrid(10, 0)).toThrow(RangeError)
    expect(onGrid(lone, [0, 1500, 9000])).toEqual([0, 1, 4])
  })
})

describe('TPOT, TLA and ILA', () => {
  const grid = stepGrid(4000, 1000)

  it('TPOT is the running sum of ICR over the grid', () => {
    expect(tpot(lone, grid)).toEqual([0, 1, 3, 5, 8])
    expect(tpot(collective, grid)).toEqual([0, 3.5, 7.5, 11.5, 15.5])
  })

  it("TLA and ILA are the ratios with the reference's 1/32 smoothing", () => {
    expect(advantage(0, 0)).toBe(1)
    const expected = [0, 1, 3, 5, 8].map((l, i) => advantage([0, 3.5, 7.5, 11.5, 15.5][i] as number, l))
    expect(tla(collective, lone, grid)).toEqual(expected)
    expect(expected[4]).toBeCloseTo((15.5 + 1 / 32) / (8 + 1 / 32), 12)
    expect(ila(collective, lone, grid)[1]).toBeCloseTo((3.5 + 1 / 32) / (1 + 1 / 32), 12)
    expect(ila(collective, lone, grid)[4]).toBeCloseTo((4 + 1 / 32) / (3 + 1 / 32), 12)
  })
})

describe('time advantage', () => {
  it('TT_p is the first step count at which ICR reaches p', () => {
    expect(timeTo(lone, 2)).toBe(2000)
    expect(timeTo(lone, 2.5)).toBe(4000)
    expect(timeTo(lone, 5)).toBeNull()
  })

  it('TA(p) = TT_p(lone) / TT_p(run), null unless both got there', () => {
    expect(timeAdvantage(collective, lone, 2)).toBe(4)
    expect(timeAdvantage(collective, lone, 3)).toBe(4)
    expect(timeAdvantage(collective, lone, 4)).toBe(4)
    expect(timeAdvantage(lone, collective, 4)).toBe(0.25)
    expect(timeAdvantage(collective, lone, 4.5)).toBeNull()
  })

  it("the TA curve runs on a 0.5 grid up to the baseline's best ICR, as % of the target", () => {
    const curve = timeAdvantageCurve(collective, lone, 4)
    expect(curve.map(p => p.percent)).toEqual([12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100])
    expect(curve[0]).toEqual({ percent: 12.5, ta: 1000 / 500 })
    expect(curve.at(-1)).toEqual({ percent: 100, ta: 4 })
  })
})

describe('own ICR over agents', () => {
  const a = [
    { steps: 0, ownIcr: 0 },
    { steps: 3000, ownIcr: 3.6 },
    { steps: 5000, ownIcr: 4 }
  ]
  const b = [
    { steps: 0, ownIcr: 0 },
    { steps: 7000, ownIcr: 3.7 }
  ]
  it('every agent has reached a level when the slowest one first did', () => {
    expect(stepsUntilEveryAgent([a, b], 3.6)).toBe(7000)
    expect(stepsUntilEveryAgent([a], 3.6)).toBe(3000)
    expect(stepsUntilEveryAgent([a, b], 3.8)).toBeNull()
    expect(stepsUntilEveryAgent([], 1)).toBeNull()
  })

  it("the mean final own ICR takes each agent's latest sweep, 0 for one with none", () => {
    expect(meanFinalOwnIcr([a, b, []])).toBeCloseTo((4 + 3.7 + 0) / 3, 12)
    expect(meanFinalOwnIcr([])).toBe(0)
  })

  it('ratio is slow / fast when both are known', () => {
    expect(ratio(8000, 2000)).toBe(4)
    expect(ratio(null, 2000)).toBeNull()
    expect(ratio(8000, null)).toBeNull()
  })
})
