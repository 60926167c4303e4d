import { describe, expect, it } from 'vitest'
import { choiceArg, intArg, numberArg } from '../../src/args.js'
import { CliError, ExitCode } from '../../src/exit-codes.js'

function usageError(fn: () => unknown): CliError {
  try {
    fn()
  } catch (err) {
    if (err instanceof CliError) return err
    throw err
  }
  throw new Error('no error thrown')
}

describe('command-line value checks', () => {
  it('intArg accepts decimal integers in range and refuses the rest with exit 2 naming the flag', () => {
    expect(intArg('0', '--seed', 0, 10)).toBe(0)
    expect(intArg('10', '--seed', 0, 10)).toBe(10)
    for (const bad of ['11', '-1', '1.5', '1e3', '', ' 3', '0x10', 'abc']) {
      const err = usageError(() => intArg(bad, '--seed', 0, 10))
      expect(err.exitCode).toBe(ExitCode.USAGE)
      expect(err.message).toBe(`--seed must be an integer in 0..10, got "${bad}"`)
    }
  })

  it('numberArg accepts decimal numbers with an exponent in range and refuses the rest with exit 2', () => {
    expect(numberArg('2e-6', '--close-to-init', 0, 1)).toBe(2e-6)
    expect(numberArg('0', '--close-to-init', 0, 1)).toBe(0)
    expect(numberArg('0.5', '--close-to-init', 0, 1)).toBe(0.5)
    for (const bad of ['2', '-1e-6', '', 'NaN', 'Infinity', '1e', '.5', '0x1', ' 1e-6']) {
      const err = usageError(() => numberArg(bad, '--close-to-init', 0, 1))
      expect(err.exitCode).toBe(ExitCode.USAGE)
      expect(err.message).toBe(`--close-to-init must be a number in [0, 1], got "${bad}"`)
    }
  })

  it('choiceArg accepts only the listed words', () => {
    expect(choiceArg('f16', '--encoding', ['bits', 'f16', 'f32'])).toBe('f16')
    const err = usageError(() => choiceArg('F16', '--encoding', ['bits', 'f16', 'f32']))
    expect(err.exitCode).toBe(ExitCode.USAGE)
    expect(err.message).toBe('--encoding must be one of bits, f16, f32, got "F16"')
  })
})
