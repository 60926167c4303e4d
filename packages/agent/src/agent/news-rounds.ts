/**
 * Sharing rounds triggered by news: a holder new for a task the node still needs was announced
 * (docs/reference-fidelity.md §9 D31). The reference asks only on its schedule, so a node whose
 * scheduled rounds all ran before the holder's announcement arrived never asks it; here the
 * news itself starts a round, bounded:
 * - at most one news round per task per `minGapMs` (an announcement flood cannot make a node run
 *   rounds nonstop: news in between is folded into one round at the end of the gap);
 * - never while a round for that task runs (scheduled or not): the news waits for it to end,
 *   then one round runs, if the task is still needed then;
 * - only while `needs(task, claim)` says so (checked when the news arrives and again when its
 *   round is due: an adoption in between ends the need).
 * Clock and timers come in, so the rules are tested without waiting.
 */
export interface NewsRoundsConfig {
  /** The least time (ms) between the starts of two news rounds for one task. */
  readonly minGapMs: number
  readonly now: () => number
  /** Runs `fn` after `ms`; returns its cancel. */
  readonly after: (ms: number, fn: () => void) => () => void
  /** Whether the node still wants a mask for the task that a holder claims `claim` for. */
  readonly needs: (taskKey: string, claim: number) => boolean
  /** Whether a round for the task is running now (any round, not only news rounds). */
  readonly busy: (taskKey: string) => boolean
  /** Runs a round for the task (its outcome is the caller's business; a failure is swallowed). */
  readonly round: (taskKey: string) => Promise<void>
}

/** Five seconds: a few query windows, so a swarm's worth of announcements costs a few rounds, not one each. */
export const DEFAULT_NEWS_GAP_MS = 5_000

interface TaskNews {
  /** The best claim heard since the last news round started (what the round is for). */
  claim: number | null
  lastStart: number | null
  cancel: (() => void) | null
  running: boolean
}

export class NewsRounds {
  private readonly tasks = new Map<string, TaskNews>()
  private stopped = false
  /** News rounds started (for logs and tests). */
  started = 0

  constructor(private readonly c: NewsRoundsConfig) {}

  private entry(taskKey: string): TaskNews {
    let t = this.tasks.get(taskKey)
    if (t === undefined) {
      t = { claim: null, lastStart: null, cancel: null, running: false }
      this.tasks.set(taskKey, t)
    }
    return t
  }

  /** A holder claiming `claim` for the task was announced. */
  heard(taskKey: string, claim: number): void {
    if (this.stopped || !this.c.needs(taskKey, claim)) return
    const t = this.entry(taskKey)
    t.claim = Math.max(t.claim ?? claim, claim)
    this.arm(taskKey, t)
  }

  /** A round for the task ended (any round): news waiting for it may go now. */
  roundEnded(taskKey: string): void {
    const t = this.tasks.get(taskKey)
    if (t !== undefined && t.claim !== null && !t.running) this.arm(taskKey, t)
  }

  /** Cancels what is waiting; nothing starts after this. */
  stop(): void {
    this.stopped = true
    for (const t of this.tasks.values()) {
      t.cancel?.()
      t.cancel = null
    }
  }

  /** Schedules the task's round at the end of its gap (at once if the gap is over), unless one is due or running. */
  private arm(taskKey: string, t: TaskNews): void {
    if (this.stopped || t.cancel !== null || t.running) return
    const wait = t.lastStart === null ? 0 : Math.max(0, t.lastStart + this.c.minGapMs - this.c.now())
    t.cancel = this.c.after(wait, () => {
      t.cancel = null
      this.fire(taskKey, t)
    })
  }

  private fire(taskKey: string, t: TaskNews): void {
    const claim = t.claim
    if (this.stopped || claim === null) return
    if (!this.c.needs(taskKey, claim)) {
      t.claim = null
      return
    }
    // Another round for the task is running: it asks the holders known now; the news waits for
    // its end (roundEnded), then runs if still needed.
    if (this.c.busy(taskKey)) return
    t.claim = null
    t.running = true
    t.lastStart = this.c.now()
    this.started++
    void this.c
      .round(taskKey)
      .catch(() => {})
      .finally(() => {
        t.running = false
        this.roundEnded(taskKey)
      })
  }
}
