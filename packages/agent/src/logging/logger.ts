/**
 * The logging interface components receive (docs/architecture.md §1: injected, never module-level).
 * It is the subset of pino's API we use, so a pino logger satisfies it directly; tests and
 * libraries pass `silentLogger`.
 */
export interface LogFn {
  (obj: object, msg?: string): void
  (msg: string): void
}

export interface Logger {
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  child: (bindings: Record<string, unknown>) => Logger
}

const noop: LogFn = () => {}

export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger
}
