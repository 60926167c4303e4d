import { isProtocolError } from '@l2d2c/protocol'
import { CliError, ExitCode } from '../exit-codes.js'

type Agent = typeof import('@l2d2c/agent')

/** Dials a remote node directly (no local daemon) and maps failures to exit codes. */
export async function withRemote<T>(
  peerAddr: string,
  timeoutMs: number,
  fn: (ctx: import('@l2d2c/agent').RemoteContext & { agent: Agent }) => Promise<T>
): Promise<T> {
  const agent = await import('@l2d2c/agent')
  try {
    return await agent.withRemoteNode(peerAddr, timeoutMs, async ctx => await fn({ ...ctx, agent }))
  } catch (err) {
    if (err instanceof CliError) throw err
    if (err instanceof agent.RemoteAddressError) throw new CliError(`--peer: ${err.message}`, ExitCode.USAGE)
    if (err instanceof agent.RemoteRefusal) throw new CliError(err.message, ExitCode.REMOTE)
    if (isProtocolError(err)) {
      if (err.code === 'TIMEOUT')
        throw new CliError(`the peer did not answer in time: ${err.message}`, ExitCode.TIMEOUT)
      if (err.code === 'STREAM_CLOSED' || err.code === 'ABORTED')
        throw new CliError(`cannot talk to the peer: ${err.message}`, ExitCode.REMOTE)
      throw new CliError(`the peer sent invalid data (${err.code}): ${err.message}`, ExitCode.REMOTE)
    }
    throw err
  }
}
