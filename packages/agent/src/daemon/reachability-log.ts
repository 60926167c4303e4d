import type { Logger } from '../logging/logger.js'
import type { NatStatus } from '../network/nat-service.js'
import { unreachableAdvice } from '../network/reachability.js'
import { withDefaults } from '../util/defaults.js'

export const DEFAULT_REACHABILITY_LOG = {
  /**
   * The first verdict waits this long after start: AutoNAT needs a few peers and a relay
   * reservation a few round trips, and a warning that is over a second later helps nobody.
   */
  settleMs: 20_000,
  /** Then the verdict is looked at this often; only a change is logged. */
  intervalMs: 10_000
}

/**
 * Tells the operator, in the daemon's log, whether other hosts can dial this node: once the
 * first verdict has settled and again whenever it changes (reachability, or relay addresses
 * gained or lost). A node nobody can dial gets a warning that says why and how to fix it.
 */
export class ReachabilityLog {
  private readonly timings: typeof DEFAULT_REACHABILITY_LOG
  private timer: ReturnType<typeof setTimeout> | null = null
  private last = ''

  constructor(
    private readonly c: { status: () => NatStatus; logger: Logger },
    init: Partial<typeof DEFAULT_REACHABILITY_LOG> = {}
  ) {
    this.timings = withDefaults(DEFAULT_REACHABILITY_LOG, init)
  }

  start(): void {
    if (this.timer !== null) return
    this.timer = setTimeout(() => this.tick(), this.timings.settleMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private tick(): void {
    if (this.timer === null) return
    this.report()
    this.timer = setTimeout(() => this.tick(), this.timings.intervalMs)
    this.timer.unref?.()
  }

  /** Logs the current verdict if it differs from the last one logged. */
  report(): void {
    const s = this.c.status()
    const key = `${s.reachability}|${s.relayAddrs.join(',')}`
    if (key === this.last) return
    this.last = key
    const fields = { reachability: s.reachability, reason: s.reason, relayAddrs: s.relayAddrs }
    const advice = unreachableAdvice(s, s.relayAddrs)
    if (advice !== null && s.relayAddrs.length === 0) this.c.logger.warn(fields, advice)
    else if (advice !== null) this.c.logger.info(fields, advice)
    else this.c.logger.info(fields, `reachability: ${s.reachability}`)
  }
}
