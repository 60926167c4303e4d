import {
  CONTROL_ROUTES,
  contentId,
  decodeMask,
  encodeMaskFile,
  parseContentId,
  SUPPORTED_ENCODINGS,
  type MasksDocument,
  type PeersDocument,
  type StatusDocument
} from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { choiceArg, intArg } from '../args.js'
import { addDaemonTargetOptions, controlFailure, daemonClient, type DaemonTargetOptions } from '../daemon-client.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'
import { addSwarmKeyOption, withRemote, type RemoteFlags } from './remote.js'

/** Upper bound of --timeout-ms (a day): anything longer is a typo. */
const MAX_TIMEOUT_MS = 86_400_000

const ago = (iso: string): string => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`
}

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id)

function humanStatus(s: StatusDocument): string {
  const lines = [
    `peer id      ${s.peerId}`,
    `role         ${s.role}`,
    `addresses    ${s.addrs.join('\n             ')}`,
    `backend      ${s.backend}`,
    `backbone     ${s.backboneId}`,
    s.role === 'learner'
      ? `task         ${s.task === null ? `curriculum done (${s.curriculum.tasks} tasks)` : `${s.task.key} (${s.curriculum.index + 1}/${s.curriculum.tasks}): ${s.task.steps.toLocaleString('en-US')}/${s.task.budget.toLocaleString('en-US')} steps`}`
      : `evaluating   ${s.curriculum.tasks} tasks`,
    `env steps    ${s.totalSteps.toLocaleString('en-US')} (${s.stepsPerSecond.toLocaleString('en-US')}/s), ${s.evalSteps.toLocaleString('en-US')} more in evaluations`,
    ...(s.role === 'learner'
      ? [
          `own ICR      ${s.ownIcr === null ? '-' : s.ownIcr.toFixed(2)} of ${s.curriculum.tasks} tasks (${s.budget === 'fixed' ? 'fixed budgets' : 'each task until mastered'})`,
          `mastered     ${s.tasksLearned} learned, ${s.tasksAdopted} adopted (~${s.stepsSaved.toLocaleString('en-US')} steps saved)`
        ]
      : []),
    `masks held   ${s.masksHeld}`,
    `peers        ${s.peersConnected} connected; ${s.bytesSent.toLocaleString('en-US')} B sent, ${s.bytesReceived.toLocaleString('en-US')} B received`,
    `uptime       ${s.uptimeSeconds} s`,
    `data dir     ${s.dataDir}`
  ]
  if (s.reachability !== undefined) {
    lines.push(
      `reachable    ${s.reachability}${s.reachabilityReason === undefined ? '' : `: ${s.reachabilityReason}`}${s.relayServer === true ? ' (relays for others)' : ''}`
    )
    for (const a of s.relayAddrs ?? []) lines.push(`via relay    ${a}`)
  }
  const e = s.exposure
  if (e !== undefined) {
    const admission = [
      e.swarmKey ? `swarm key ${e.swarmKeyFingerprint ?? ''}`.trim() : 'no swarm key',
      e.allowlist ? 'allowlist' : 'no allowlist',
      e.publicListen ? 'reachable from other hosts' : 'loopback only'
    ]
    lines.push(`admission    ${admission.join(', ')}`)
    if (e.demoPeerKey) lines.push("DEMO KEY     this node runs with the compose demo's public peer key")
    const b = s.defence?.bans
    if (b !== undefined && b.total > 0)
      lines.push(
        `bans         ${b.active} peer(s) and ${b.activeIps} address(es) banned now, ${b.total} ban(s) since start${b.peers[0] !== undefined ? ` (latest: ${b.peers[0].peer}, ${b.peers[0].reason}, until ${b.peers[0].until})` : ''}`
      )
    if (e.warning !== null) lines.push(`WARNING      ${e.warning}`)
  }
  if (s.policy !== undefined) {
    const p = s.policy
    lines.push(
      `serves       ${p.serve.length === 0 ? 'nothing' : p.serve.join(' ')}`,
      `accepts      ${p.accept.length === 0 ? 'nothing' : p.accept.join(' ')} from ${p.acceptFrom.length === 0 ? 'any peer' : p.acceptFrom.join(', ')}`,
      `adopts       ${p.adopt === 'auto' ? 'automatically, after local evaluation' : 'after review (l2d2c candidates)'}`
    )
  }
  return lines.join('\n')
}

function humanMasks(d: MasksDocument): string {
  if (d.masks.length === 0) return `${d.peer}: no masks (backbone ${d.backboneId})`
  return [
    `peer ${d.peer}, backbone ${d.backboneId}`,
    table(
      ['task', 'reward', 'steps', 'bytes', 'delta', 'origin', 'cid'],
      d.masks.map(m => [
        m.taskKey,
        m.reward.toFixed(3),
        m.steps,
        m.bytes,
        // DELTA bytes where the holder produces it (a local daemon's sizes; '-' otherwise)
        m.sizes?.delta ?? '-',
        m.origin === '' ? '-' : short(m.origin),
        m.cid
      ])
    )
  ].join('\n')
}

async function local<T>(opts: DaemonTargetOptions, io: Io, route: string): Promise<T> {
  const client = await daemonClient(opts, io)
  try {
    return await client.get<T>(route)
  } catch (err) {
    return controlFailure(err)
  }
}

export function registerQueryCommands(program: Command, io: Io): void {
  addDaemonTargetOptions(
    program
      .command('status')
      .description('show the local daemon: peer id, addresses, role, task progress, masks, peers')
  )
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: DaemonTargetOptions) => ({
        data: await local<StatusDocument>(opts, io, CONTROL_ROUTES.status),
        human: humanStatus
      }))
    )

  addDaemonTargetOptions(
    program.command('peers').description('connected and known peers with their announced masks and last-seen time')
  )
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: DaemonTargetOptions) => ({
        data: await local<PeersDocument>(opts, io, CONTROL_ROUTES.peers),
        human: (d: PeersDocument) =>
          d.peers.length === 0
            ? 'no peers known'
            : table(
                ['peer', 'connected', 'role', 'masks', 'env steps', 'last seen', 'standing', 'address'],
                d.peers.map(p => [
                  p.peerId,
                  p.connected ? (p.connection === 'relayed' ? 'relayed' : 'yes') : 'no',
                  p.role ?? '?',
                  p.masks,
                  p.totalSteps,
                  ago(p.lastSeen),
                  p.standing ?? '-',
                  p.addrs[0] ?? '-'
                ])
              )
      }))
    )

  addSwarmKeyOption(
    addDaemonTargetOptions(
      program
        .command('masks')
        .description('masks held by the local daemon, or by a remote node with --peer (dialled directly)')
    ).option('--peer <multiaddr>', 'a remote node (/ip4/…/tcp/…/p2p/ID); no local daemon needed')
  )
    .option('--timeout-ms <ms>', 'remote: give up after this long', '10000')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: DaemonTargetOptions & RemoteFlags & { peer?: string; timeoutMs: string }) => {
        if (opts.peer === undefined)
          return { data: await local<MasksDocument>(opts, io, CONTROL_ROUTES.masks), human: humanMasks }
        const timeoutMs = intArg(opts.timeoutMs, '--timeout-ms', 1, MAX_TIMEOUT_MS)
        const data = await withRemote(
          opts.peer,
          timeoutMs,
          async ({ client, target, peerId }) => {
            const inv = await client.inventory(target, { timeoutMs })
            const doc: MasksDocument = {
              peer: peerId,
              backboneId: inv.backboneId,
              masks: inv.masks
                .map(m => ({
                  taskKey: m.taskKey,
                  cid: parseContentId(m.cid).toString(),
                  reward: m.reward,
                  steps: m.stepsTrained,
                  bytes: m.encodedSize,
                  origin: m.origin,
                  encodings: m.encodings
                }))
                .sort((a, b) => (a.taskKey < b.taskKey ? -1 : 1))
            }
            return doc
          },
          opts
        )
        return { data, human: humanMasks }
      })
    )

  addSwarmKeyOption(
    program
      .command('fetch')
      .description("fetch a task's mask from a remote node, verify it, and save it as a mask file")
      .argument('<task>', 'task key')
      .requiredOption('--peer <multiaddr>', 'the remote node (/ip4/…/tcp/…/p2p/ID)')
  )
    .option('--out <file>', 'where to save it (default: <task with / as +>.l2dm)')
    .option('--encoding <e>', SUPPORTED_ENCODINGS.join(' | '), 'bits')
    .option('--timeout-ms <ms>', 'give up after this long', '10000')
    .option('--json', 'print one JSON document')
    .action(
      action(
        io,
        async (
          task: string,
          opts: RemoteFlags & { peer: string; out?: string; encoding: string; timeoutMs: string }
        ) => {
          const { parseTaskKey, TaskKeyError } = await import('@l2d2c/agent/envs')
          try {
            parseTaskKey(task)
          } catch (err) {
            if (err instanceof TaskKeyError) throw new CliError(err.message, ExitCode.USAGE)
            throw err
          }
          const encoding = choiceArg(opts.encoding, '--encoding', SUPPORTED_ENCODINGS)
          const timeoutMs = intArg(opts.timeoutMs, '--timeout-ms', 1, MAX_TIMEOUT_MS)
          const data = await withRemote(
            opts.peer,
            timeoutMs,
            async ({ agent, client, target, peerId }) => {
              const out = opts.out ?? agent.FileMaskStore.fileName(task)
              const inv = await client.inventory(target, { timeoutMs })
              const summary = inv.masks.find(m => m.taskKey === task)
              if (summary === undefined) throw new CliError(`${peerId} holds no mask for ${task}`, ExitCode.REMOTE)
              const t0 = performance.now()
              const fetched = await client.fetch(
                target,
                { requestId: agent.newRequestId(), target: { cid: summary.cid }, encoding, backboneId: inv.backboneId },
                // bounded by the size the inventory announced (the layer table is not known here)
                { timeoutMs, expectedCid: summary.cid, maxBytes: agent.fetchBound(summary.encodedSize, encoding) }
              )
              const ms = performance.now() - t0
              const mask = decodeMask(fetched.bytes, { expectedTaskKey: task, expectedBackboneId: inv.backboneId })
              const meta = { ...fetched.meta, origin: fetched.meta.origin === '' ? peerId : fetched.meta.origin }
              // Atomic: an interrupted fetch must not leave a truncated mask file.
              await agent.writeFileAtomic(out, encodeMaskFile(fetched.bytes, meta))
              return {
                task,
                peer: peerId,
                file: out,
                cid: contentId(fetched.bytes).toString(),
                encoding,
                bytes: fetched.bytes.length,
                wireBytes: fetched.wireBytes,
                backboneId: mask.backboneId,
                reward: meta.reward,
                steps: meta.stepsTrained,
                origin: meta.origin,
                milliseconds: Math.round(ms * 10) / 10
              }
            },
            opts
          )
          return {
            data,
            human: (d: typeof data) =>
              `saved ${d.task} (${d.encoding}, ${d.bytes.toLocaleString('en-US')} bytes, cid ${d.cid}, reward ${d.reward}) from ${d.peer} to ${d.file} in ${d.milliseconds} ms`
          }
        }
      )
    )
}
