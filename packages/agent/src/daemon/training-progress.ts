import type { AgentObserver } from '../agent/agent-config.js'
import type { DaemonMetrics } from './metrics.js'

/** Recent (time, total steps) samples the status document's steps/s is measured over. */
const STEP_RATE_SAMPLES = 64

/** What the status document says of training, fed by the agent's observer. */
export class TrainingProgress {
  adopted = 0
  private readonly samples: Array<{ t: number; steps: number }> = []

  constructor(
    private readonly metrics: DaemonMetrics,
    private readonly now: () => number
  ) {}

  readonly observer: AgentObserver = {
    iteration: (stats, ctx) => {
      this.metrics.steps.inc(stats.steps)
      this.metrics.episodes.inc(stats.episodes)
      this.metrics.iterations.inc()
      this.samples.push({ t: this.now(), steps: ctx.totalSteps })
      if (this.samples.length > STEP_RATE_SAMPLES) this.samples.shift()
    },
    evaluated: steps => {
      this.metrics.evalSteps.inc(steps)
    },
    adopted: () => {
      this.metrics.adoptions.inc()
      this.adopted++
    },
    round: r => {
      this.metrics.queryRounds.inc({
        outcome: r.adopted !== null ? 'adopted' : r.offers > 0 ? 'rejected' : 'no-offer'
      })
    }
  }

  /** Env steps per second over the recent samples (0 before two samples). */
  stepsPerSecond(): number {
    const a = this.samples[0]
    const b = this.samples.at(-1)
    return a !== undefined && b !== undefined && b.t > a.t ? (b.steps - a.steps) / ((b.t - a.t) / 1000) : 0
  }
}
