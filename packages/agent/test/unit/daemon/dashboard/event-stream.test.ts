import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventStream, type EventSink } from '../../../../src/daemon/dashboard/event-stream.js'

/** A response that records what it was sent; `ready` false makes it report backpressure. */
class FakeSink implements EventSink {
  status = 0
  chunks: string[] = []
  ended = false
  ready = true
  private readonly listeners = new Map<string, Array<() => void>>()
  writeHead(status: number): void {
    this.status = status
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk)
    return this.ready
  }
  end(): void {
    this.ended = true
  }
  once(event: 'close' | 'drain', listener: () => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
  }
  emit(event: 'close' | 'drain'): void {
    const ls = this.listeners.get(event) ?? []
    this.listeners.delete(event)
    for (const l of ls) l()
  }
  get snapshots(): number {
    return this.chunks.filter(c => c.startsWith('event: snapshot')).length
  }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Lets the stream's pending snapshot promise settle. */
const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0)
}

describe('EventStream (the dashboard SSE)', () => {
  it('refuses clients beyond its bound, writing nothing to them', () => {
    const stream = new EventStream(
      async () => ({}),
      () => {},
      { maxClients: 2 }
    )
    const sinks = [new FakeSink(), new FakeSink(), new FakeSink()]
    expect(sinks.map(s => stream.add(s))).toEqual([true, true, false])
    expect(sinks[2]?.status).toBe(0)
    expect(sinks[2]?.chunks).toEqual([])
    expect(stream.size).toBe(2)
    stream.stop()
  })

  it('produces one snapshot per interval for all clients, whatever their number', async () => {
    let produced = 0
    const stream = new EventStream(
      async () => ({ n: ++produced }),
      () => {},
      { intervalMs: 1_000, maxClients: 5 }
    )
    const sinks = Array.from({ length: 4 }, () => new FakeSink())
    for (const s of sinks) stream.add(s)
    await settle()
    expect(produced).toBe(1) // the first client's immediate snapshot; the others got it too
    await vi.advanceTimersByTimeAsync(5_000)
    expect(produced).toBe(6)
    for (const s of sinks) {
      expect(s.status).toBe(200)
      expect(s.snapshots).toBeGreaterThanOrEqual(5)
      expect(s.snapshots).toBeLessThanOrEqual(6)
    }
    expect(sinks[0]?.chunks.at(-1)).toBe('event: snapshot\ndata: {"n":6}\n\n')
    stream.stop()
  })

  it('a closed tab is released at once, and with the last one the snapshots stop', async () => {
    let produced = 0
    const stream = new EventStream(
      async () => ({ n: ++produced }),
      () => {},
      { intervalMs: 1_000, maxClients: 1 }
    )
    const a = new FakeSink()
    expect(stream.add(a)).toBe(true)
    expect(stream.add(new FakeSink())).toBe(false)
    await vi.advanceTimersByTimeAsync(2_000)
    a.emit('close')
    expect(stream.size).toBe(0)
    const before = produced
    await vi.advanceTimersByTimeAsync(10_000)
    expect(produced).toBe(before) // nobody listens: nothing is produced
    expect(stream.add(new FakeSink())).toBe(true) // the slot is free again
    stream.stop()
  })

  it('skips a client that has not drained instead of buffering for it', async () => {
    const stream = new EventStream(
      async () => ({}),
      () => {},
      { intervalMs: 1_000 }
    )
    const slow = new FakeSink()
    slow.ready = false
    stream.add(slow)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(slow.snapshots).toBe(0) // the retry line already did not drain
    slow.ready = true
    slow.emit('drain')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(slow.snapshots).toBe(1)
    stream.stop()
  })

  it('reports a failing snapshot and goes on; stop() ends every client and refuses new ones', async () => {
    const errors: string[] = []
    let fail = true
    const stream = new EventStream(
      async () => {
        if (fail) throw new Error('boom')
        return {}
      },
      err => errors.push(err.message),
      { intervalMs: 1_000 }
    )
    const a = new FakeSink()
    stream.add(a)
    await settle()
    expect(errors).toEqual(['boom'])
    fail = false
    await vi.advanceTimersByTimeAsync(1_000)
    expect(a.snapshots).toBe(1)
    stream.stop()
    expect(a.ended).toBe(true)
    expect(stream.add(new FakeSink())).toBe(false)
  })
})
