import fc from 'fast-check'
import { expect } from 'vitest'
import { type MaskEncoding, ProtocolError } from '../../src/index.js'
import { cidArb, encodingsArb } from '../arbitraries.js'

/**
 * Hostile inputs for the encoders: an encoder either refuses (ProtocolError) or sends what
 * decodes back unchanged. Shared by the per-message test files.
 */

const oddNumberArb = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    -1,
    -0,
    0.5,
    1.5,
    2 ** 31,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 64,
    Number.MAX_VALUE,
    NaN,
    Infinity,
    -Infinity
  )
)
/** Mostly valid values (so the round-trip branch is exercised), sometimes anything. */
export const orOdd = <T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> })
export const num = (valid: fc.Arbitrary<number>): fc.Arbitrary<number> => orOdd(valid, oddNumberArb)
export const str = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> => orOdd(valid, fc.string({ maxLength: 300 }))
export const anyCidArb = orOdd(cidArb, fc.uint8Array({ maxLength: 40 }))
export const anyEncodingArb = orOdd<MaskEncoding>(
  fc.constantFrom('bits', 'f16', 'f32'),
  fc.constantFrom('delta', 'toString', 'gzip')
)
export const anyEncodingsArb = orOdd<MaskEncoding[]>(
  encodingsArb,
  fc.array(fc.constantFrom('bits', 'f16', 'f32', 'delta', 'toString', 'gzip'), { maxLength: 4 })
)

/** -0 and 0 are the same integer (protobuf sends both as 0); everything else must match exactly. */
function zeroSigned(v: unknown): unknown {
  if (Object.is(v, -0)) return 0
  if (Array.isArray(v)) return v.map(zeroSigned)
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, zeroSigned(x)]))
  return v
}

/** Runs the property and checks both outcomes occurred, so neither branch is vacuous. */
export function encodesFaithfully<T>(
  arb: fc.Arbitrary<T>,
  encode: (x: T) => Uint8Array,
  decode: (b: Uint8Array) => T,
  expected: (x: T, decoded: T) => T = x => x
): void {
  let refused = 0
  let sent = 0
  fc.assert(
    fc.property(arb, x => {
      let bytes: Uint8Array
      try {
        bytes = encode(x)
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError)
        refused++
        return
      }
      const decoded = decode(bytes) // an emitted frame is never refused by its own decoder
      expect(zeroSigned(decoded)).toEqual(zeroSigned(expected(x, decoded)))
      sent++
    }),
    { numRuns: 400 }
  )
  expect(refused).toBeGreaterThan(0)
  expect(sent).toBeGreaterThan(0)
}
