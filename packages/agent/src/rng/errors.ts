/**
 * The one error class of the RNG modules and the argument checks they share, so a caller can
 * catch "bad RNG argument" the same way for MT19937, PCG64, SeedSequence and the learner's PRNG.
 */

/** A seed or a bounded-draw argument the generator cannot take (numpy would reject it too). */
export class RngArgumentError extends RangeError {
  constructor(message: string) {
    super(message)
    this.name = 'RngArgumentError'
  }
}

export const MAX_UINT32 = 0xffffffff

/** An integer in [0, 2^32): the seed range of MT19937, of task keys and of curricula. */
export function isUint32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_UINT32
}

/** Returns `n` if it is a uint32, else throws RngArgumentError naming `name`. */
export function assertUint32(name: string, n: number): number {
  if (!isUint32(n)) throw new RngArgumentError(`${name} must be an integer in [0, 2^32), got ${n}`)
  return n
}

/** The bounds check of a draw in [low, high): both safe integers and low < high. */
export function assertIntegerRange(what: string, low: number, high: number): void {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high))
    throw new RngArgumentError(`${what} bounds must be safe integers, got [${low}, ${high})`)
  if (high <= low) throw new RngArgumentError(`${what} needs low < high, got [${low}, ${high})`)
}
