import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { CliError, ExitCode } from '../exit-codes.js'
import { DAEMON_OPTIONS, envLayer, optionDefault, optionHelp } from '../options/daemon-options.js'
import type { Io } from '../output.js'

type Agent = typeof import('@l2d2c/agent')

interface DaemonOptions {
  config?: string
  checkConfig?: boolean
}

// No commander default for list flags: the configuration's defaults apply instead.
const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v]
// A repeated comma-list flag adds to the earlier values (commander would keep only the last).
const joinCommaLists = (v: string, prev: string | undefined): string => (prev === undefined ? v : `${prev},${v}`)

/** The other form of a negatable boolean flag: --x for --no-x and the reverse. */
const oppositeFlag = (flag: string): string =>
  flag.startsWith('--no-') ? flag.replace(/^--no-/, '--') : flag.replace(/^--/, '--no-')

/** The flags given on the command line, in the configuration's shape (flags are the top layer). */
function flagLayer(cmd: Command, agent: Agent): Record<string, unknown> {
  const layer: Record<string, unknown> = {}
  const values = cmd.opts()
  for (const o of DAEMON_OPTIONS) {
    const name = new Option(o.flag).attributeName()
    // Only what was typed: commander's own defaults ([] for lists, true for --no-x) are not a layer.
    if (cmd.getOptionValueSource(name) === 'cli') agent.setInLayer(layer, o.path, values[name])
  }
  return layer
}

/** Registers one option per daemon setting, with its default and variable in the help. */
function addSettingOptions(cmd: Command, agent: Agent): void {
  for (const o of DAEMON_OPTIONS) {
    const def = optionDefault(o, agent)
    // A --no-x flag sets its variable's false, which means the opposite of the flag's name.
    const variable = o.flag.startsWith('--no-') ? `$${o.env}=false` : `$${o.env}`
    const help = `${optionHelp(o, agent)} (${def !== '' ? `default ${def}; ` : ''}${variable})`
    if (o.list === 'repeat') cmd.option(o.flag, help, collect)
    else if (o.list === 'comma') cmd.option(o.flag, help, joinCommaLists)
    else cmd.option(o.flag, help)
    // Defined after o.flag: for a --no-x flag commander's implied default (true, source
    // 'default') stays out of flagLayer, and for --x no default is set at all.
    if (o.negatable === true) cmd.option(oppositeFlag(o.flag), `the opposite of ${o.flag}`)
  }
}

export async function runDaemon(f: DaemonOptions, flags: Record<string, unknown>, agent: Agent, io: Io): Promise<void> {
  let file: unknown
  if (f.config !== undefined) {
    const text = await readFile(f.config, 'utf8').catch((err: Error) => {
      throw new CliError(`cannot read config file ${f.config as string}: ${err.message}`, ExitCode.USAGE)
    })
    try {
      file = JSON.parse(text)
    } catch (err) {
      throw new CliError(`config file ${f.config}: not valid JSON: ${(err as Error).message}`, ExitCode.USAGE)
    }
  }
  let config: ReturnType<Agent['resolveDaemonConfig']>
  try {
    const env = envLayer(io.env ?? {}, agent)
    config = agent.resolveDaemonConfig({ file, env, flags, readFile: p => readFileSync(p, 'utf8') })
  } catch (err) {
    if (err instanceof agent.ConfigError) throw new CliError(`invalid configuration: ${err.message}`, ExitCode.USAGE)
    throw err
  }
  if (f.checkConfig === true) {
    io.stdout.write(`${JSON.stringify(config, null, 2)}\n`)
    return
  }
  const { createRootLogger } = await import('../logger.js') // pino: only the daemon needs it
  const logger = createRootLogger({ level: config.log.level, format: config.log.format, name: 'l2d2c' })
  let daemon: Awaited<ReturnType<Agent['Daemon']['start']>>
  try {
    daemon = await agent.Daemon.start(config, logger)
  } catch (err) {
    if (err instanceof agent.DataDirLockedError) throw new CliError(err.message, ExitCode.UNAVAILABLE)
    if (err instanceof agent.NodeConfigError)
      throw new CliError(`cannot start the p2p node: ${err.message}`, ExitCode.USAGE)
    if (err instanceof agent.PeerKeyError) throw new CliError(`peer key: ${err.message}`, ExitCode.UNAVAILABLE)
    if (err instanceof agent.SwarmKeyError) throw new CliError(`swarm key: ${err.message}`, ExitCode.UNAVAILABLE)
    if (err instanceof agent.ControlListenError) throw new CliError(err.message, ExitCode.USAGE)
    throw err
  }
  // A signal that came during Daemon.start has already aborted: a listener added now would never run.
  const stop = (): void => {
    void daemon.stop()
  }
  if (io.signal?.aborted === true) stop()
  else io.signal?.addEventListener('abort', stop, { once: true })
  await daemon.done
}

/**
 * The daemon command. Its options are options/daemon-options.ts, whose help states the
 * defaults and choices of @l2d2c/agent's settings; importing that package takes over a second,
 * so run() loads it only when the daemon command is asked for and passes null otherwise (the
 * command is still listed).
 */
export function registerDaemonCommand(program: Command, io: Io, agent: Agent | null): void {
  const cmd = program
    .command('daemon')
    .description('run an l2d2c node (learner or evaluator) with its control API; see README "Daemon"')
    .option('--config <file>', 'JSON configuration file (flags > L2D2C_* env > file > defaults)')
    .option('--check-config', 'print the resolved configuration as JSON and exit')
  if (agent === null) return
  addSettingOptions(cmd, agent)
  cmd.action(async (o: DaemonOptions, c: Command) => {
    await runDaemon(o, flagLayer(c, agent), agent, io)
  })
}
