import { varintLength } from '@l2d2c/protocol/framing'

/**
 * Counters of what crossed the wire at the application level, per protocol and direction,
 * plus latency samples of the operations users care about (for /metrics and benchmarks).
 */
export type TrafficProtocol = 'query' | 'mask' | 'inventory' | 'announce'

export interface TrafficSnapshot {
  bytes: Record<TrafficProtocol, { sent: number; received: number }>
  /**
   * Of those, the query and mask bytes that ran over relayed (limited) connections: what this
   * node's exchange put through Circuit Relay v2 relays (docs/protocol.md §5.6).
   */
  relayed: { sent: number; received: number }
  messages: Record<TrafficProtocol, { sent: number; received: number }>
  latencies: Record<string, { count: number; p50: number | null; p99: number | null }>
}

const PROTOCOLS: TrafficProtocol[] = ['query', 'mask', 'inventory', 'announce']
const MAX_SAMPLES = 2048

export class Traffic {
  private readonly bytes = new Map<string, number>()
  private readonly messages = new Map<string, number>()
  private readonly samples = new Map<string, number[]>()
  private readonly relayedBytes = { sent: 0, received: 0 }

  sent(protocol: TrafficProtocol, bytes: number): void {
    this.add(protocol, 'sent', bytes)
  }
  received(protocol: TrafficProtocol, bytes: number): void {
    this.add(protocol, 'received', bytes)
  }

  /** Bytes of a query or transfer (already counted by `sent`/`received`) that crossed a relayed connection. */
  relayed(dir: 'sent' | 'received', bytes: number): void {
    this.relayedBytes[dir] += bytes
  }

  private add(protocol: TrafficProtocol, dir: 'sent' | 'received', bytes: number): void {
    const k = `${protocol}:${dir}`
    this.bytes.set(k, (this.bytes.get(k) ?? 0) + bytes)
    this.messages.set(k, (this.messages.get(k) ?? 0) + 1)
  }

  /** Records one latency sample in ms (a bounded ring of the most recent samples). */
  latency(name: string, ms: number): void {
    let s = this.samples.get(name)
    if (s === undefined) {
      s = []
      this.samples.set(name, s)
    }
    s.push(ms)
    if (s.length > MAX_SAMPLES) s.shift()
  }

  snapshot(): TrafficSnapshot {
    const pick = (m: Map<string, number>): Record<TrafficProtocol, { sent: number; received: number }> =>
      Object.fromEntries(
        PROTOCOLS.map(p => [p, { sent: m.get(`${p}:sent`) ?? 0, received: m.get(`${p}:received`) ?? 0 }])
      ) as Record<TrafficProtocol, { sent: number; received: number }>
    const latencies: TrafficSnapshot['latencies'] = {}
    for (const [name, s] of this.samples)
      latencies[name] = { count: s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99) }
    return { bytes: pick(this.bytes), relayed: { ...this.relayedBytes }, messages: pick(this.messages), latencies }
  }
}

/** Application bytes of one frame on a stream: the payload and its varint length prefix (what both sides count). */
export function framedLength(payloadBytes: number): number {
  return payloadBytes + varintLength(payloadBytes)
}

export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[idx] as number
}
