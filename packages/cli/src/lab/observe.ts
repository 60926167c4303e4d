import { open } from 'node:fs/promises'
import type { EvaluationDocument, MasksDocument, PeersDocument, StatusDocument } from '@l2d2c/protocol'

/**
 * What the lab learns about each node while it runs: the control API's documents (latest),
 * first sightings (a peer connected, a task held), adoptions and errors read from the
 * daemon's JSON log, memory samples and the final /metrics. The parsers here are pure.
 */

export interface AdoptionEvent {
  /** Run seconds. */
  readonly atSeconds: number
  readonly task: string
  /** Peer id the mask was fetched from. */
  readonly fromPeer: string
  /** The adopter's own evaluation of it. */
  readonly verified: number | null
  /** Query sent → verified mask in hand (learners log it). */
  latencyMs: number | null
}

export interface NodeObservation {
  status: StatusDocument | null
  peers: PeersDocument | null
  masks: MasksDocument | null
  evaluation: EvaluationDocument | null
  readonly adoptions: AdoptionEvent[]
  /** The last error-level log messages. */
  readonly errors: string[]
  /** Run seconds of each "daemon started" line: when the node was up (before the lab's next poll noticed). */
  readonly daemonStarts: number[]
  /** Run seconds a peer (by id) was first seen connected (directly or through a relay). */
  readonly connectedSince: Map<string, number>
  /** Run seconds a peer was first seen connected directly (not through a relay). */
  readonly directSince: Map<string, number>
  /** Run seconds a task's mask was first seen held, and with which origin. */
  readonly heldSince: Map<string, number>
  /** Peak and latest resident memory (MB). */
  rssPeakMB: number | null
  rssLastMB: number | null
  /** CPU use of the current process: first and latest sample (run seconds, CPU seconds). */
  cpuFirst: { pid: number; at: number; cpu: number } | null
  cpuLast: { at: number; cpu: number } | null
  /** /metrics of the last process, scraped before the stop, and its uptime then. */
  metrics: string | null
  metricsUptimeSeconds: number | null
}

export function emptyObservation(): NodeObservation {
  return {
    status: null,
    peers: null,
    masks: null,
    evaluation: null,
    adoptions: [],
    errors: [],
    daemonStarts: [],
    connectedSince: new Map(),
    directSince: new Map(),
    heldSince: new Map(),
    rssPeakMB: null,
    rssLastMB: null,
    cpuFirst: null,
    cpuLast: null,
    metrics: null,
    metricsUptimeSeconds: null
  }
}

/** Records what a fresh set of documents shows for the first time. */
export function recordDocuments(
  o: NodeObservation,
  nowSeconds: number,
  docs: { status?: StatusDocument; peers?: PeersDocument; masks?: MasksDocument; evaluation?: EvaluationDocument }
): void {
  if (docs.status !== undefined) o.status = docs.status
  if (docs.peers !== undefined) {
    o.peers = docs.peers
    for (const p of docs.peers.peers) {
      if (!p.connected) continue
      if (!o.connectedSince.has(p.peerId)) o.connectedSince.set(p.peerId, nowSeconds)
      if (connectionKind(p) === 'direct' && !o.directSince.has(p.peerId)) o.directSince.set(p.peerId, nowSeconds)
    }
  }
  if (docs.masks !== undefined) {
    o.masks = docs.masks
    for (const m of docs.masks.masks) if (!o.heldSince.has(m.taskKey)) o.heldSince.set(m.taskKey, nowSeconds)
  }
  if (docs.evaluation !== undefined) o.evaluation = docs.evaluation
}

/**
 * How a connected peer is connected. Today's node has only TCP, so every connection is direct;
 * a node with relays reports the kind per peer in `peers --json` (a `connection` field here:
 * the NAT-traversal work must keep this one function in step with the field it adds).
 */
export function connectionKind(entry: object): 'direct' | 'relayed' {
  const kind = (entry as { connection?: unknown }).connection
  return kind === 'relayed' ? 'relayed' : 'direct'
}

interface LogRecord {
  time?: number
  level?: number
  msg?: string
  task?: string
  from?: string
  verified?: number
  latencyMs?: number
  err?: string
}

const MAX_ERRORS = 5

/** Folds daemon log lines (pino JSON) into the observation; other lines (stderr text) are ignored. */
export function recordLogLines(o: NodeObservation, lines: readonly string[], runStartMs: number): void {
  for (const line of lines) {
    if (!line.startsWith('{')) continue
    let r: LogRecord
    try {
      r = JSON.parse(line) as LogRecord
    } catch {
      continue
    }
    const at = typeof r.time === 'number' ? Math.round((r.time - runStartMs) / 100) / 10 : 0
    if (r.msg === 'daemon started') o.daemonStarts.push(at)
    else if (r.msg === 'adopting mask' && typeof r.task === 'string' && typeof r.from === 'string') {
      o.adoptions.push({
        atSeconds: at,
        task: r.task,
        fromPeer: r.from,
        verified: typeof r.verified === 'number' ? r.verified : null,
        latencyMs: null
      })
    } else if (r.msg === 'adopted mask' && typeof r.latencyMs === 'number') {
      // The learner's own line after installing it carries the latency of the same round.
      const a = [...o.adoptions].reverse().find(x => x.task === r.task && x.fromPeer === r.from && x.latencyMs === null)
      if (a !== undefined) a.latencyMs = Math.round(r.latencyMs)
    } else if ((r.level ?? 0) >= 50) {
      o.errors.push(`${r.msg ?? 'error'}${r.err !== undefined ? `: ${r.err}` : ''}`.slice(0, 300))
      if (o.errors.length > MAX_ERRORS) o.errors.shift()
    }
  }
}

/** Reads a growing log file from where the last call stopped, in whole lines. */
export class LogTail {
  private offset = 0
  private partial = ''

  constructor(readonly file: string) {}

  async read(): Promise<string[]> {
    const fh = await open(this.file, 'r').catch(() => null)
    if (fh === null) return []
    try {
      const { size } = await fh.stat()
      if (size <= this.offset) return []
      const buf = Buffer.alloc(size - this.offset)
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset)
      this.offset += bytesRead
      const text = this.partial + buf.subarray(0, bytesRead).toString('utf8')
      const lines = text.split('\n')
      this.partial = lines.pop() ?? ''
      return lines
    } finally {
      await fh.close()
    }
  }
}

/**
 * The value of one Prometheus series in /metrics text (`name{a="x",b="y"} 12`): labels must
 * match those given (others may be present). Null when the series is absent.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = new Map<string, string>()
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      have.set(l[1] as string, l[2] as string)
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) {
      const v = Number(m[4])
      return Number.isFinite(v) ? v : null
    }
  }
  return null
}

/**
 * Sent + received bytes of the libp2p protocols whose id starts with `prefix`
 * (libp2p_data_transfer_bytes_total{protocol="<id> sent|received"}), or null if none is listed.
 */
export function protocolBytes(text: string, prefix: string): number | null {
  let total: number | null = null
  for (const m of text.matchAll(/^libp2p_data_transfer_bytes_total\{protocol="([^"]*) (sent|received)"\}\s+(\S+)/gm)) {
    const v = Number(m[3])
    if ((m[1] as string).startsWith(prefix) && Number.isFinite(v)) total = (total ?? 0) + v
  }
  return total
}

/** Average share of one core (%) the current process used between its first and latest sample, or null. */
export function cpuPercent(o: NodeObservation): number | null {
  if (o.cpuFirst === null || o.cpuLast === null || o.cpuLast.at - o.cpuFirst.at < 5) return null
  return Math.round((1000 * (o.cpuLast.cpu - o.cpuFirst.cpu)) / (o.cpuLast.at - o.cpuFirst.at)) / 10
}

/** Percentile (nearest rank) of a list, or null when empty. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}
