import { cpuPercent, metricValue, percentile, protocolBytes, type NodeObservation } from './observe.js'
import type { CheckSpec, NodeSpec, PartitionSpec } from './topology.js'

/**
 * Decides a topology's checks from what the lab observed. A check is decided as soon as its
 * condition holds (passed), its deadline passes, or the run ends (failed, saying what was
 * seen instead); until then it is pending (null). Pure: the runner passes a LabView.
 */

export interface CheckResult {
  readonly name: string
  readonly passed: boolean
  readonly value: unknown
}

export interface NodeView {
  readonly spec: NodeSpec
  readonly peerId: string
  /** Run seconds it first served (null: never). */
  readonly firstServing: number | null
  readonly obs: NodeObservation
}

export interface PartitionView {
  readonly spec: PartitionSpec
  readonly splitAt: number | null
  readonly healedAt: number | null
  /** Connections across the groups the nodes still reported just before the heal (a cut that held: 0). */
  readonly connectedAcrossAtHeal: number | null
}

/** What the churn executor recorded: mask files seen at each kill, and the final inspection. */
export interface ChurnLedger {
  readonly scheduledKills: number
  kills: number
  restarts: number
  /** node → task → content id of the mask file found right after a kill (valid files only). */
  readonly seen: Map<string, Map<string, string>>
  /** Files that were unreadable or failed their content check at any inspection. */
  readonly corrupt: string[]
  /** node → tasks whose mask file was present and valid at the end. */
  readonly final: Map<string, Set<string>>
  /** Leftover temporary files of interrupted atomic writes. */
  tmpFiles: number
}

export interface ProbeOutcome {
  readonly okMs: number[]
  readonly failures: string[]
  done: boolean
}

export interface LabView {
  readonly now: number
  /** The run is over: decide everything still pending. */
  readonly ended: boolean
  readonly nodes: ReadonlyMap<string, NodeView>
  readonly partitions: ReadonlyMap<string, PartitionView>
  readonly churn: ChurnLedger | null
  readonly probes: ReadonlyMap<string, ProbeOutcome>
  /** ICR target of each evaluator (15/16 of the optimum of its tasks). */
  readonly icrTargets: ReadonlyMap<string, number>
}

const r1 = (x: number): number => Math.round(x * 10) / 10

function nodeOf(view: LabView, name: string): NodeView {
  const n = view.nodes.get(name)
  if (n === undefined) throw new Error(`unknown node ${name}`)
  return n
}

function nameOfPeer(view: LabView, peerId: string): string {
  for (const n of view.nodes.values()) if (n.peerId === peerId) return n.spec.name
  return peerId
}

/** Seconds at which a and b were first seen connected (either side's view; `direct`: not relayed), or null. */
function connectedAt(view: LabView, a: string, b: string, direct = false): number | null {
  const x = nodeOf(view, a)
  const y = nodeOf(view, b)
  const since = (n: NodeView): Map<string, number> => (direct ? n.obs.directSince : n.obs.connectedSince)
  const t = [since(x).get(y.peerId), since(y).get(x.peerId)].filter((v): v is number => v !== undefined)
  return t.length === 0 ? null : Math.min(...t)
}

function overdue(view: LabView, within: number | null, from = 0): boolean {
  return view.ended || (within !== null && view.now > from + within)
}

function decideConnected(c: Extract<CheckSpec, { kind: 'connected' }>, view: LabView): CheckResult | null {
  const times = new Map<string, number | null>()
  for (const n of c.nodes) {
    if (c.to !== null) times.set(n, connectedAt(view, n, c.to))
    else {
      const seen = [...nodeOf(view, n).obs.connectedSince.values()].sort((a, b) => a - b)
      times.set(n, seen.length >= c.minPeers ? (seen[c.minPeers - 1] as number) : null)
    }
  }
  const missing = [...times].filter(([, t]) => t === null).map(([n]) => n)
  const at = [...times.values()].filter((t): t is number => t !== null)
  const value = {
    connected: at.length,
    of: c.nodes.length,
    ...(c.to !== null ? { to: c.to } : { minPeers: c.minPeers }),
    seconds: missing.length === 0 && at.length > 0 ? r1(Math.max(...at)) : null,
    ...(missing.length > 0 ? { missing } : {})
  }
  if (missing.length === 0) return { name: c.name, passed: true, value }
  // The deadline runs from when each missing node started serving: a node that starts late
  // (on a condition, on a slow machine) is not failed for the time before it existed.
  const starts = missing.map(n => nodeOf(view, n).firstServing)
  if (starts.some(t => t === null)) return view.ended ? { name: c.name, passed: false, value } : null
  return overdue(view, c.withinSeconds, Math.max(...(starts as number[])))
    ? { name: c.name, passed: false, value }
    : null
}

/** Seconds from the node's (latest) start before `at` to `at`: its own log's "daemon started". */
function sinceStart(n: NodeView, at: number): number | null {
  const start = [...n.obs.daemonStarts].reverse().find(t => t <= at) ?? n.firstServing
  return start === null ? null : r1(at - start)
}

function decideAdopted(c: Extract<CheckSpec, { kind: 'adopted' }>, view: LabView): CheckResult | null {
  const after = c.afterHeal === null ? null : (view.partitions.get(c.afterHeal) as PartitionView)
  const before = c.beforeHeal === null ? null : (view.partitions.get(c.beforeHeal) as PartitionView)
  const rows: Array<Record<string, unknown>> = []
  let leak: string | null = null
  let all = true
  for (const e of c.adoptions) {
    const n = nodeOf(view, e.node)
    let events = n.obs.adoptions.filter(a => a.task === e.task)
    if (after !== null) {
      const other = after.spec.groups.find(g => !g.includes(e.node)) ?? []
      events = events.filter(a => other.includes(nameOfPeer(view, a.fromPeer)))
      const early = events.find(
        a =>
          after.splitAt !== null &&
          a.atSeconds >= after.splitAt &&
          (after.healedAt === null || a.atSeconds < after.healedAt)
      )
      if (early !== undefined)
        leak = `${e.node} adopted ${e.task} from ${nameOfPeer(view, early.fromPeer)} at ${early.atSeconds} s, during the split`
      events = events.filter(a => after.healedAt !== null && a.atSeconds >= after.healedAt)
    }
    if (before !== null) events = events.filter(a => before.healedAt === null || a.atSeconds < before.healedAt)
    const originPeer = e.origin === null ? null : nodeOf(view, e.origin).peerId
    const held = n.obs.masks?.masks.find(m => m.taskKey === e.task)
    const originOk = originPeer === null || held?.origin === originPeer
    const first = events[0]
    const done = first !== undefined && originOk
    if (!done) all = false
    const ref = after?.healedAt ?? 0
    rows.push({
      node: e.node,
      task: e.task,
      adopted: done,
      from: first === undefined ? null : nameOfPeer(view, first.fromPeer),
      origin: held === undefined || held.origin === '' ? null : nameOfPeer(view, held.origin),
      ...(e.origin !== null ? { originWanted: e.origin } : {}),
      seconds: first === undefined ? null : r1(first.atSeconds - ref),
      secondsAfterNodeStart: first === undefined ? null : sinceStart(n, first.atSeconds),
      latencyMs: first?.latencyMs ?? null
    })
  }
  const seconds = all ? Math.max(...rows.map(r => r.seconds as number)) : null
  const value = {
    secondsCountedFrom: after !== null ? `heal of ${after.spec.name}` : 'run start',
    ...(after !== null ? { connectedAcrossAtHeal: after.connectedAcrossAtHeal } : {}),
    seconds,
    adoptions: rows,
    ...(leak !== null ? { leak } : {})
  }
  if (leak !== null) return { name: c.name, passed: false, value }
  if (all) return { name: c.name, passed: true, value }
  if (before !== null && before.healedAt !== null)
    return {
      name: c.name,
      passed: false,
      value: { ...value, why: `not adopted before the heal of ${before.spec.name}` }
    }
  const from = after === null ? 0 : (after.healedAt ?? Number.POSITIVE_INFINITY)
  return overdue(view, c.withinSeconds, from) ? { name: c.name, passed: false, value } : null
}

function decideDirect(c: Extract<CheckSpec, { kind: 'direct' }>, view: LabView): CheckResult | null {
  const [a, b] = c.between
  const at = connectedAt(view, a, b, true)
  const anyAt = connectedAt(view, a, b)
  if (at !== null) return { name: c.name, passed: true, value: { connected: true, seconds: r1(at) } }
  const na = nodeOf(view, a)
  const nb = nodeOf(view, b)
  const bothUp =
    na.firstServing !== null && nb.firstServing !== null ? Math.max(na.firstServing, nb.firstServing) : null
  if (!(view.ended || (bothUp !== null && overdue(view, c.withinSeconds, bothUp)))) return null
  const knows = (x: NodeView, y: NodeView): Record<string, unknown> => {
    const entry = x.obs.peers?.peers.find(p => p.peerId === y.peerId)
    return entry === undefined
      ? { known: false }
      : { known: true, addrs: entry.addrs, failedDials: entry.failures, connected: entry.connected }
  }
  return {
    name: c.name,
    passed: false,
    value: {
      connected: false,
      relayedSeconds: anyAt === null ? null : r1(anyAt),
      observedSeconds: bothUp === null ? 0 : r1(view.now - bothUp),
      [`${a}Knows${b}`]: knows(na, nb),
      [`${b}Knows${a}`]: knows(nb, na),
      why: c.note === '' ? `${a} and ${b} never had a direct connection` : c.note
    }
  }
}

function decideRelayed(c: Extract<CheckSpec, { kind: 'relayed' }>, view: LabView): CheckResult | null {
  const [a, b] = c.between
  const x = nodeOf(view, a)
  const y = nodeOf(view, b)
  const seen = [x.obs.relayedSince.get(y.peerId), y.obs.relayedSince.get(x.peerId)].filter(
    (t): t is number => t !== undefined
  )
  if (seen.length > 0) {
    const direct = connectedAt(view, a, b, true)
    return {
      name: c.name,
      passed: true,
      value: { relayedSeconds: r1(Math.min(...seen)), directSeconds: direct === null ? null : r1(direct) }
    }
  }
  const bothUp = x.firstServing !== null && y.firstServing !== null ? Math.max(x.firstServing, y.firstServing) : null
  if (!(view.ended || (bothUp !== null && overdue(view, c.withinSeconds, bothUp)))) return null
  const direct = connectedAt(view, a, b, true)
  return {
    name: c.name,
    passed: false,
    value: {
      relayedSeconds: null,
      directSeconds: direct === null ? null : r1(direct),
      why: `${a} and ${b} were never seen connected through a relay`
    }
  }
}

function decideAdoptedOverRelay(
  c: Extract<CheckSpec, { kind: 'adopted-over-relay' }>,
  view: LabView
): CheckResult | null {
  const n = nodeOf(view, c.node)
  const from = nodeOf(view, c.from)
  const event = n.obs.adoptions.find(a => a.task === c.task && a.fromPeer === from.peerId)
  const relayedAt = [n.obs.relayedSince.get(from.peerId), from.obs.relayedSince.get(n.peerId)].filter(
    (t): t is number => t !== undefined
  )
  const direct = connectedAt(view, c.node, c.from, true)
  const relayHeldAt = c.relay === null ? undefined : nodeOf(view, c.relay).obs.heldSince.get(c.task)
  if (event === undefined) {
    if (!overdue(view, c.withinSeconds, from.firstServing ?? 0)) return null
    const other = n.obs.adoptions.find(a => a.task === c.task)
    return {
      name: c.name,
      passed: false,
      value: {
        adopted: false,
        ...(other !== undefined ? { adoptedFrom: nameOfPeer(view, other.fromPeer) } : {}),
        relayedSeconds: relayedAt.length > 0 ? r1(Math.min(...relayedAt)) : null,
        directSeconds: direct === null ? null : r1(direct),
        why: `${c.node} did not adopt ${c.task} from ${c.from}`
      }
    }
  }
  const at = event.atSeconds
  const wasDirect = direct !== null && direct <= at
  const relayHeld = relayHeldAt !== undefined && relayHeldAt <= at
  const bytes = (x: NodeView): { sent: number; received: number } | null => x.obs.status?.relayedBytes ?? null
  const value = {
    adopted: true,
    seconds: r1(at),
    secondsAfterNodeStart: sinceStart(n, at),
    latencyMs: event.latencyMs,
    relayedSeconds: relayedAt.length > 0 ? r1(Math.min(...relayedAt)) : null,
    directSeconds: direct === null ? null : r1(direct),
    ...(c.relay !== null ? { relayHeldTask: relayHeld } : {}),
    // what each end's mask exchange put through relays by the time the check was decided
    relayedBytes: { [c.node]: bytes(n), [c.from]: bytes(from) },
    ...(wasDirect
      ? { why: `${c.node} and ${c.from} had a direct connection at ${r1(direct as number)} s, before the adoption` }
      : relayHeld
        ? { why: `${c.relay} held ${c.task} at ${r1(relayHeldAt as number)} s: a provider both reach directly` }
        : relayedAt.length === 0
          ? { why: `${c.node} and ${c.from} were never seen connected through a relay` }
          : {})
  }
  return { name: c.name, passed: !wasDirect && !relayHeld && relayedAt.length > 0, value }
}

function decideHolds(c: Extract<CheckSpec, { kind: 'holds' }>, view: LabView): CheckResult | null {
  const n = nodeOf(view, c.node)
  const at = n.obs.heldSince.get(c.task)
  const part = c.beforeHeal === null ? null : (view.partitions.get(c.beforeHeal) as PartitionView)
  if (at !== undefined && (part === null || part.healedAt === null || at < part.healedAt))
    return {
      name: c.name,
      passed: true,
      value: { seconds: r1(at), ...(part !== null ? { beforeHealOf: part.spec.name } : {}) }
    }
  const missed = part !== null && part.healedAt !== null
  if (missed || overdue(view, c.withinSeconds))
    return {
      name: c.name,
      passed: false,
      value: {
        seconds: at === undefined ? null : r1(at),
        why: at === undefined ? 'never held' : 'held only after the heal'
      }
    }
  return null
}

function decideNoMasksLost(c: Extract<CheckSpec, { kind: 'no-masks-lost' }>, view: LabView): CheckResult | null {
  if (!view.ended) return null
  const ledger = view.churn
  if (ledger === null) return { name: c.name, passed: false, value: { why: 'no churn ran' } }
  const lost: string[] = []
  let checked = 0
  for (const [node, tasks] of ledger.seen) {
    const final = ledger.final.get(node) ?? new Set<string>()
    for (const task of tasks.keys()) {
      checked++
      if (!final.has(task)) lost.push(`${node}: ${task}`)
    }
  }
  const passed = lost.length === 0 && ledger.corrupt.length === 0 && ledger.kills > 0
  return {
    name: c.name,
    passed,
    value: {
      kills: ledger.kills,
      scheduledKills: ledger.scheduledKills,
      restarts: ledger.restarts,
      masksTracked: checked,
      lost,
      corrupt: ledger.corrupt,
      leftoverTmpFiles: ledger.tmpFiles
    }
  }
}

function decideTarget(c: Extract<CheckSpec, { kind: 'collective-target' }>, view: LabView): CheckResult | null {
  const n = nodeOf(view, c.node)
  const target = c.target ?? view.icrTargets.get(c.node) ?? Number.POSITIVE_INFINITY
  const history = n.obs.evaluation?.history ?? []
  const best = history.reduce((m, r) => Math.max(m, r.icr), 0)
  const latest = n.obs.evaluation?.latest?.icr ?? null
  const value = { target, bestIcr: r1(best * 100) / 100, latestIcr: latest }
  if (best >= target - 1e-9) return { name: c.name, passed: true, value }
  return view.ended ? { name: c.name, passed: false, value } : null
}

function summary(values: readonly number[]): { p50: number | null; max: number | null } {
  return { p50: percentile(values, 0.5), max: values.length === 0 ? null : Math.max(...values) }
}

function decideMemory(c: Extract<CheckSpec, { kind: 'memory' }>, view: LabView): CheckResult | null {
  if (!view.ended) return null
  const peaks = [...view.nodes.values()]
    .filter(n => n.firstServing !== null)
    .map(n => [n.spec.name, n.obs.rssPeakMB] as const)
  const measured = peaks.filter((p): p is readonly [string, number] => p[1] !== null)
  const s = summary(measured.map(p => p[1]))
  const worst = measured.reduce<readonly [string, number] | null>((w, p) => (w === null || p[1] > w[1] ? p : w), null)
  return {
    name: c.name,
    passed: measured.length > 0 && measured.length === peaks.length && (s.max ?? 0) <= c.maxMB,
    value: {
      nodes: measured.length,
      rssPeakMB: s,
      largest: worst?.[0] ?? null,
      limitMB: c.maxMB,
      // Not judged, but what limits a swarm on a small machine first.
      cpuPercentOfOneCore: summary(
        [...view.nodes.values()].map(n => cpuPercent(n.obs)).filter((v): v is number => v !== null)
      )
    }
  }
}

function decideTraffic(c: Extract<CheckSpec, { kind: 'traffic' }>, view: LabView): CheckResult | null {
  if (!view.ended) return null
  const rate = (n: NodeView, bytes: number | null): number | null => {
    const up = n.obs.metricsUptimeSeconds
    return bytes === null || up === null || up < 1 ? null : Math.round((bytes / up) * 60)
  }
  const rows = [...view.nodes.values()]
    .filter(n => n.obs.metrics !== null)
    .map(n => {
      const m = n.obs.metrics as string
      const all =
        (metricValue(m, 'libp2p_data_transfer_bytes_total', { protocol: 'global sent' }) ?? 0) +
        (metricValue(m, 'libp2p_data_transfer_bytes_total', { protocol: 'global received' }) ?? 0)
      return {
        gossip: rate(n, protocolBytes(m, '/meshsub/')),
        dht: rate(n, protocolBytes(m, '/l2d2c/kad/')),
        announce: rate(
          n,
          (metricValue(m, 'l2d2c_bytes', { protocol: 'announce', direction: 'sent' }) ?? 0) +
            (metricValue(m, 'l2d2c_bytes', { protocol: 'announce', direction: 'received' }) ?? 0)
        ),
        all: rate(n, all)
      }
    })
  const col = (k: 'gossip' | 'dht' | 'announce' | 'all'): number[] =>
    rows.map(r => r[k]).filter((v): v is number => v !== null)
  const gossip = summary(col('gossip'))
  const started = [...view.nodes.values()].filter(n => n.firstServing !== null).length
  return {
    name: c.name,
    passed:
      rows.length > 0 &&
      rows.length === started &&
      (c.maxGossipBytesPerMinute === null || (gossip.max ?? 0) <= c.maxGossipBytesPerMinute),
    value: {
      nodes: rows.length,
      unit: 'bytes per node per minute (sent + received)',
      gossipsub: gossip,
      dht: summary(col('dht')),
      announcements: summary(col('announce')),
      allLibp2p: summary(col('all'))
    }
  }
}

function decideProbe(c: Extract<CheckSpec, { kind: 'fetch-latency' }>, view: LabView): CheckResult | null {
  const p = view.probes.get(c.name)
  if (p === undefined || !p.done) {
    if (!view.ended) return null
    return { name: c.name, passed: false, value: { why: `${c.to} never held ${c.task}, or the probes did not finish` } }
  }
  return {
    name: c.name,
    passed: p.okMs.length >= Math.ceil(c.count / 2),
    value: {
      from: c.from,
      to: c.to,
      ok: p.okMs.length,
      failed: p.failures.length,
      p50Ms: percentile(p.okMs, 0.5),
      p99Ms: percentile(p.okMs, 0.99),
      ...(p.failures.length > 0 ? { failures: [...new Set(p.failures)].slice(0, 3) } : {})
    }
  }
}

/**
 * Decides one check, or null while it is still open. A failure the topology expects
 * (`expectFailure`) is reported as failed with `expectedFailure: true` and the topology's
 * reason in its value; such a check does not fail the run (runFailed).
 */
export function decideCheck(
  c: CheckSpec & { readonly expectFailure?: string | null },
  view: LabView
): CheckResult | null {
  const r = decideOne(c, view)
  if (r === null || r.passed || c.expectFailure === undefined || c.expectFailure === null) return r
  return { ...r, value: { ...(r.value as object), expectedFailure: true, expectedBecause: c.expectFailure } }
}

/** A failed check the topology said would fail (decideCheck marked it). */
export function expectedFailure(c: CheckResult): boolean {
  return !c.passed && (c.value as { expectedFailure?: unknown } | null)?.expectedFailure === true
}

/** Whether a run's checks fail it: any failed check that was not an expected failure. */
export function runFailed(checks: readonly CheckResult[]): boolean {
  return checks.some(c => !c.passed && !expectedFailure(c))
}

function decideOne(c: CheckSpec, view: LabView): CheckResult | null {
  switch (c.kind) {
    case 'connected':
      return decideConnected(c, view)
    case 'adopted':
      return decideAdopted(c, view)
    case 'direct':
      return decideDirect(c, view)
    case 'relayed':
      return decideRelayed(c, view)
    case 'adopted-over-relay':
      return decideAdoptedOverRelay(c, view)
    case 'holds':
      return decideHolds(c, view)
    case 'no-masks-lost':
      return decideNoMasksLost(c, view)
    case 'collective-target':
      return decideTarget(c, view)
    case 'memory':
      return decideMemory(c, view)
    case 'traffic':
      return decideTraffic(c, view)
    case 'fetch-latency':
      return decideProbe(c, view)
  }
}

/** Checks decided only when the run ends (they measure the whole run). */
export function decidedAtEnd(c: CheckSpec): boolean {
  return c.kind === 'no-masks-lost' || c.kind === 'memory' || c.kind === 'traffic'
}
