/**
 * Whether an optional signal has aborted. A function, not `signal?.aborted === true` inline,
 * because TypeScript narrows that expression and keeps the narrowing across awaits, where
 * the signal may have aborted since.
 */
export function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
