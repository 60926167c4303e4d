import type { EvaluationDocument, StatusDocument } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { RunRecord } from '../../src/demo/watch.js'

/** The fields of a status document the record reads. */
const status = (totalSteps: number, masksServed = 0, masksAdopted = 0): StatusDocument =>
  ({ totalSteps, masksServed, masksAdopted }) as StatusDocument
const evaluation = (rows: Array<[string, number]>): EvaluationDocument =>
  ({ history: rows.map(([time, icr]) => ({ time, icr })) }) as unknown as EvaluationDocument

describe('RunRecord (what the demo keeps of each look at its nodes)', () => {
  it("samples the collective's mean steps only when every learner answered, and the lone learner's when it did", () => {
    const r = new RunRecord()
    r.add({
      evaluations: { collective: null, single: null },
      learners: [status(100), status(300)],
      lone: null,
      time: 1
    })
    r.add({ evaluations: { collective: null, single: null }, learners: [status(200), null], lone: status(50), time: 2 })
    expect(r.samples).toEqual({ collective: [{ t: 1, steps: 200 }], single: [{ t: 2, steps: 50 }] })
  })

  it('keeps the highest mask counts seen (a stopped learner no longer reports its own)', () => {
    const r = new RunRecord()
    const look = (learners: Array<StatusDocument | null>) =>
      r.add({ evaluations: { collective: null, single: null }, learners, lone: null, time: 0 })
    look([status(0, 3, 1), status(0, 2, 1)])
    look([status(0, 4, 2), null])
    expect([r.masksExchanged, r.masksAdopted]).toEqual([5, 2])
  })

  it("places each evaluation on the learners' step clock and keeps the latest document's rows", () => {
    const r = new RunRecord()
    const t = (s: number): string => new Date(s * 1000).toISOString()
    r.add({
      evaluations: { collective: evaluation([[t(1), 0.5]]), single: null },
      learners: [status(0)],
      lone: null,
      time: 0
    })
    r.add({
      evaluations: {
        collective: evaluation([
          [t(1), 0.5],
          [t(3), 1.5]
        ]),
        single: null
      },
      learners: [status(400)],
      lone: null,
      time: 4000
    })
    // 1 s and 3 s fall a quarter and three quarters of the way from 0 to 400 steps.
    expect(r.curve('collective')).toEqual([
      { steps: 100, icr: 0.5 },
      { steps: 300, icr: 1.5 }
    ])
    expect(r.latestIcr('collective')).toBe(1.5)
    expect([r.curve('single'), r.latestIcr('single')]).toEqual([[], 0])
  })
})
