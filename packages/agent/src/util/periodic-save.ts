/**
 * Saves a changing document now and then, and once more at stop: `version()` says whether it
 * changed since the last save, so a busy node (an evaluator's rounds change its reputation
 * book every few seconds) writes its file at most every `intervalMs`, not on every change. A
 * failed save is reported and retried at the next tick. start()/stop() are idempotent; stop()
 * runs a last save if anything changed.
 */
export class PeriodicSave {
  private timer: ReturnType<typeof setInterval> | null = null
  private saved: number
  private saving: Promise<void> | null = null

  constructor(
    private readonly c: {
      /** Bumped by the owner on every change. */
      readonly version: () => number
      readonly save: () => Promise<void>
      readonly failed: (err: unknown) => void
      readonly intervalMs: number
    }
  ) {
    this.saved = c.version()
  }

  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => {
      void this.flush()
    }, this.c.intervalMs)
    this.timer.unref?.()
  }

  /** Saves now if the document changed since the last save (one save at a time). */
  async flush(): Promise<void> {
    if (this.saving !== null) await this.saving
    const version = this.c.version()
    if (version === this.saved) return
    this.saving = this.c
      .save()
      .then(
        () => {
          this.saved = version
        },
        (err: unknown) => {
          this.c.failed(err)
        }
      )
      .finally(() => {
        this.saving = null
      })
    await this.saving
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.flush()
  }
}
