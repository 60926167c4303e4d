import type { Io } from './output.js'

/**
 * Progress lines on stderr (never stdout, which carries the result). On a TTY one line is
 * rewritten in place; otherwise lines are throttled so logs stay readable.
 */
export class Progress {
  private last = 0
  private readonly tty: boolean

  constructor(
    private readonly io: Io,
    private readonly intervalMs = 2000,
    private readonly now: () => number = Date.now
  ) {
    this.tty = (io.stderr as { isTTY?: boolean }).isTTY === true
  }

  update(line: string, force = false): void {
    const t = this.now()
    if (!force && t - this.last < (this.tty ? 200 : this.intervalMs)) return
    this.last = t
    if (this.tty) this.io.stderr.write(`\r\x1b[2K${line}`)
    else this.io.stderr.write(`${line}\n`)
  }

  done(line?: string): void {
    if (this.tty) this.io.stderr.write('\r\x1b[2K')
    if (line !== undefined) this.io.stderr.write(`${line}\n`)
  }
}
