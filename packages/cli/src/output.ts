import type { Writable } from 'node:stream'

/** Where a command writes: stdout for results only, stderr for diagnostics and progress. */
export interface Io {
  stdout: Writable
  stderr: Writable
  /** Aborted on the first SIGINT/SIGTERM: long commands stop gracefully (bin.ts owns signals). */
  signal?: AbortSignal
  /** Environment variables (L2D2C_*), injectable for tests. */
  env?: NodeJS.ProcessEnv
}

/** What a command handler returns: data for `--json`, and the same data rendered for humans. */
export interface CommandOutput<T = unknown> {
  data: T
  human: (data: T) => string
  /** Non-zero when the command produced a document but still failed (e.g. a corrupt file). */
  exitCode?: number
}

/** The single place that writes results to stdout: exactly one JSON document, or human text. */
export function render<T>(io: Io, out: CommandOutput<T>, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(out.data, null, 2)}\n`)
  } else {
    const text = out.human(out.data)
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }
}

/** Renders rows as an aligned plain-text table. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map(r => r.map(c => (c === null || c === undefined ? '-' : String(c))))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map(r => (r[i] ?? '').length)))
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(headers), line(widths.map(w => '-'.repeat(w))), ...cells.map(line)].join('\n')
}
