import { CliError, ExitCode } from './exit-codes.js'

/**
 * Checks of command-line values the commands parse themselves (the daemon's go through its
 * configuration instead). A bad value is a usage error (exit 2) that names the flag.
 */

/** A decimal integer in [min, max]. */
export function intArg(text: string, flag: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new CliError(`${flag} must be an integer in ${min}..${max}, got "${text}"`, ExitCode.USAGE)
  return Number(text)
}

/** A decimal number (digits, optional fraction and exponent: "2e-6", "0.5") in [min, max]. */
export function numberArg(text: string, flag: string, min: number, max: number): number {
  const n = Number(text)
  if (!/^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text) || !(n >= min && n <= max))
    throw new CliError(`${flag} must be a number in [${min}, ${max}], got "${text}"`, ExitCode.USAGE)
  return n
}

/** One of a fixed list of words. */
export function choiceArg<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text))
    throw new CliError(`${flag} must be one of ${choices.join(', ')}, got "${text}"`, ExitCode.USAGE)
  return text as T
}
