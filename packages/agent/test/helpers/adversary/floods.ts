import type { OfferStatus } from '@l2d2c/protocol'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { LOST, MaskExchangeClient, newRequestId } from '../../../src/network/mask-exchange/client.js'
import { LossInjector } from '../../../src/network/mask-exchange/loss.js'
import { Traffic } from '../../../src/network/mask-exchange/traffic.js'
import { bareNode } from './bare-node.js'

export interface QueryFloodReport {
  sent: number
  answers: Partial<Record<OfferStatus, number>>
  /** Queries whose stream failed (reset by the victim: its per-connection stream limit). */
  failed: number
  ms: number
}

/**
 * A query flooder: `queries` valid queries over one connection (or as many as fit in
 * `durationMs`), `concurrency` at a time (the victim's per-connection stream limit is 8), as
 * fast as the victim answers.
 */
export async function floodQueries(
  attacker: Libp2p,
  victim: PeerId | Multiaddr,
  o: { queries: number; concurrency: number; taskKey: string; backboneId: string; durationMs?: number }
): Promise<QueryFloodReport> {
  const client = new MaskExchangeClient({ dialer: attacker, loss: LossInjector.none(), traffic: new Traffic() })
  const report: QueryFloodReport = { sent: 0, answers: {}, failed: 0, ms: 0 }
  const t0 = performance.now()
  const until = t0 + (o.durationMs ?? Number.POSITIVE_INFINITY)
  let next = 0
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.queries && performance.now() < until) {
        next++
        report.sent++
        try {
          const offer = await client.query(
            victim,
            { requestId: newRequestId(), taskKey: o.taskKey, reward: null, backboneId: o.backboneId },
            { timeoutMs: 5000 }
          )
          if (offer === LOST) continue
          report.answers[offer.status] = (report.answers[offer.status] ?? 0) + 1
        } catch {
          report.failed++
        }
      }
    })
  )
  report.ms = performance.now() - t0
  return report
}

export interface ConnectionExhaustReport {
  attempted: number
  /** Dials that succeeded, and connections still open after the victim had its say. */
  dialled: number
  stillOpen: number
  ms: number
}

/**
 * A connection exhauster: `identities` fresh identities (one bare node each) dial the victim
 * from this host at once. Admission (caps per host, per peer, in total) is the victim's
 * connection manager's: this reports what it let in and kept. The nodes stay connected until
 * `release` is called.
 */
export async function exhaustConnections(
  victim: Multiaddr,
  o: { identities: number; settleMs: number }
): Promise<ConnectionExhaustReport & { release: () => Promise<void> }> {
  const t0 = performance.now()
  const nodes = await Promise.all(Array.from({ length: o.identities }, async () => await bareNode()))
  await Promise.all(nodes.map(async n => await n.start()))
  let dialled = 0
  await Promise.all(
    nodes.map(async n => {
      try {
        await n.dial(victim, { signal: AbortSignal.timeout(10_000) })
        dialled++
      } catch {
        /* refused or timed out */
      }
    })
  )
  await new Promise(resolve => setTimeout(resolve, o.settleMs))
  const stillOpen = nodes.filter(n => n.getConnections().length > 0).length
  return {
    attempted: o.identities,
    dialled,
    stillOpen,
    ms: performance.now() - t0,
    release: async () => {
      await Promise.all(
        nodes.map(async n => {
          await Promise.resolve(n.stop()).catch(() => {})
        })
      )
    }
  }
}
