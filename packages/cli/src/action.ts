import { ExitCode } from './exit-codes.js'
import { render, type CommandOutput, type Io } from './output.js'

/** Thrown after a result was rendered, to end the command with a non-zero exit code. */
export class ExitAfterOutput extends Error {
  constructor(
    readonly exitCode: number,
    readonly reason: string | null
  ) {
    super(reason ?? `exit ${exitCode}`)
    this.name = 'ExitAfterOutput'
  }
}

/**
 * Wraps a command handler: it returns data, this renders it (JSON or human) to stdout, and
 * turns a non-zero exitCode into an ExitAfterOutput for run() to honour.
 */
export function action<A extends unknown[]>(
  io: Io,
  // biome-ignore lint/suspicious/noExplicitAny: each command renders its own data type; `unknown` would not accept them (contravariant render)
  handler: (...args: A) => Promise<CommandOutput<any> & { reason?: string }>
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const opts = args.find((a, i) => i === args.length - 2 && typeof a === 'object' && a !== null) as
      | { json?: boolean }
      | undefined
    const out = await handler(...args)
    render(io, out, opts?.json === true)
    if (out.exitCode !== undefined && out.exitCode !== ExitCode.OK)
      throw new ExitAfterOutput(out.exitCode, out.reason ?? null)
  }
}
