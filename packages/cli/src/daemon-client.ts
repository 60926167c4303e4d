import { readFile } from 'node:fs/promises'
import { ControlClient, ControlError, DATA_DIR_FILES, dataDirPaths, type DaemonDiscovery } from '@l2d2c/protocol'
import { Option } from 'commander'
import { CliError, ExitCode } from './exit-codes.js'
import type { Io } from './output.js'

export interface DaemonTargetOptions {
  dataDir?: string
  api?: string
  tokenFile?: string
  /** Refused: a token on the command line shows in `ps` to every user of the machine. */
  token?: string
}

/**
 * Reads a daemon's discovery file and API token from its data dir: null while there is no
 * discovery file (no daemon, or not started yet); token null when there is no token file.
 */
export async function readDiscovery(
  dataDir: string
): Promise<{ discovery: DaemonDiscovery; token: string | null } | null> {
  const paths = dataDirPaths(dataDir)
  const text = await readFile(paths.discovery, 'utf8').catch(() => null)
  if (text === null) return null
  let discovery: DaemonDiscovery
  try {
    discovery = JSON.parse(text) as DaemonDiscovery
  } catch {
    throw new CliError(`${paths.discovery} is not valid JSON`, ExitCode.UNAVAILABLE)
  }
  const token = await readToken(dataDir)
  return { discovery, token }
}

/** The control-API token in a data dir; null when there is none (no file, or empty). */
async function readToken(dataDir: string): Promise<string | null> {
  const token = (await readFile(dataDirPaths(dataDir).token, 'utf8').catch(() => '')).trim()
  return token === '' ? null : token
}

/** The token in --token-file (first line, trimmed). */
async function readTokenFile(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw new CliError(`--token-file: cannot read ${path}: ${err.message}`, ExitCode.UNAVAILABLE)
  })
  const token = text.split(/\r?\n/)[0]?.trim() ?? ''
  if (token === '') throw new CliError(`--token-file: ${path} is empty`, ExitCode.USAGE)
  return token
}

/**
 * Finds the local daemon: --api HOST:PORT (or unix:/path), else the discovery file in
 * --data-dir / L2D2C_DATA_DIR. The token comes from --token-file, L2D2C_API_TOKEN or the data
 * dir, never from the command line itself (every local user can read it there, in `ps`).
 */
export async function daemonClient(opts: DaemonTargetOptions, io: Io): Promise<ControlClient> {
  const env = io.env ?? {}
  const dataDir = opts.dataDir ?? env.L2D2C_DATA_DIR
  if (opts.token !== undefined)
    throw new CliError(
      '--token is not accepted: a token on the command line is visible to every user in ps. Use --token-file FILE, L2D2C_API_TOKEN, or --data-dir (the token is read from its api.token)',
      ExitCode.USAGE
    )
  let token = opts.tokenFile !== undefined ? await readTokenFile(opts.tokenFile) : env.L2D2C_API_TOKEN
  let url: string
  if (opts.api !== undefined) {
    url = opts.api.startsWith('unix:') || opts.api.startsWith('http') ? opts.api : `http://${opts.api}`
    if (token === undefined && dataDir !== undefined) token = (await readToken(dataDir)) ?? undefined
  } else {
    if (dataDir === undefined)
      throw new CliError('no daemon given: use --data-dir DIR (or L2D2C_DATA_DIR) or --api HOST:PORT', ExitCode.USAGE)
    const found = await readDiscovery(dataDir)
    if (found === null)
      throw new CliError(
        `no daemon is running with data dir ${dataDir} (no ${DATA_DIR_FILES.discovery})`,
        ExitCode.UNAVAILABLE
      )
    url = found.discovery.api
    token ??= found.token ?? undefined
  }
  return new ControlClient({ url, ...(token !== undefined ? { token } : {}) })
}

/** Maps control-API failures to the documented exit codes. */
export function controlFailure(err: unknown): never {
  if (err instanceof ControlError) {
    if (err.kind === 'unreachable') throw new CliError(`${err.message} (is the daemon running?)`, ExitCode.UNAVAILABLE)
    if (err.kind === 'timeout') throw new CliError(err.message, ExitCode.TIMEOUT)
    if (err.kind === 'unauthorized')
      throw new CliError(`${err.message}: pass --token-file, L2D2C_API_TOKEN or --data-dir`, ExitCode.UNAVAILABLE)
    throw new CliError(err.message, ExitCode.REMOTE)
  }
  throw err
}

export function addDaemonTargetOptions<
  T extends { option: (flags: string, description: string) => T; addOption: (option: Option) => T }
>(cmd: T): T {
  return (
    cmd
      .option('--data-dir <dir>', 'data dir of the local daemon (default: $L2D2C_DATA_DIR)')
      .option('--api <host:port>', 'control API address of the daemon (instead of --data-dir)')
      .option(
        '--token-file <file>',
        'file holding the control API token (default: $L2D2C_API_TOKEN, or api.token in the data dir)'
      )
      // Kept only to refuse it with the reason (see daemonClient), not shown in the help.
      .addOption(new Option('--token <token>').hideHelp())
  )
}
