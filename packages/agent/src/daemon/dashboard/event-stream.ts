import { withDefaults } from '../../util/defaults.js'

export interface EventStreamOptions {
  readonly maxClients: number
  readonly intervalMs: number
}

export const DEFAULT_EVENT_STREAM: EventStreamOptions = {
  /** Open dashboards at once: a few tabs on one machine; more is a leak or a misbehaving client. */
  maxClients: 8,
  /** At most one snapshot a second: the page's numbers move no faster, and it costs the daemon little. */
  intervalMs: 1_000
}

export type EventStreamInit = Partial<EventStreamOptions>

/** The part of an HTTP response an event stream writes to (a ServerResponse has it). */
export interface EventSink {
  writeHead: (status: number, headers: Record<string, string>) => unknown
  write: (chunk: string) => boolean
  end: () => unknown
  once: (event: 'close' | 'drain', listener: () => void) => unknown
}

/**
 * Server-Sent Events for the dashboard, bounded in rate and in clients. One snapshot is produced
 * per interval for all clients (never one per client), only while a client is connected; a
 * client whose socket is not draining is skipped rather than buffered for; a closed tab is
 * removed at once, and the timer stops with the last one.
 */
export class EventStream {
  private readonly clients = new Map<EventSink, { ready: boolean }>()
  private readonly opts: EventStreamOptions
  private timer: NodeJS.Timeout | null = null
  private latest: string | null = null
  private producing = false
  private stopped = false

  constructor(
    /** The snapshot to send (JSON-serialisable); called at most once per interval. */
    private readonly produce: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
    init: EventStreamInit = {}
  ) {
    this.opts = withDefaults(DEFAULT_EVENT_STREAM, init)
  }

  get size(): number {
    return this.clients.size
  }

  /**
   * Starts streaming to a client: false (nothing written) when the stream is full or stopped,
   * for the caller to answer 503. The client gets the latest snapshot at once when there is one.
   */
  add(sink: EventSink): boolean {
    if (this.stopped || this.clients.size >= this.opts.maxClients) return false
    sink.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive'
    })
    const state = { ready: true }
    this.clients.set(sink, state)
    // The browser reconnects after this long if the daemon goes away and comes back.
    this.send(sink, state, `retry: ${this.opts.intervalMs * 3}\n\n`)
    sink.once('close', () => {
      this.clients.delete(sink)
      if (this.clients.size === 0) this.pause()
    })
    if (this.latest !== null) this.send(sink, state, this.latest)
    if (this.timer === null) {
      this.timer = setInterval(() => {
        void this.tick()
      }, this.opts.intervalMs)
      if (this.latest === null) void this.tick()
    }
    return true
  }

  /** Ends every client and refuses new ones. */
  stop(): void {
    this.stopped = true
    this.pause()
    for (const sink of this.clients.keys()) sink.end()
    this.clients.clear()
  }

  private pause(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    this.latest = null // stale by the time someone connects again
  }

  private async tick(): Promise<void> {
    if (this.producing || this.clients.size === 0) return // a slow snapshot is not overlapped
    this.producing = true
    try {
      const event = `event: snapshot\ndata: ${JSON.stringify(await this.produce())}\n\n`
      if (this.clients.size === 0) return
      this.latest = event
      for (const [sink, state] of this.clients) this.send(sink, state, event)
    } catch (err) {
      this.onError(err as Error)
    } finally {
      this.producing = false
    }
  }

  private send(sink: EventSink, state: { ready: boolean }, event: string): void {
    if (!state.ready) return // still flushing an earlier event: skip this one
    state.ready = sink.write(event)
    if (!state.ready)
      sink.once('drain', () => {
        state.ready = true
      })
  }
}
