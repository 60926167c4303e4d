import { describe, expect, it } from 'vitest'
import { choiceArg, intArg } from '../../src/args.js'
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

  it('choiceArg accepts only the listed words', () => {
    expect(choiceArg('f16', '--encoding', ['bits', 'f16', 'f32'])).toBe('f16')
    const err = usageError(() => choiceArg('F16', '--encoding', ['bits', 'f16', 'f32']))
    expect(err.exitCode).toBe(ExitCode.USAGE)
    expect(err.message).toBe('--encoding must be one of bits, f16, f32, got "F16"')
  })
})
