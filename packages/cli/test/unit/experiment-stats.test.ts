import { describe, expect, it } from 'vitest'
import {
  mean,
  meanBand,
  regularizedBeta,
  sampleStdDev,
  studentTCdf,
  studentTQuantile
} from '../../src/experiment/stats.js'

describe('Student-t quantiles', () => {
  // Two-sided 95 % critical values, from the standard tables (to 9 significant digits).
  const table: Array<[number, number]> = [
    [1, 12.7062047],
    [2, 4.30265273],
    [3, 3.18244631],
    [4, 2.77644511],
    [5, 2.57058184],
    [9, 2.26215716],
    [11, 2.20098516],
    [30, 2.04227246],
    [100, 1.98397152]
  ]
  it.each(table)('t(0.975, %i) = %f', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 6)
  })

  it('is the inverse of the CDF and antisymmetric', () => {
    for (const df of [1, 2, 3, 7, 25])
      for (const p of [0.01, 0.2, 0.5, 0.9, 0.995]) {
        const q = studentTQuantile(p, df)
        expect(studentTCdf(q, df)).toBeCloseTo(p, 10)
        expect(studentTQuantile(1 - p, df)).toBeCloseTo(-q, 9)
      }
  })

  it('rejects levels and degrees of freedom outside their range', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError)
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError)
  })

  it('regularized beta matches closed forms', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(2, 2) = 3x² − 2x³.
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12)
    expect(regularizedBeta(0.6, 3, 1)).toBeCloseTo(0.216, 12)
    expect(regularizedBeta(0.8, 2, 2)).toBeCloseTo(3 * 0.64 - 2 * 0.512, 12)
  })
})

describe('mean and 95 % band over seeds', () => {
  it('computes the sample mean and standard deviation', () => {
    expect(mean([])).toBeNull()
    expect(mean([1, 2, 6])).toBe(3)
    expect(sampleStdDev([5])).toBeNull()
    expect(sampleStdDev([1, 2, 6])).toBeCloseTo(Math.sqrt(7), 12)
  })

  it('gives the t interval with n − 1 degrees of freedom', () => {
    const b = meanBand([3.5, 3.76, 3.85])
    const half = (4.30265273 * (sampleStdDev([3.5, 3.76, 3.85]) as number)) / Math.sqrt(3)
    expect(b.n).toBe(3)
    expect(b.mean).toBeCloseTo(3.7033333, 6)
    expect(b.low).toBeCloseTo(3.7033333 - half, 6)
    expect(b.high).toBeCloseTo(3.7033333 + half, 6)
  })

  it('has no band below two values', () => {
    expect(meanBand([2])).toEqual({ n: 1, mean: 2, low: null, high: null })
    expect(meanBand([])).toEqual({ n: 0, mean: null, low: null, high: null })
  })
})
