import { pino, type Logger as PinoLogger } from 'pino'
import pretty from 'pino-pretty'

/**
 * The root logger of a long-running command, created once here (docs/architecture.md §1): pino
 * JSON lines by default, human-readable when the output is a terminal (or asked for).
 */
export function createRootLogger(opts: {
  level: string
  format: 'auto' | 'json' | 'pretty'
  name?: string
  /** Also write every JSON line here (the daemon's dashboard keeps the last ones). */
  tail?: { write: (line: string) => unknown }
}): PinoLogger {
  const stream = process.stdout
  const usePretty = opts.format === 'pretty' || (opts.format === 'auto' && stream.isTTY === true)
  const base = {
    level: opts.level,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    base: { pid: process.pid }
  }
  const out = usePretty
    ? pretty({
        destination: stream,
        colorize: stream.isTTY === true,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname',
        sync: true
      })
    : pino.destination({ dest: 1, sync: true })
  if (opts.tail === undefined) return pino(base, out)
  // Every stream at the logger's own level: the tail sees the lines stdout sees, as JSON.
  return pino(
    base,
    pino.multistream([
      { stream: out, level: opts.level as pino.Level },
      { stream: opts.tail, level: opts.level as pino.Level }
    ])
  )
}
