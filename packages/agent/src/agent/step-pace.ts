import { aborted } from '../util/aborted.js'

/**
 * Experiment pacing (docs/reference-fidelity.md §9 D32): a paced learner trains only while its
 * training steps are below a limit that somebody else sets, an experiment runner, which raises
 * it as the slowest learner of the run advances. Learners that share a few cores then advance
 * in env steps together, as if each had a machine of its own: without it, the ones the
 * scheduler favours run ahead and meet tasks before anybody has learned them, which is a
 * property of the machine, not of sharing.
 *
 * Only training waits: the node keeps answering queries, serving masks and running rounds.
 * The limit starts at 0, so a paced learner trains nothing until the runner's first word,
 * and all the learners of a run start together however long their launches took.
 */
export class StepPace {
  private limit = 0
  private readonly waiters = new Set<() => void>()
  /** Whether training is waiting for the limit now. */
  waiting = false
  /** Milliseconds training waited in all (the cost of pacing; the pace route answers with it). */
  waitedMs = 0

  constructor(private readonly now: () => number = Date.now) {}

  /** The training-step limit now (training waits at or beyond it). */
  get untilSteps(): number {
    return this.limit
  }

  /** Sets the limit (any non-negative integer: a runner may lower it too). Wakes training. */
  setUntil(steps: number): void {
    if (!Number.isSafeInteger(steps) || steps < 0)
      throw new RangeError(`a step limit is a non-negative integer, got ${steps}`)
    this.limit = steps
    for (const wake of [...this.waiters]) wake()
  }

  /** Resolves once `steps` is below the limit, or when `signal` aborts (the caller checks it). */
  async before(steps: number, signal?: AbortSignal): Promise<void> {
    if (steps < this.limit || aborted(signal)) return
    const since = this.now()
    this.waiting = true
    try {
      while (steps >= this.limit && !aborted(signal)) {
        await new Promise<void>(resolve => {
          const wake = (): void => {
            this.waiters.delete(wake)
            signal?.removeEventListener('abort', wake)
            resolve()
          }
          this.waiters.add(wake)
          signal?.addEventListener('abort', wake, { once: true })
        })
      }
    } finally {
      this.waiting = false
      this.waitedMs += this.now() - since
    }
  }
}
