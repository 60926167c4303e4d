import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'

interface DaemonFlags {
  config?: string
  checkConfig?: boolean
  dataDir?: string
  peerKeyFile?: string
  listen: string[]
  announce: string[]
  bootstrap: string[]
  mdns?: boolean
  api?: string
  role?: string
  tasks?: string
  curriculum?: string
  agentIndex?: string
  stepsPerTask?: string
  seed?: string
  backboneSeed?: string
  backend?: string
  maskInit?: string
  preset?: string
  encoding?: string
  drop?: string
  dropMode?: string
  commPerTask?: string
  hysteresis?: string
  queryWindowMs?: string
  sharing?: boolean
  evalEpisodes?: string
  evalEverySteps?: string
  evalIntervalMs?: string
  evalGreedy?: boolean
  announceIntervalMs?: string
  exitWhenDone?: boolean
  logLevel?: string
  logFormat?: string
}

const collect = (v: string, prev: string[]): string[] => [...prev, v]

/** Flags in the configuration's shape (only what was given: flags are the top layer). */
function flagLayer (f: DaemonFlags): Record<string, unknown> {
  const layer: Record<string, unknown> = {}
  const set = (path: string, v: unknown): void => {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) return
    const [a, b] = path.split('.') as [string, string | undefined]
    if (b === undefined) layer[a] = v
    else layer[a] = { ...(layer[a] as object | undefined), [b]: v }
  }
  set('dataDir', f.dataDir); set('peerKeyFile', f.peerKeyFile); set('listen', f.listen); set('announce', f.announce); set('bootstrap', f.bootstrap)
  set('mdns', f.mdns); set('api', f.api); set('role', f.role); set('tasks', f.tasks); set('curriculum', f.curriculum)
  set('agentIndex', f.agentIndex); set('stepsPerTask', f.stepsPerTask); set('seed', f.seed); set('backboneSeed', f.backboneSeed)
  set('backend', f.backend); set('maskInit', f.maskInit); set('preset', f.preset); set('encoding', f.encoding)
  set('sharing.drop', f.drop); set('sharing.dropMode', f.dropMode); set('sharing.commPerTask', f.commPerTask)
  set('sharing.hysteresis', f.hysteresis); set('sharing.windowMs', f.queryWindowMs); set('sharing.enabled', f.sharing === false ? false : undefined)
  set('evaluation.episodes', f.evalEpisodes); set('evaluation.everySteps', f.evalEverySteps); set('evaluation.intervalMs', f.evalIntervalMs); set('evaluation.greedy', f.evalGreedy)
  set('announceIntervalMs', f.announceIntervalMs); set('exitWhenDone', f.exitWhenDone); set('log.level', f.logLevel); set('log.format', f.logFormat)
  return layer
}

export async function runDaemon (f: DaemonFlags, io: Io): Promise<void> {
  const agent = await import('@l2d2c/agent')
  let file: unknown
  if (f.config !== undefined) {
    const text = await readFile(f.config, 'utf8').catch((err: Error) => { throw new CliError(`cannot read config file ${f.config as string}: ${err.message}`, ExitCode.USAGE) })
    try { file = JSON.parse(text) } catch (err) { throw new CliError(`config file ${f.config}: not valid JSON: ${(err as Error).message}`, ExitCode.USAGE) }
  }
  let config
  try {
    config = agent.resolveDaemonConfig({ file, env: io.env ?? {}, flags: flagLayer(f), readFile: p => readFileSync(p, 'utf8') })
  } catch (err) {
    if (err instanceof agent.ConfigError) throw new CliError(`invalid configuration: ${err.message}`, ExitCode.USAGE)
    throw err
  }
  if (f.checkConfig === true) {
    io.stdout.write(JSON.stringify(config, null, 2) + '\n')
    return
  }
  const { createRootLogger } = await import('../logger.js') // pino: only the daemon needs it
  const logger = createRootLogger({ level: config.log.level, format: config.log.format, name: 'l2d2c' })
  const daemon = new agent.Daemon(config, logger)
  try {
    await daemon.start()
  } catch (err) {
    if (err instanceof agent.DataDirLockedError) throw new CliError(err.message, ExitCode.UNAVAILABLE)
    if (err instanceof agent.NodeConfigError) throw new CliError(`cannot start the p2p node: ${err.message}`, ExitCode.USAGE)
    if (err instanceof agent.PeerKeyError) throw new CliError(`peer key: ${err.message}`, ExitCode.UNAVAILABLE)
    if (err instanceof agent.ControlListenError) throw new CliError(err.message, ExitCode.USAGE)
    throw err
  }
  // A signal that came during start() has already aborted: a listener added now would never run.
  const stop = (): void => { void daemon.stop() }
  if (io.signal?.aborted === true) stop()
  else io.signal?.addEventListener('abort', stop, { once: true })
  await daemon.done
}

export function registerDaemonCommand (program: Command, io: Io): void {
  program.command('daemon')
    .description('run an l2d2c node (learner or evaluator) with its control API; see README "Daemon"')
    .option('--config <file>', 'JSON configuration file (flags > L2D2C_* env > file > defaults)')
    .option('--check-config', 'print the resolved configuration as JSON and exit')
    .option('--data-dir <dir>', 'where the peer key, masks and state live ($L2D2C_DATA_DIR)')
    .option('--peer-key-file <file>', 'use this existing peer key (fixed peer id) instead of <data-dir>/peer.key')
    .option('--listen <multiaddr>', 'listen address, repeatable (default /ip4/127.0.0.1/tcp/0)', collect, [])
    .option('--announce <multiaddr>', 'address to advertise instead, repeatable', collect, [])
    .option('--bootstrap <multiaddr>', 'peer to connect to (with /p2p/ID), repeatable', collect, [])
    .option('--mdns', 'discover peers by mDNS (only on private networks)')
    .option('--no-mdns', 'do not discover peers by mDNS (the default)')
    .option('--api <host:port>', 'control API address (loopback) or unix:/path (default 127.0.0.1:0)')
    .option('--role <role>', 'learner | evaluator (default learner)')
    .option('--tasks <keys>', 'curriculum shorthand: comma-separated task keys, or meta-ctgraph')
    .option('--curriculum <file>', 'curriculum JSON document')
    .option('--agent-index <i>', 'which agent of --curriculum this node is (default 0)')
    .option('--steps-per-task <n>', 'env steps per task (default 25600 or the curriculum\'s)')
    .option('--seed <n>', 'learner seed (default 1)')
    .option('--backbone-seed <n>', 'shared backbone seed (default 9157)')
    .option('--backend <b>', 'auto | wasm | cpu | node')
    .option('--mask-init <m>', 'random | lc | blc')
    .option('--preset <p>', 'PPO preset: default | reference')
    .option('--encoding <e>', 'mask encoding to fetch: bits | f16 | f32 (default bits)')
    .option('--drop <p>', 'drop each outbound message with probability p (experiments)')
    .option('--drop-mode <m>', 'all | queries (the reference dropped queries only)')
    .option('--comm-per-task <n>', 'sharing rounds per task besides the first (default 5)')
    .option('--hysteresis <h>', 'share only masks better by this factor (default 0.9)')
    .option('--query-window-ms <ms>', 'how long a round collects offers (default 500)')
    .option('--no-sharing', 'never ask peers for masks (still serve own masks)')
    .option('--eval-episodes <n>', 'episodes per evaluation (default 25)')
    .option('--eval-every-steps <n>', 'env steps between evaluations (default 1280)')
    .option('--eval-interval-ms <ms>', 'evaluator: time between evaluation cycles (default 5000)')
    .option('--eval-greedy', 'evaluate with greedy actions (default: sampled, as the reference)')
    .option('--no-eval-greedy', 'evaluate with sampled actions (the default)')
    .option('--announce-interval-ms <ms>', 'inventory re-announcement period (default 10000)')
    .option('--exit-when-done', 'exit after the curriculum instead of serving masks')
    .option('--log-level <level>', 'trace | debug | info | warn | error | silent')
    .option('--log-format <f>', 'auto | json | pretty')
    .action(async (f: DaemonFlags) => { await runDaemon(f, io) })
}
