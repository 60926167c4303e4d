import { isProtocolError } from '@l2d2c/protocol'
import { CliError, ExitCode } from '../exit-codes.js'

type Agent = typeof import('@l2d2c/agent')

/** The remote commands' shared options. */
export interface RemoteFlags {
  /** The private swarm's key file (`--swarm-key`). */
  swarmKey?: string
}

/** Adds --swarm-key to a command that dials a remote node. */
export function addSwarmKeyOption<T extends { option: (flags: string, description: string) => T }>(cmd: T): T {
  return cmd.option(
    '--swarm-key <file>',
    "the swarm key file, when the node is in a private swarm (the daemon's --swarm-key)"
  )
}

/**
 * Dials a remote node directly (no local daemon) and maps failures to exit codes. A swarm key
 * mismatch looks like any failed handshake to libp2p (the bytes are noise to the other side),
 * so a connection failure says what to check.
 */
export async function withRemote<T>(
  peerAddr: string,
  timeoutMs: number,
  fn: (ctx: import('@l2d2c/agent').RemoteContext & { agent: Agent }) => Promise<T>,
  flags: RemoteFlags = {}
): Promise<T> {
  const agent = await import('@l2d2c/agent')
  const keyHint =
    flags.swarmKey !== undefined
      ? ` (is the node in the swarm of ${flags.swarmKey}? A node with another swarm key, or none, cannot be reached)`
      : ' (if the node runs a private swarm, pass its key with --swarm-key)'
  try {
    return await agent.withRemoteNode(
      peerAddr,
      timeoutMs,
      async ctx => await fn({ ...ctx, agent }),
      flags.swarmKey !== undefined ? { swarmKeyFile: flags.swarmKey } : {}
    )
  } catch (err) {
    if (err instanceof CliError) throw err
    if (err instanceof agent.RemoteAddressError) throw new CliError(`--peer: ${err.message}`, ExitCode.USAGE)
    if (err instanceof agent.SwarmKeyError)
      throw new CliError(
        `--swarm-key: ${err.message}`,
        err.code === 'MALFORMED' ? ExitCode.USAGE : ExitCode.UNAVAILABLE
      )
    if (err instanceof agent.RemoteRefusal) throw new CliError(err.message, ExitCode.REMOTE)
    if (isProtocolError(err)) {
      if (err.code === 'TIMEOUT')
        throw new CliError(`the peer did not answer in time: ${err.message}${keyHint}`, ExitCode.TIMEOUT)
      if (err.code === 'STREAM_CLOSED' || err.code === 'ABORTED')
        throw new CliError(`cannot talk to the peer: ${err.message}${keyHint}`, ExitCode.REMOTE)
      throw new CliError(`the peer sent invalid data (${err.code}): ${err.message}`, ExitCode.REMOTE)
    }
    throw err
  }
}
