import type { CheckResult } from './checks.js'
import type { LabNode } from './daemons.js'
import { cpuPercent, protocolBytes, type NodeObservation } from './observe.js'

/** Circuit Relay v2's hop protocol: a relay's end of every circuit it carries. */
const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

/** The result document of a run: `{ topology, nodes, checks, passed }` (what --json prints). */

export interface LabNodeSummary {
  name: string
  namespace: string
  segment: string
  address: string
  role: string
  bootstrap: boolean
  tasks: readonly string[]
  peerId: string
  pids: number[]
  state: string
  startedAtSeconds: number | null
  kills: number
  restarts: number
  unexpectedExits: number
  failure: string | null
  peersConnected: number | null
  masksHeld: number | null
  masksServed: number | null
  masksAdopted: number | null
  totalSteps: number | null
  curriculumDone: boolean | null
  masks: Array<{ task: string; origin: string | null; reward: number; cid: string }>
  /** The learner's knowledge base at the end: where each task's mask came from, its adoptions. */
  knowledge: Array<{
    task: string
    source: string
    origin: string | null
    reward: number | null
    adoptedFrom: string[]
  }>
  adoptions: Array<{ atSeconds: number; task: string; from: string; latencyMs: number | null }>
  rssPeakMB: number | null
  /** Average share of one core while serving (last process). */
  cpuPercent: number | null
  maskBytesServed: number | null
  /** Query and mask bytes its exchange sent and received over relayed connections (status `relayedBytes`). */
  relayedBytes: { sent: number; received: number } | null
  /**
   * On a `--relay-server` node: the bytes of the circuits it relayed (libp2p's counters of the
   * hop protocol's streams, sent + received: every relayed byte once), from its final /metrics.
   */
  relayHopBytes: number | null
  errors: string[]
  log: string | null
}

export interface LabResult {
  topology: string
  nodes: LabNodeSummary[]
  checks: CheckResult[]
  passed: boolean
}

/** The result document's entry for one node. */
export function summariseNode(
  n: LabNode,
  o: NodeObservation,
  knowledge: readonly KnowledgeRow[],
  nameOf: (peerId: string) => string,
  waitingFor: string
): LabNodeSummary {
  const served = o.metrics === null ? null : (metricMaskBytes(o.metrics) ?? null)
  return {
    name: n.name,
    namespace: n.ns,
    segment: n.spec.segment,
    address: n.address,
    role: n.spec.role,
    bootstrap: n.spec.bootstrap,
    tasks: n.spec.tasks,
    peerId: n.peerId,
    pids: n.pids,
    state: n.state,
    startedAtSeconds: n.serving[0] === undefined ? null : Math.round(n.serving[0] * 10) / 10,
    kills: n.kills,
    restarts: Math.max(0, n.starts.length - 1),
    unexpectedExits: n.exits.filter(e => !e.expected).length,
    failure: n.failure ?? (n.state === 'waiting' ? `never started: waited for ${waitingFor}` : null),
    peersConnected: o.status?.peersConnected ?? null,
    masksHeld: o.status?.masksHeld ?? null,
    masksServed: o.status?.masksServed ?? null,
    masksAdopted: o.status?.masksAdopted ?? null,
    totalSteps: o.status?.totalSteps ?? null,
    curriculumDone: o.status?.curriculum.done ?? null,
    masks: (o.masks?.masks ?? []).map(m => ({
      task: m.taskKey,
      origin: m.origin === '' ? null : nameOf(m.origin),
      reward: m.reward,
      cid: m.cid
    })),
    knowledge: knowledge.map(k => ({
      task: k.taskKey,
      source: k.source,
      origin: k.origin === '' ? null : nameOf(k.origin),
      reward: k.reward,
      adoptedFrom: k.adoptions.map(a => nameOf(a.from))
    })),
    adoptions: o.adoptions.map(a => ({
      atSeconds: a.atSeconds,
      task: a.task,
      from: nameOf(a.fromPeer),
      latencyMs: a.latencyMs
    })),
    rssPeakMB: o.rssPeakMB,
    cpuPercent: cpuPercent(o),
    maskBytesServed: served,
    relayedBytes: o.status?.relayedBytes ?? null,
    relayHopBytes: o.metrics === null ? null : protocolBytes(o.metrics, RELAY_HOP_PROTOCOL),
    errors: o.errors,
    log: n.logFile
  }
}

/** The fields of a knowledge entry (GET /v1/knowledge) the summary uses. */
export interface KnowledgeRow {
  taskKey: string
  source: string
  origin: string
  reward: number | null
  adoptions: Array<{ from: string }>
}

function metricMaskBytes(text: string): number | null {
  const m = /^l2d2c_bytes\{protocol="mask",direction="sent"\}\s+(\S+)/m.exec(text)
  return m === null ? null : Number(m[1])
}
