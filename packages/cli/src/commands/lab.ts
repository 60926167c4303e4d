import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DATA_DIR_FILES } from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'

/** The repository's topologies (lab/topologies/*.json at the root of the workspace). */
export const TOPOLOGY_DIR = fileURLToPath(new URL('../../../../lab/topologies/', import.meta.url))

interface LabOptions {
  json?: boolean
  keepLogs?: string
  list?: boolean
  cleanStale?: boolean
}

/** A topology name (in TOPOLOGY_DIR) or a path to a file, parsed and validated. */
export async function loadTopology(arg: string): Promise<import('../lab/topology.js').Topology> {
  const { parseTopology, TopologyError } = await import('../lab/topology.js')
  const { parseTaskKey, TaskKeyError } = await import('@l2d2c/agent/envs')
  const file = arg.includes('/') || arg.endsWith('.json') ? arg : join(TOPOLOGY_DIR, `${arg}.json`)
  const text = await readFile(file, 'utf8').catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !arg.includes('/')) {
      const known = (await readdir(TOPOLOGY_DIR).catch(() => [] as string[])).filter(f => f.endsWith('.json'))
      throw new CliError(
        `no topology "${arg}" (known: ${known.map(f => f.slice(0, -5)).join(', ') || 'none'}; or give a file)`,
        ExitCode.USAGE
      )
    }
    throw new CliError(`cannot read topology ${file}: ${err.message}`, ExitCode.USAGE)
  })
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new CliError(`topology ${file}: not valid JSON: ${(err as Error).message}`, ExitCode.USAGE)
  }
  try {
    return parseTopology(doc, {
      defaultName: basename(file, '.json'),
      checkTask: key => {
        try {
          parseTaskKey(key)
          return null
        } catch (err) {
          if (err instanceof TaskKeyError) return err.message
          throw err
        }
      }
    })
  } catch (err) {
    if (err instanceof TopologyError) throw new CliError(`topology ${file}: ${err.message}`, ExitCode.USAGE)
    throw err
  }
}

async function listTopologies(): Promise<Array<{ name: string; nodes: number; description: string }>> {
  const files = (await readdir(TOPOLOGY_DIR).catch(() => [] as string[])).filter(f => f.endsWith('.json')).sort()
  const out: Array<{ name: string; nodes: number; description: string }> = []
  for (const f of files) {
    const t = await loadTopology(join(TOPOLOGY_DIR, f))
    out.push({ name: t.name, nodes: t.nodes.length, description: t.description })
  }
  return out
}

export function registerLabCommand(program: Command, io: Io): void {
  program
    .command('lab')
    .description(
      'run real daemons in an emulated multi-site network (namespaces, NAT, loss, partitions, churn) and check the topology; root and Linux only'
    )
    .argument('[topology]', 'a topology of lab/topologies (e.g. two-nat-sites, churn-short) or a JSON file')
    .option('--json', 'print one JSON document { topology, nodes, checks, passed }')
    .option('--keep-logs <dir>', 'keep data dirs, daemon logs, lab.log and result.json in DIR/<topology>-<run id>')
    .option('--list', 'list the topologies of the repository and exit')
    .option('--clean-stale', 'delete namespaces left behind by lab runs that were killed, and exit')
    .action(
      action(io, async (arg: string | undefined, opts: LabOptions) => {
        const host = await import('../lab/host.js')
        if (opts.list === true) {
          const list = await listTopologies()
          return {
            data: { topologies: list },
            human: (d: { topologies: typeof list }) =>
              table(
                ['topology', 'nodes', 'description'],
                d.topologies.map(t => [t.name, t.nodes, t.description])
              )
          }
        }
        if (opts.cleanStale === true) {
          const why = host.labUnavailableReason()
          if (why !== null) throw new CliError(`lab unavailable: ${why}`, ExitCode.UNAVAILABLE)
          const r = await host.cleanStale()
          return {
            data: r,
            human: (d: typeof r) =>
              `removed ${d.removed.length} stale namespaces${d.removed.length > 0 ? `: ${d.removed.join(', ')}` : ''}; ${d.kept.length} belong to running labs`
          }
        }
        if (arg === undefined) throw new CliError('name a topology (see l2d2c lab --list)', ExitCode.USAGE)
        const topology = await loadTopology(arg)
        const why = host.labUnavailableReason()
        if (why !== null) throw new CliError(`lab unavailable: ${why}`, ExitCode.UNAVAILABLE)
        const { runLab } = await import('../lab/run.js')
        const { humanLabResult } = await import('../lab/report.js')
        const agent = await import('@l2d2c/agent')
        const envs = await import('@l2d2c/agent/envs')
        const started = performance.now()
        const outcome = await runLab(
          topology,
          {
            keepLogs: opts.keepLogs ?? null,
            // The demo's target: 15/16 of the best achievable ICR of the evaluator's tasks.
            icrTarget: tasks =>
              Math.round(((tasks.reduce((s, t) => s + envs.taskSpec(t).optimalReturn, 0) * 15) / 16) * 100) / 100,
            peerIdFor: async dir =>
              (await agent.loadOrCreatePeerKey(join(dir, DATA_DIR_FILES.peerKey))).peerId.toString()
          },
          io
        )
        const seconds = (performance.now() - started) / 1000
        const failed = outcome.result.checks.filter(c => !c.passed).map(c => c.name)
        return {
          data: outcome.result,
          human: (r: typeof outcome.result) =>
            humanLabResult(r, { seconds, dir: outcome.dir, interrupted: outcome.interrupted }),
          exitCode: outcome.interrupted
            ? ExitCode.INTERRUPTED
            : outcome.result.passed
              ? ExitCode.OK
              : ExitCode.CHECKS_FAILED,
          reason: outcome.interrupted
            ? 'interrupted'
            : outcome.result.passed
              ? undefined
              : `topology ${topology.name}: checks failed: ${failed.join(', ')}`
        }
      })
    )
}
