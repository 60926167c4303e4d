import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeInventoryRequest, encodeInventoryRequest } from '../../src/index.js'
import { requestIdArb } from '../arbitraries.js'
import { encodesFaithfully, num } from './faithful.js'

describe('InventoryRequest', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(requestIdArb, id => {
        expect(decodeInventoryRequest(encodeInventoryRequest({ requestId: id }))).toEqual({ requestId: id })
      }),
      { numRuns: 100 }
    )
  })

  it('is refused by its encoder unless it would arrive unchanged', () => {
    encodesFaithfully(fc.record({ requestId: num(requestIdArb) }), encodeInventoryRequest, decodeInventoryRequest)
  })
})
