/**
 * Message-loss injection for experiments (docs/reference-fidelity.md §4.2). Every outbound message a
 * node would send passes through shouldDrop(kind); a dropped message is simply not sent (a
 * request is never written, a response is replaced by closing the stream), so the other side
 * sees exactly what a lost message looks like. Mode 'all' drops every message type with
 * probability p; a mode named after one message type drops only that type ('queries' is what the
 * released reference did), so an experiment can tell which loss hurts sharing.
 */
export type OutboundKind = 'query' | 'offer' | 'fetch' | 'transfer' | 'announce' | 'inventory'

/** The message type each single-type mode drops. */
const MODE_KIND = {
  queries: 'query',
  offers: 'offer',
  fetches: 'fetch',
  transfers: 'transfer',
  announcements: 'announce',
  inventories: 'inventory'
} as const satisfies Record<string, OutboundKind>

export type LossMode = 'all' | keyof typeof MODE_KIND

export const LOSS_MODES: readonly LossMode[] = ['all', ...(Object.keys(MODE_KIND) as Array<keyof typeof MODE_KIND>)]

/** Every message type is subject to loss (the reference's released code dropped queries only). */
export const DEFAULT_LOSS_MODE: LossMode = 'all'

export interface LossOptions {
  readonly probability: number
  readonly mode?: LossMode
}

export class LossInjector {
  readonly probability: number
  readonly mode: LossMode
  private readonly dropped = new Map<OutboundKind, number>()
  private readonly sent = new Map<OutboundKind, number>()

  /**
   * `random` is a seeded uniform [0, 1) source (never Math.random: experiments must replay).
   * `exempt(peer)` spares messages to peers that only measure (evaluators): as in the
   * reference, loss experiments cut learner-to-learner transfer, not the measurement.
   */
  constructor(
    opts: LossOptions,
    private readonly random: () => number,
    private readonly exempt: (peerId: string) => boolean = () => false
  ) {
    if (!(opts.probability >= 0 && opts.probability <= 1))
      throw new RangeError(`drop probability must be in [0, 1], got ${opts.probability}`)
    this.probability = opts.probability
    this.mode = opts.mode ?? DEFAULT_LOSS_MODE
  }

  static none(): LossInjector {
    return new LossInjector({ probability: 0 }, () => 1)
  }

  shouldDrop(kind: OutboundKind, peerId?: string): boolean {
    const applies =
      this.probability > 0 &&
      (this.mode === 'all' || MODE_KIND[this.mode] === kind) &&
      (peerId === undefined || !this.exempt(peerId))
    const drop = applies && this.random() < this.probability
    const counter = drop ? this.dropped : this.sent
    counter.set(kind, (counter.get(kind) ?? 0) + 1)
    return drop
  }

  counts(): Record<OutboundKind, { sent: number; dropped: number }> {
    const kinds: OutboundKind[] = ['query', 'offer', 'fetch', 'transfer', 'announce', 'inventory']
    return Object.fromEntries(
      kinds.map(k => [k, { sent: this.sent.get(k) ?? 0, dropped: this.dropped.get(k) ?? 0 }])
    ) as Record<OutboundKind, { sent: number; dropped: number }>
  }
}
