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
}): PinoLogger {
  const stream = process.stdout
  const usePretty = opts.format === 'pretty' || (opts.format === 'auto' && stream.isTTY === true)
  const base = {
    level: opts.level,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    base: { pid: process.pid }
  }
  if (usePretty)
    return pino(
      base,
      pretty({
        destination: stream,
        colorize: stream.isTTY === true,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname',
        sync: true
      })
    )
  return pino(base, pino.destination({ dest: 1, sync: true }))
}
