import type { EvaluationDocument, OwnIcrDocument, StatusDocument } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { learnerReports } from '../../src/demo/outputs.js'
import { RunRecord, type SwarmLook } from '../../src/demo/watch.js'

/** The fields of a status document the record reads. */
const status = (totalSteps: number, masksServed = 0, masksAdopted = 0, bytesSent?: number): StatusDocument =>
  ({ totalSteps, masksServed, masksAdopted, ...(bytesSent !== undefined ? { bytesSent } : {}) }) as StatusDocument
const evaluation = (rows: Array<[string, number]>): EvaluationDocument =>
  ({ history: rows.map(([time, icr]) => ({ time, icr })) }) as unknown as EvaluationDocument
const sweeps = (points: Array<[number, number]>): OwnIcrDocument => ({
  tasks: [],
  history: points.map(([steps, ownIcr]) => ({ steps, ownIcr, time: '', perTask: {} }))
})
const look = (learners: Array<StatusDocument | null>, more: Partial<SwarmLook> = {}): SwarmLook => ({
  evaluation: null,
  learners,
  ownIcr: learners.map(() => null),
  ...more
})

describe('RunRecord (what the demo keeps of each look at its swarms)', () => {
  it("samples a swarm's mean steps only when every learner answered", () => {
    const r = new RunRecord(2)
    r.add({ swarms: { sharing: look([status(100), status(300)]), lone: look([null]) }, time: 1 })
    r.add({ swarms: { sharing: look([status(200), null]), lone: look([status(50)]) }, time: 2 })
    expect(r.swarms.sharing.samples).toEqual([{ t: 1, steps: 200 }])
    expect(r.swarms.lone.samples).toEqual([{ t: 2, steps: 50 }])
    // A swarm not looked at (stopped) keeps what it had.
    expect(r.swarms.isolated.samples).toEqual([])
  })

  it("keeps each learner's latest status, so a stopped learner's counters still count", () => {
    const r = new RunRecord(2)
    r.add({ swarms: { sharing: look([status(0, 3, 1, 1000), status(0, 2, 1, 500)]) }, time: 0 })
    r.add({ swarms: { sharing: look([status(0, 4, 2, 1500), null]) }, time: 1 })
    const s = r.swarms.sharing
    expect([s.total('masksServed'), s.total('masksAdopted'), s.total('bytesSent')]).toEqual([6, 3, 2000])
    // A daemon that does not report bytes yet counts 0.
    r.add({ swarms: { isolated: look([status(0), status(0)]) }, time: 1 })
    expect(r.swarms.isolated.total('bytesSent')).toBe(0)
  })

  it("places each evaluation on the learners' step clock and keeps the latest document's rows", () => {
    const r = new RunRecord(1)
    const t = (s: number): string => new Date(s * 1000).toISOString()
    r.add({ swarms: { sharing: look([status(0)], { evaluation: evaluation([[t(1), 0.5]]) }) }, time: 0 })
    r.add({
      swarms: {
        sharing: look([status(400)], {
          evaluation: evaluation([
            [t(1), 0.5],
            [t(3), 1.5]
          ])
        })
      },
      time: 4000
    })
    // 1 s and 3 s fall a quarter and three quarters of the way from 0 to 400 steps.
    expect(r.swarms.sharing.curve()).toEqual([
      { steps: 100, icr: 0.5 },
      { steps: 300, icr: 1.5 }
    ])
    expect(r.swarms.sharing.latestIcr()).toBe(1.5)
    expect([r.swarms.lone.curve(), r.swarms.lone.latestIcr()]).toEqual([[], 0])
  })

  it("averages the learners' own-ICR sweeps on the per-agent clock, keeping a learner's sweeps once it stops answering", () => {
    const r = new RunRecord(2)
    r.add({
      swarms: {
        isolated: look([status(0), status(0)], {
          ownIcr: [
            sweeps([
              [100, 1],
              [300, 2]
            ]),
            sweeps([[200, 3]])
          ]
        })
      },
      time: 0
    })
    r.add({ swarms: { isolated: look([null, status(0)], { ownIcr: [null, sweeps([[200, 3]])] }) }, time: 1 })
    expect(r.swarms.isolated.agentsCurve()).toEqual([
      { steps: 100, icr: 0.5 },
      { steps: 200, icr: 2 },
      { steps: 300, icr: 2.5 }
    ])
    expect(r.swarms.isolated.latestOwnIcr()).toBe(2.5)
    expect(r.swarms.sharing.latestOwnIcr()).toBe(0)
  })

  it('reports each learner of both collectives as it last answered; what a daemon does not report is null', () => {
    const r = new RunRecord(1)
    const full = {
      ...status(5000, 4, 3, 70_000),
      evalSteps: 900,
      tasksLearned: 2,
      tasksAdopted: 3,
      stepsSaved: 6000,
      bytesReceived: 50_000
    } as StatusDocument
    r.add({
      swarms: { sharing: look([full], { ownIcr: [sweeps([[5000, 4.5]])] }), isolated: look([status(8000)]) },
      time: 0
    })
    expect(learnerReports(r)).toEqual([
      {
        name: 'learner-1',
        steps: 5000,
        evalSteps: 900,
        ownIcr: 4.5,
        tasksLearned: 2,
        tasksAdopted: 3,
        stepsSaved: 6000,
        masksAdopted: 3,
        bytesSent: 70_000,
        bytesReceived: 50_000
      },
      {
        name: 'isolated-1',
        steps: 8000,
        evalSteps: null,
        ownIcr: null,
        tasksLearned: null,
        tasksAdopted: null,
        stepsSaved: null,
        masksAdopted: 0,
        bytesSent: null,
        bytesReceived: null
      }
    ])
  })
})
