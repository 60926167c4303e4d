import { Command, CommanderError } from 'commander'
import { ExitAfterOutput } from './action.js'
import { registerDaemonCommand } from './commands/daemon.js'
import { registerDemoCommand } from './commands/demo.js'
import { registerEnvCommands } from './commands/env.js'
import { registerKeygenCommands } from './commands/keygen.js'
import { registerLabCommand } from './commands/lab.js'
import { registerMaskCommands } from './commands/mask.js'
import { registerQueryCommands } from './commands/query.js'
import { registerTrainCommand } from './commands/train.js'
import { CliError, ExitCode } from './exit-codes.js'
import type { Io } from './output.js'
import { cliVersion } from './version.js'

/** Builds the `l2d2c` command tree. Each command lives in its own module under commands/. */
export function createProgram(io: Io, agent: typeof import('@l2d2c/agent') | null = null): Command {
  const program = new Command()
  program
    .name('l2d2c')
    .description('Lifelong RL agents that share task masks over a peer-to-peer network (L2D2-C).')
    .version(cliVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: s => io.stdout.write(s),
      writeErr: s => io.stderr.write(s)
    })
    .exitOverride()
  registerDaemonCommand(program, io, agent)
  registerDemoCommand(program, io)
  registerEnvCommands(program, io)
  registerMaskCommands(program, io)
  registerTrainCommand(program, io)
  registerQueryCommands(program, io)
  registerKeygenCommands(program, io)
  registerLabCommand(program, io)
  // Subcommands created with .command() inherit exitOverride, configureOutput and
  // showHelpAfterError from the root (commander's copyInheritedSettings).
  return program
}

/** Runs the program on argv and returns the exit code; never calls process.exit itself. */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    // The daemon command's options are @l2d2c/agent's settings table (a slow import, so only when needed).
    const program = createProgram(io, argv.includes('daemon') ? await import('@l2d2c/agent') : null)
    await program.parseAsync(argv, { from: 'user' })
    return ExitCode.OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exitCode 0; usage errors with 1, which we map to 2.
      if (err.exitCode === 0) return ExitCode.OK
      return ExitCode.USAGE
    }
    if (err instanceof ExitAfterOutput) {
      if (err.reason !== null) io.stderr.write(`l2d2c: ${err.reason}\n`)
      return err.exitCode
    }
    if (err instanceof CliError) {
      io.stderr.write(`l2d2c: ${err.message}\n`)
      return err.exitCode
    }
    io.stderr.write(`l2d2c: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    return ExitCode.INTERNAL
  }
}
