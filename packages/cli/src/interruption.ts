/**
 * Notes the first SIGINT/SIGTERM (io.signal, owned by bin.ts) until disposed, including one
 * that came before it was created. Long commands (demo, experiment) poll it: they launch
 * nothing more, stop their daemons and still write what they measured.
 */
export class Interruption {
  interrupted: boolean
  private readonly onAbort = (): void => {
    this.interrupted = true
  }

  constructor(private readonly signal: AbortSignal | undefined) {
    this.interrupted = signal?.aborted === true
    if (!this.interrupted) signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}
