import { createWriteStream, type WriteStream } from 'node:fs'
import type { Io } from '../output.js'

/**
 * The run's clock and its log (lab.log: every command and event with its run time; the
 * lines marked `show` also go to stderr as progress).
 */

/**
 * Run time in seconds. Time 0 moves once, to when the initial nodes serve (restart); what was
 * recorded before is then shifted by the returned amount, so every reported time has one origin.
 */
export class RunClock {
  private t0 = Date.now()
  setupSeconds = 0
  readonly now = (): number => (Date.now() - this.t0) / 1000
  get t0Ms(): number {
    return this.t0
  }
  restart(): number {
    const shift = this.now()
    this.t0 = Date.now()
    this.setupSeconds = shift
    return shift
  }
}

export class RunLog {
  private readonly stream: WriteStream
  constructor(
    file: string,
    private readonly clock: () => number,
    private readonly io: Io
  ) {
    this.stream = createWriteStream(file, { flags: 'a' })
  }
  line(text: string, show = false): void {
    const t = this.clock().toFixed(1).padStart(6)
    this.stream.write(`${t}s ${text}\n`)
    if (show) this.io.stderr.write(`lab ${t}s ${text}\n`)
  }
  async close(): Promise<void> {
    await new Promise<void>(resolve => this.stream.end(resolve))
  }
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
