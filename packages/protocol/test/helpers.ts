import { expect } from 'vitest'
import { ProtocolError } from '../src/index.js'

/** Asserts that `fn` throws a ProtocolError with this code (and fails if it throws nothing). */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(thrown, `expected ProtocolError ${code}`).toBeInstanceOf(ProtocolError)
  expect((thrown as ProtocolError).code).toBe(code)
}
