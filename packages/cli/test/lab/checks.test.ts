import { describe, expect, it } from 'vitest'
import {
  decideCheck,
  runFailed,
  type ChurnLedger,
  type LabView,
  type NodeView,
  type PartitionView
} from '../../src/lab/checks.js'
import { emptyObservation, metricValue, protocolBytes, recordDocuments, recordLogLines } from '../../src/lab/observe.js'
import { parseTopology, type CheckSpec, type NodeSpec } from '../../src/lab/topology.js'

const X = 'ctgraph/d2b2/img1/leaf10'
const START_MS = 1_700_000_000_000

const topology = parseTopology(
  {
    durationSeconds: 100,
    segments: [{ name: 'lan', subnet: '203.0.113.0/24', public: true }],
    nodes: [
      { name: 'a', segment: 'lan', bootstrap: true, tasks: [X] },
      { name: 'b', segment: 'lan', tasks: [X] },
      { name: 'e', segment: 'lan', role: 'evaluator', tasks: [X] }
    ],
    partitions: [{ name: 'split', groups: [['a'], ['b', 'e']], fromSeconds: 10, untilSeconds: 30 }],
    churn: { seed: 1, kills: 1, nodes: ['b'], fromSeconds: 40, untilSeconds: 50, downSeconds: [1, 2] },
    checks: [
      { name: 'connected', kind: 'connected', to: 'a', withinSeconds: 20 },
      { name: 'after-heal', kind: 'adopted', afterHeal: 'split', adoptions: [{ node: 'e', task: X }] },
      { name: 'origin', kind: 'adopted', adoptions: [{ node: 'b', task: X, origin: 'a' }] },
      { name: 'direct', kind: 'direct', between: ['a', 'b'], withinSeconds: 10, note: 'no hole punching yet' },
      { name: 'relayed', kind: 'relayed', between: ['a', 'b'], withinSeconds: 10 },
      { name: 'over-relay', kind: 'adopted-over-relay', node: 'b', task: X, from: 'a', withinSeconds: 30 },
      {
        name: 'punch',
        kind: 'direct',
        between: ['a', 'b'],
        withinSeconds: 10,
        expectFailure: 'the emulated NAT defeats hole punching'
      },
      { name: 'lost', kind: 'no-masks-lost' },
      { name: 'target', kind: 'collective-target', node: 'e', target: 0.9 }
    ]
  },
  { defaultName: 't' }
)
const check = (name: string): CheckSpec => topology.checks.find(c => c.name === name) as CheckSpec
const peer = (name: string): string => `12D3KooW${name}`

/** A world in which every node serves from 2 s; tweak it per test. */
function world(o: { now: number; ended?: boolean; partition?: Partial<PartitionView>; churn?: ChurnLedger }): {
  view: LabView
  nodes: Map<string, NodeView>
} {
  const nodes = new Map<string, NodeView>()
  for (const spec of topology.nodes)
    nodes.set(spec.name, { spec: spec as NodeSpec, peerId: peer(spec.name), firstServing: 2, obs: emptyObservation() })
  const partitions = new Map<string, PartitionView>([
    [
      'split',
      {
        spec: topology.partitions[0] as PartitionView['spec'],
        splitAt: 10,
        healedAt: 30,
        connectedAcrossAtHeal: 0,
        ...o.partition
      }
    ]
  ])
  return {
    nodes,
    view: {
      now: o.now,
      ended: o.ended ?? false,
      nodes,
      partitions,
      churn: o.churn ?? null,
      probes: new Map(),
      icrTargets: new Map()
    }
  }
}

const log = (atSeconds: number, fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 30, time: START_MS + atSeconds * 1000, ...fields })

describe('lab checks', () => {
  it('connected: pending until the node shows the peer, then passed with the time; failed after its deadline', () => {
    const w = world({ now: 5 })
    expect(decideCheck(check('connected'), w.view)).toBeNull()
    recordDocuments(w.nodes.get('b')?.obs as never, 6, {
      peers: {
        peers: [
          {
            peerId: peer('a'),
            connected: true,
            addrs: [],
            role: null,
            masks: 0,
            totalSteps: 0,
            lastSeen: '',
            failures: 0
          }
        ]
      }
    })
    // e never connects: still open at 21 s (it serves from 2 s: 20 s after that is 22 s), failed at 23 s.
    expect(decideCheck(check('connected'), { ...w.view, now: 21 })).toBeNull()
    const r = decideCheck(check('connected'), { ...w.view, now: 23 })
    expect(r).toMatchObject({ passed: false, value: { connected: 1, of: 2, missing: ['e'] } })
    recordDocuments(w.nodes.get('a')?.obs as never, 8, {
      peers: {
        peers: [
          {
            peerId: peer('e'),
            connected: true,
            addrs: [],
            role: null,
            masks: 0,
            totalSteps: 0,
            lastSeen: '',
            failures: 0
          }
        ]
      }
    })
    expect(decideCheck(check('connected'), { ...w.view, now: 23 })).toMatchObject({
      passed: true,
      value: { seconds: 8 }
    })
  })

  it('connected: a node that has not started yet is not late; its deadline runs from its start', () => {
    const w = world({ now: 30 })
    ;(w.nodes.get('e') as { firstServing: number | null }).firstServing = null
    const a = {
      peerId: peer('a'),
      connected: true,
      addrs: [],
      role: null,
      masks: 0,
      totalSteps: 0,
      lastSeen: '',
      failures: 0
    }
    recordDocuments(w.nodes.get('b')?.obs as never, 6, { peers: { peers: [a as never] } })
    expect(decideCheck(check('connected'), w.view)).toBeNull()
    ;(w.nodes.get('e') as { firstServing: number | null }).firstServing = 25
    expect(decideCheck(check('connected'), { ...w.view, now: 44 })).toBeNull()
    expect(decideCheck(check('connected'), { ...w.view, now: 46 })).toMatchObject({
      passed: false,
      value: { missing: ['e'] }
    })
    expect(decideCheck(check('connected'), { ...w.view, ended: true })).toMatchObject({ passed: false })
  })

  it('adopted after a heal: counts only adoptions from the other group after the heal, and calls one during the split a leak', () => {
    const w = world({ now: 40 })
    const e = w.nodes.get('e')?.obs
    // From its own group (b) during the split: allowed, not counted.
    recordLogLines(e as never, [log(15, { msg: 'adopting mask', task: X, from: peer('b'), verified: 1 })], START_MS)
    expect(decideCheck(check('after-heal'), w.view)).toBeNull()
    recordLogLines(e as never, [log(33.5, { msg: 'adopting mask', task: X, from: peer('a'), verified: 1 })], START_MS)
    expect(decideCheck(check('after-heal'), w.view)).toMatchObject({
      passed: true,
      value: { seconds: 3.5, secondsCountedFrom: 'heal of split', adoptions: [{ node: 'e', from: 'a' }] }
    })
    const leaky = world({ now: 40 })
    recordLogLines(
      leaky.nodes.get('e')?.obs as never,
      [log(20, { msg: 'adopting mask', task: X, from: peer('a') })],
      START_MS
    )
    const r = decideCheck(check('after-heal'), leaky.view)
    expect(r?.passed).toBe(false)
    expect((r?.value as { leak: string } | undefined)?.leak).toContain('during the split')
    // Not healed yet: open, however late.
    expect(decideCheck(check('after-heal'), world({ now: 99, partition: { healedAt: null } }).view)).toBeNull()
  })

  it('adopted with an origin: the held mask must be that node’s; the learner’s latency comes from its log', () => {
    const w = world({ now: 20 })
    const b = w.nodes.get('b')?.obs
    recordLogLines(
      b as never,
      [
        log(12, { msg: 'daemon started' }),
        log(14, { msg: 'adopting mask', task: X, from: peer('a'), verified: 0.9 }),
        log(14.2, { msg: 'adopted mask', task: X, from: peer('a'), latencyMs: 123.4 })
      ],
      START_MS
    )
    expect(decideCheck(check('origin'), w.view)).toBeNull() // no masks document yet
    recordDocuments(b as never, 15, {
      masks: {
        peer: peer('b'),
        backboneId: 'x',
        masks: [{ taskKey: X, cid: 'c', reward: 1, steps: 1, bytes: 1, origin: peer('a') }]
      }
    })
    expect(decideCheck(check('origin'), w.view)).toMatchObject({
      passed: true,
      value: { adoptions: [{ origin: 'a', seconds: 14, secondsAfterNodeStart: 2, latencyMs: 123 }] }
    })
  })

  it('direct: fails after its window with what each side knows of the other and the note', () => {
    const w = world({ now: 11 })
    expect(decideCheck(check('direct'), w.view)).toBeNull()
    recordDocuments(w.nodes.get('a')?.obs as never, 5, {
      peers: {
        peers: [
          {
            peerId: peer('b'),
            connected: false,
            addrs: ['/ip4/10.2.0.10/tcp/4001'],
            role: 'learner',
            masks: 1,
            totalSteps: 0,
            lastSeen: '',
            failures: 2
          }
        ]
      }
    })
    const r = decideCheck(check('direct'), { ...w.view, now: 12.5 })
    expect(r).toMatchObject({
      passed: false,
      value: {
        connected: false,
        aKnowsb: { known: true, failedDials: 2 },
        bKnowsa: { known: false },
        why: 'no hole punching yet'
      }
    })
  })

  it('direct: a connection through a relay does not count (peers --json says `connection: relayed`)', () => {
    const w = world({ now: 5 })
    const relayed = {
      peerId: peer('b'),
      connected: true,
      addrs: [],
      role: null,
      masks: 0,
      totalSteps: 0,
      lastSeen: '',
      failures: 0
    }
    recordDocuments(w.nodes.get('a')?.obs as never, 4, {
      peers: { peers: [{ ...relayed, connection: 'relayed' } as never] }
    })
    expect(decideCheck(check('direct'), w.view)).toBeNull()
    expect(decideCheck(check('direct'), { ...w.view, now: 13 })).toMatchObject({
      passed: false,
      value: { connected: false, relayedSeconds: 4 }
    })
    recordDocuments(w.nodes.get('a')?.obs as never, 9, {
      peers: { peers: [{ ...relayed, connection: 'direct' } as never] }
    })
    expect(decideCheck(check('direct'), { ...w.view, now: 13 })).toMatchObject({ passed: true, value: { seconds: 9 } })
  })

  it('relayed: passes once either side reports the other as relayed, saying whether a direct connection came too', () => {
    const w = world({ now: 5 })
    const entry = {
      peerId: peer('a'),
      connected: true,
      addrs: [],
      role: null,
      masks: 0,
      totalSteps: 0,
      lastSeen: '',
      failures: 0
    }
    expect(decideCheck(check('relayed'), w.view)).toBeNull()
    expect(decideCheck(check('relayed'), { ...w.view, now: 13 })).toMatchObject({
      passed: false,
      value: { relayedSeconds: null, why: 'a and b were never seen connected through a relay' }
    })
    recordDocuments(w.nodes.get('b')?.obs as never, 6, {
      peers: { peers: [{ ...entry, connection: 'relayed' } as never] }
    })
    expect(decideCheck(check('relayed'), { ...w.view, now: 13 })).toMatchObject({
      passed: true,
      value: { relayedSeconds: 6, directSeconds: null }
    })
  })

  it('adopted-over-relay: passes for an adoption from a peer reached only through a relay, with the relayed bytes', () => {
    const entry = {
      peerId: peer('a'),
      connected: true,
      addrs: [],
      role: null,
      masks: 0,
      totalSteps: 0,
      lastSeen: '',
      failures: 0
    }
    const adopt = (w: ReturnType<typeof world>): void => {
      const b = w.nodes.get('b')?.obs
      recordLogLines(
        b as never,
        [
          log(3, { msg: 'daemon started' }),
          log(12, { msg: 'adopting mask', task: X, from: peer('a'), verified: 0.9 }),
          log(12.1, { msg: 'adopted mask', task: X, from: peer('a'), latencyMs: 456 })
        ],
        START_MS
      )
    }
    // not adopted yet: open until 30 s after a serves, then failed
    const w = world({ now: 20 })
    expect(decideCheck(check('over-relay'), w.view)).toBeNull()
    expect(decideCheck(check('over-relay'), { ...w.view, now: 33 })).toMatchObject({
      passed: false,
      value: { adopted: false, why: 'b did not adopt ctgraph/d2b2/img1/leaf10 from a' }
    })
    // relayed from 6 s, adopted at 12 s: passed, with what each end put through relays
    recordDocuments(w.nodes.get('b')?.obs as never, 6, {
      peers: { peers: [{ ...entry, connection: 'relayed' } as never] },
      status: { relayedBytes: { sent: 300, received: 4200 } } as never
    })
    adopt(w)
    expect(decideCheck(check('over-relay'), w.view)).toEqual({
      name: 'over-relay',
      passed: true,
      value: {
        adopted: true,
        seconds: 12,
        secondsAfterNodeStart: 9,
        latencyMs: 456,
        relayedSeconds: 6,
        directSeconds: null,
        relayedBytes: { b: { sent: 300, received: 4200 }, a: null }
      }
    })
    // a direct connection before the adoption: the mask may have come over it
    const d = world({ now: 20 })
    recordDocuments(d.nodes.get('b')?.obs as never, 6, {
      peers: { peers: [{ ...entry, connection: 'relayed' } as never] }
    })
    recordDocuments(d.nodes.get('a')?.obs as never, 8, {
      peers: { peers: [{ ...entry, peerId: peer('b'), connection: 'direct' } as never] }
    })
    adopt(d)
    expect(decideCheck(check('over-relay'), d.view)).toMatchObject({
      passed: false,
      value: { directSeconds: 8, why: 'b and a had a direct connection at 8 s, before the adoption' }
    })
    // never seen relayed (e.g. a provider on the same segment): not over a relay
    const n = world({ now: 20 })
    adopt(n)
    expect(decideCheck(check('over-relay'), n.view)).toMatchObject({
      passed: false,
      value: { why: 'b and a were never seen connected through a relay' }
    })
  })

  it('an expected failure is reported as failed with its reason, and does not fail the run; an unexpected one does', () => {
    const w = world({ now: 13 })
    const punch = decideCheck(check('punch'), w.view)
    expect(punch).toMatchObject({
      passed: false,
      value: { connected: false, expectedFailure: true, expectedBecause: 'the emulated NAT defeats hole punching' }
    })
    const direct = decideCheck(check('direct'), w.view)
    expect(direct?.passed).toBe(false)
    expect(runFailed([punch as never])).toBe(false)
    expect(runFailed([punch as never, direct as never])).toBe(true)
  })

  it('no-masks-lost: decided at the end; a task seen at a kill and missing at the end is a loss', () => {
    const ledger: ChurnLedger = {
      scheduledKills: 2,
      kills: 2,
      restarts: 2,
      seen: new Map([
        [
          'b',
          new Map([
            [X, 'cid1'],
            ['ctgraph/d2b2/img2/leaf01', 'cid2']
          ])
        ]
      ]),
      corrupt: [],
      final: new Map([['b', new Set([X])]]),
      tmpFiles: 0
    }
    expect(decideCheck(check('lost'), world({ now: 60, churn: ledger }).view)).toBeNull()
    expect(decideCheck(check('lost'), world({ now: 60, ended: true, churn: ledger }).view)).toMatchObject({
      passed: false,
      value: { lost: ['b: ctgraph/d2b2/img2/leaf01'], masksTracked: 2 }
    })
    ledger.final.get('b')?.add('ctgraph/d2b2/img2/leaf01')
    expect(decideCheck(check('lost'), world({ now: 60, ended: true, churn: ledger }).view)?.passed).toBe(true)
  })

  it('collective-target: the best ICR of the evaluator’s history against the target', () => {
    const w = world({ now: 30 })
    const row = (icr: number) => ({ time: '', icr, perTask: {}, learners: {}, meanLearnerSteps: 0 })
    recordDocuments(w.nodes.get('e')?.obs as never, 30, {
      evaluation: { tasks: [X], latest: row(0.5), history: [row(0.5)] }
    })
    expect(decideCheck(check('target'), w.view)).toBeNull()
    expect(decideCheck(check('target'), { ...w.view, ended: true })).toMatchObject({
      passed: false,
      value: { bestIcr: 0.5, target: 0.9 }
    })
    recordDocuments(w.nodes.get('e')?.obs as never, 31, {
      evaluation: { tasks: [X], latest: row(0.8), history: [row(0.5), row(0.96), row(0.8)] }
    })
    expect(decideCheck(check('target'), w.view)).toMatchObject({
      passed: true,
      value: { bestIcr: 0.96, latestIcr: 0.8 }
    })
  })
})

describe('observations', () => {
  it('keeps the last error lines and ignores non-JSON output', () => {
    const o = emptyObservation()
    recordLogLines(
      o,
      ['plain text on stderr', log(1, { level: 50, msg: 'the role loop failed', err: 'boom' }), '{broken'],
      START_MS
    )
    expect(o.errors).toEqual(['the role loop failed: boom'])
    expect(o.adoptions).toEqual([])
  })

  it('reads Prometheus series by labels and sums libp2p protocol bytes by prefix', () => {
    const text = [
      '# HELP l2d2c_bytes application bytes',
      'l2d2c_bytes{protocol="announce",direction="sent"} 355',
      'l2d2c_bytes{protocol="announce",direction="received"} 20',
      'libp2p_data_transfer_bytes_total{protocol="/meshsub/1.2.0 sent"} 471',
      'libp2p_data_transfer_bytes_total{protocol="/meshsub/1.2.0 received"} 46',
      'libp2p_data_transfer_bytes_total{protocol="/meshsub/1.1.0 received"} 4',
      'libp2p_data_transfer_bytes_total{protocol="/l2d2c/kad/1.0.0 sent"} 507',
      'l2d2c_masks_held 2'
    ].join('\n')
    expect(metricValue(text, 'l2d2c_bytes', { protocol: 'announce', direction: 'received' })).toBe(20)
    expect(metricValue(text, 'l2d2c_masks_held')).toBe(2)
    expect(metricValue(text, 'l2d2c_bytes', { protocol: 'mask' })).toBeNull()
    expect(protocolBytes(text, '/meshsub/')).toBe(521)
    expect(protocolBytes(text, '/l2d2c/kad/')).toBe(507)
    expect(protocolBytes(text, '/ipfs/ping/')).toBeNull()
  })
})
