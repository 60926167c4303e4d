import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../logging/logger.js'
import { withDefaults } from '../util/defaults.js'
import { parsePeerAddress } from './peer-address.js'
import type { PeerDirectory } from './peer-directory.js'

export interface RedialerTimings {
  /** How often lost bootstrap peers and known peers are redialled. */
  readonly intervalMs: number
  /** Known peers redialled per tick at most (bootstrap peers always are): stays well under maxConnections. */
  readonly maxPerTick: number
  /**
   * A bootstrap peer that keeps failing is redialled after 1, 2, 4, … intervals, at most this
   * long apart: a dead bootstrap host is not hammered, and one that comes back is found within
   * this long. Any success resets it.
   */
  readonly maxBootstrapBackoffMs: number
}

export const DEFAULT_REDIALER: RedialerTimings = {
  intervalMs: 15_000,
  maxPerTick: 16,
  maxBootstrapBackoffMs: 240_000
}

/** Each bootstrap peer's backoff: failures in a row, and the time before which it is not redialled. */
interface Backoff {
  failures: number
  notBefore: number
}

export interface RedialerInit extends Partial<RedialerTimings> {
  /** Multiaddrs (with /p2p/) to keep connected to: redialled whenever lost. */
  readonly bootstrap?: readonly string[]
}

export interface RedialerComponents {
  /** Who is connected, and a dial bounded by the node's dial timeout. */
  node: Pick<Libp2p, 'dial' | 'getPeers'>
  directory: PeerDirectory
  logger: Logger
  now: () => number
}

/**
 * Keeps the agent connected: every interval, redials bootstrap peers and l2d2c peers we lost (a
 * bounded number per tick, least recently seen last), and prunes those that keep failing.
 * Several bootstrap peers are each redialled on their own exponential backoff, so none is a
 * single point of failure and a dead one is not hammered. start()/stop() are idempotent.
 */
export class Redialer {
  private readonly timings: RedialerTimings
  private readonly bootstrap: ReadonlyArray<{ id: string; addr: Multiaddr; backoff: Backoff }>
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly c: RedialerComponents,
    init: RedialerInit = {}
  ) {
    this.timings = withDefaults(DEFAULT_REDIALER, init)
    this.bootstrap = (init.bootstrap ?? []).flatMap(text => {
      try {
        const { multiaddr: addr, peerId: id } = parsePeerAddress(text)
        return [{ id, addr, backoff: { failures: 0, notBefore: 0 } }]
      } catch {
        return [] /* validated by the config layer */
      }
    })
  }

  /** Starts the periodic redial, with a first one at once. */
  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => {
      void this.redial()
    }, this.timings.intervalMs)
    this.timer.unref?.()
    void this.redial()
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  private async redial(): Promise<void> {
    if (this.timer === null) return
    const { node, directory, logger } = this.c
    const connected = new Set(node.getPeers().map(p => p.toString()))
    const now = this.c.now()
    for (const b of this.bootstrap) if (connected.has(b.id)) b.backoff.failures = 0
    const targets: Array<{ id: string; target: PeerId | Multiaddr; backoff?: Backoff }> = this.bootstrap
      .filter(b => !connected.has(b.id) && now >= b.backoff.notBefore)
      .map(b => ({ id: b.id, target: b.addr, backoff: b.backoff }))
    const known = directory
      .list()
      .filter(r => !connected.has(r.peerId) && directory.worthRedialling(r) && !targets.some(t => t.id === r.peerId))
      .slice(0, this.timings.maxPerTick)
    for (const r of known) {
      try {
        targets.push({ id: r.peerId, target: peerIdFromString(r.peerId) })
      } catch {
        directory.remove(r.peerId)
      }
    }
    await Promise.all(
      targets.map(async t => {
        try {
          // Bounded by the node's dialTimeout; a PeerId is dialled on the peer store's addresses.
          await node.dial(t.target)
          directory.seen(t.id, this.c.now())
          if (t.backoff !== undefined) t.backoff.failures = 0
        } catch (err) {
          directory.failed(t.id)
          if (t.backoff !== undefined) {
            t.backoff.failures++
            const wait = Math.min(
              this.timings.intervalMs * 2 ** (t.backoff.failures - 1),
              this.timings.maxBootstrapBackoffMs
            )
            // the next tick after `wait` (less a little, so a wait of one interval is the next tick)
            t.backoff.notBefore = now + wait - this.timings.intervalMs / 2
          }
          logger.debug({ peer: t.id, err: (err as Error).message }, 'redial failed')
        }
      })
    )
    const live = new Set(node.getPeers().map(p => p.toString()))
    for (const gone of directory.prune(this.c.now(), id => live.has(id))) {
      logger.info({ peer: gone }, 'pruned unreachable peer')
    }
  }
}
