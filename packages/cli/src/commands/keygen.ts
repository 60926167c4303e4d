import type { Command } from 'commander'
import { action } from '../action.js'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'

/**
 * `l2d2c keygen swarm-key --out FILE`: a new random key for a private swarm, in libp2p's PSK
 * format, written atomically with mode 0600. It never replaces an existing file without
 * --force: a node given a new key is cut off its swarm.
 */
export function registerKeygenCommands(program: Command, io: Io): void {
  const keygen = program.command('keygen').description('generate keys')
  keygen
    .command('swarm-key')
    .description('a new swarm key: give the same file to every node of a private swarm (daemon --swarm-key)')
    .requiredOption('--out <file>', 'where to write it (mode 0600)')
    .option('--force', 'replace an existing file')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: { out: string; force?: boolean }) => {
        const agent = await import('@l2d2c/agent')
        let key: Awaited<ReturnType<typeof agent.writeNewSwarmKey>>
        try {
          key = await agent.writeNewSwarmKey(opts.out, { force: opts.force === true })
        } catch (err) {
          if (err instanceof agent.SwarmKeyError)
            throw new CliError(err.message, err.code === 'EXISTS' ? ExitCode.USAGE : ExitCode.UNAVAILABLE)
          throw err
        }
        const data = { file: opts.out, fingerprint: key.fingerprint, mode: '0600' }
        return {
          data,
          human: (d: typeof data) =>
            `wrote a new swarm key to ${d.file} (mode ${d.mode}, fingerprint ${d.fingerprint}).\nCopy it to every node of the swarm over a private channel and start each with --swarm-key ${d.file}; keep it secret.`
        }
      })
    )
}
