import { CONTROL_ROUTES, ControlError, type CandidateDecisionDocument, type CandidatesDocument } from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { addDaemonTargetOptions, controlFailure, daemonClient, type DaemonTargetOptions } from '../daemon-client.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id)
const reward = (r: number | null): string => (r === null ? '-' : r.toFixed(3))

function humanCandidates(d: CandidatesDocument): string {
  if (d.adopt === 'auto') return 'this node adopts automatically (--adopt auto): nothing is held for review'
  if (d.candidates.length === 0) return 'no candidates held for review'
  return table(
    ['task', 'measured', 'claimed', 'yours then', 'from', 'origin', 'held', 'cid'],
    d.candidates.map(c => [
      c.taskKey,
      reward(c.verifiedReward),
      reward(c.claimedReward),
      reward(c.currentReward),
      short(c.from),
      c.origin === '' ? '-' : short(c.origin),
      c.heldAt.replace('T', ' ').slice(0, 19),
      c.cid
    ])
  )
}

function humanDecision(d: CandidateDecisionDocument): string {
  if (d.decision === 'rejected') return `rejected ${d.cid} for ${d.taskKey}: it will not be fetched again`
  return d.installed === 'now'
    ? `adopted ${d.cid} for ${d.taskKey}: installed, stored and announced`
    : `adopted ${d.cid} for ${d.taskKey}: installed between the next two training iterations`
}

/** POSTs a decision; a candidate that is not held is exit 3, a node not in review mode exit 2. */
async function decide(
  opts: DaemonTargetOptions,
  io: Io,
  route: string,
  task: string,
  cid: string
): Promise<CandidateDecisionDocument> {
  const client = await daemonClient(opts, io)
  const query = new URLSearchParams({ task, cid }).toString()
  try {
    return await client.post<CandidateDecisionDocument>(`${route}?${query}`)
  } catch (err) {
    if (err instanceof ControlError && err.status === 404)
      throw new CliError(daemonMessage(err) ?? `no such candidate: ${task} ${cid}`, ExitCode.UNAVAILABLE)
    if (err instanceof ControlError && err.status === 409)
      throw new CliError(daemonMessage(err) ?? 'the daemon is not in review mode', ExitCode.USAGE)
    return controlFailure(err)
  }
}

/** The daemon's own explanation in an HTTP error ("daemon answered 404: {"error":"..."}"). */
function daemonMessage(err: ControlError): string | null {
  const body = err.message.slice(err.message.indexOf(':') + 1).trim()
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    return typeof parsed.error === 'string' ? parsed.error : null
  } catch {
    return null
  }
}

/**
 * Review mode (`l2d2c daemon --adopt review`): list the candidates the daemon holds, with what
 * they claim and what it measured, and adopt or reject one.
 */
export function registerReviewCommands(program: Command, io: Io): void {
  addDaemonTargetOptions(
    program
      .command('candidates')
      .description('masks from peers held for review (--adopt review): measured and claimed returns, origin')
  )
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: DaemonTargetOptions) => {
        const client = await daemonClient(opts, io)
        let data: CandidatesDocument
        try {
          data = await client.get<CandidatesDocument>(CONTROL_ROUTES.candidates)
        } catch (err) {
          return controlFailure(err)
        }
        return { data, human: humanCandidates }
      })
    )

  for (const [name, route, what] of [
    ['adopt', CONTROL_ROUTES.adopt, 'install a held candidate: the node runs it, stores and serves it'],
    ['reject', CONTROL_ROUTES.reject, 'drop a held candidate: its content id is never fetched again']
  ] as const) {
    addDaemonTargetOptions(
      program
        .command(name)
        .description(what)
        .argument('<task>', 'task key')
        .argument('<cid>', 'content id, as `l2d2c candidates` lists it')
    )
      .option('--json', 'print one JSON document')
      .action(
        action(io, async (task: string, cid: string, opts: DaemonTargetOptions) => ({
          data: await decide(opts, io, route, task, cid),
          human: humanDecision
        }))
      )
  }
}
