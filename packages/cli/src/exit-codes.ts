/** Documented process exit codes of the `l2d2c` binary (see README, "Exit codes"). */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** An unexpected internal error (a bug): please report it. */
  INTERNAL: 1,
  /** Bad usage or invalid configuration (flags, config file, environment variables). */
  USAGE: 2,
  /** Something needed is unavailable or corrupt: local daemon unreachable, unreadable or corrupt file. */
  UNAVAILABLE: 3,
  /** A remote peer answered with an error, refused the request or sent invalid data. */
  REMOTE: 4,
  /** A network operation timed out. */
  TIMEOUT: 5,
  /** `l2d2c lab`: the topology ran, but some of its checks failed. */
  CHECKS_FAILED: 6,
  /** Interrupted by SIGINT/SIGTERM (the demo's partial result, or a forced exit on the second signal). */
  INTERRUPTED: 130
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** An error that carries the exit code the CLI should end with, and a message for stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue
  ) {
    super(message)
    this.name = 'CliError'
  }
}
