import type { LogLine } from '@l2d2c/protocol'
import { withDefaults } from '../util/defaults.js'

export interface LogTailOptions {
  readonly lines: number
  readonly fieldChars: number
}

export const DEFAULT_LOG_TAIL: LogTailOptions = {
  /** Lines kept: a screenful or two of recent history for the dashboard. */
  lines: 200,
  /** A line's extra fields are cut to this many characters (a stack trace stays readable, a blob does not grow the page). */
  fieldChars: 600
}

/** pino's own fields, shown by the page in their own columns (or not at all). */
const OWN_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name', 'v'])

/**
 * The last lines of the daemon's log, for the dashboard's log tail. It is a stream pino writes
 * its JSON lines to (next to stdout), so it sees exactly what the log holds: nothing secret is
 * logged, so nothing secret is here. Bounded: the oldest line goes first.
 */
export class LogTail {
  private readonly buffer: LogLine[] = []
  private readonly opts: LogTailOptions

  constructor(init: Partial<LogTailOptions> = {}) {
    this.opts = withDefaults(DEFAULT_LOG_TAIL, init)
  }

  /** pino's stream interface: one or more JSON lines per call. */
  write(chunk: string): boolean {
    for (const text of chunk.split('\n')) {
      if (text.trim() === '') continue
      this.add(text)
    }
    return true
  }

  /** The lines kept, oldest first, at or above a pino level (10 trace … 60 fatal). */
  lines(minLevel = 0): LogLine[] {
    return this.buffer.filter(l => l.level >= minLevel)
  }

  private add(text: string): void {
    let line: LogLine
    try {
      const o = JSON.parse(text) as Record<string, unknown>
      const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !OWN_FIELDS.has(k)))
      const fields = Object.keys(rest).length > 0 ? JSON.stringify(rest) : ''
      line = {
        time: typeof o.time === 'number' ? o.time : 0,
        level: typeof o.level === 'number' ? o.level : 30,
        msg: typeof o.msg === 'string' ? o.msg : '',
        fields: fields.length > this.opts.fieldChars ? `${fields.slice(0, this.opts.fieldChars)}…` : fields
      }
    } catch {
      line = { time: 0, level: 30, msg: text.slice(0, this.opts.fieldChars), fields: '' }
    }
    this.buffer.push(line)
    if (this.buffer.length > this.opts.lines) this.buffer.shift()
  }
}
