/**
 * pnpm bench:adversary [--fuzz-frames N] [--phase-ms MS] [--phases LIST] [--skip-resources]
 *                      [--sharing LIST] [--skip-icr] [--attacked-only] [--json] [--help]
 *   (ADVERSARY_LOG=FILE: the sharing runs' agents log there, at debug level)
 *
 * A node under attack, over real libp2p (TCP, 127.0.0.1). The attacked node is an l2d2c agent
 * in a process of its own (bench/adversary/victim.ts: its learner trains at full speed in a
 * worker thread), so its heap (after a full GC) and its network thread's event-loop delay are
 * its own; the attackers (test/helpers/adversary/) and an honest probe run here.
 *
 *  0. the cost of decoding a maximal announcement, and the most memory peers can make a node
 *     keep: every per-peer structure filled to its cap (bench/adversary/state-bound.ts);
 *  1. resource attacks, one phase each, with an honest peer querying the victim every 200 ms
 *     throughout: an announcement flood (maximal announcements, 1,024 masks each, from
 *     hundreds of fresh identities over several connections), a query flood, slow-loris
 *     requesters on every protocol, a connection exhauster, and a live-stream fuzz of every
 *     protocol (--fuzz-frames per protocol, 100,000 by default). Figures: heap before and
 *     after, event-loop delay p99, what the victim refused, dropped and kept, the honest
 *     probe's latency and answers;
 *  2. three honest learners sharing masks: without attackers (clean, the control), with the
 *     liars alone (three liars claiming 1.0 for random masks with fresh content ids every few
 *     seconds, and nothing else: a liar starved by the floods cannot answer in time, so this
 *     run is where evaluations per liar content id are measured), and with every attacker (the
 *     liars, a slow-loris holder, an announcement flooder per learner, a query flooder):
 *     honest collective ICR (Σ over tasks of the best honest return, 100 episodes each),
 *     honest adoptions, evaluations spent on the liars' masks (at most one per content id per
 *     node), counted from every round the learners ran, and the same count for honest peers'
 *     masks (the control: the count does see evaluations).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import '../src/polyfill.js'
import {
  contentIdBytes,
  decodeAnnouncement,
  encodeAnnouncement,
  INVENTORY_PROTOCOL,
  MAX_ANNOUNCED_MASKS,
  MASK_PROTOCOL,
  QUERY_PROTOCOL,
  type LayerSpec,
  type OfferStatus
} from '@l2d2c/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { pino } from 'pino'
import type { Libp2p } from '@libp2p/interface'
import { Agent } from '../src/agent/agent.js'
import type { AgentConfig } from '../src/agent/agent-config.js'
import { silentLogger } from '../src/logging/logger.js'
import { createLibp2pNode, startLibp2pNode } from '../src/network/libp2p-node.js'
import { percentile } from '../src/network/mask-exchange/traffic.js'
import { bareNode } from '../test/helpers/adversary/bare-node.js'
import { exhaustConnections, floodQueries } from '../test/helpers/adversary/floods.js'
import { fuzzStreams, seedFrames, type StreamFuzzReport } from '../test/helpers/adversary/frame-fuzzer.js'
import {
  floodAnnouncement,
  GossipInjector,
  identities,
  signedMessage
} from '../test/helpers/adversary/gossip-flooder.js'
import { slowRequests } from '../test/helpers/adversary/slow-loris.js'
import { sleep } from '../test/helpers/adversary/streams.js'

const PHASES = ['idle', 'flood', 'query', 'slowloris', 'exhaust', 'fuzz'] as const
type PhaseName = (typeof PHASES)[number]
const SHARING_RUNS = ['clean', 'liars', 'attacked'] as const
type SharingRun = (typeof SHARING_RUNS)[number]
const HELP = `pnpm bench:adversary [options]
  --fuzz-frames N     live-stream fuzz: frames per protocol (default 100000)
  --phase-ms MS       length of the timed resource phases (default 20000)
  --phases LIST       resource phases to run, comma-separated: ${PHASES.join(',')} (default: all, in that order)
  --skip-resources    no resource phase at all
  --sharing LIST      sharing runs, comma-separated: ${SHARING_RUNS.join(',')} (default: all; each takes minutes)
  --skip-icr          no sharing run at all
  --attacked-only     the same as --sharing attacked
  --json              print the figures as JSON
  env ADVERSARY_LOG=FILE: the sharing runs' agents log there, at debug level`
const { values } = parseArgs({
  options: {
    'fuzz-frames': { type: 'string', default: '100000' },
    'phase-ms': { type: 'string', default: '20000' },
    phases: { type: 'string', default: PHASES.join(',') },
    sharing: { type: 'string', default: SHARING_RUNS.join(',') },
    'skip-icr': { type: 'boolean', default: false },
    'skip-resources': { type: 'boolean', default: false },
    'attacked-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}
/** A comma-separated list of names from `allowed` (a typo is an error, not a silently skipped run). */
function pickList<T extends string>(flag: string, text: string, allowed: readonly T[]): Set<T> {
  const picked = text
    .split(',')
    .map(x => x.trim())
    .filter(x => x.length > 0)
  const unknown = picked.filter(x => !(allowed as readonly string[]).includes(x))
  if (unknown.length > 0) {
    console.error(`--${flag}: unknown ${unknown.join(', ')} (choose from ${allowed.join(', ')})`)
    process.exit(2)
  }
  return new Set(picked as T[])
}
const FUZZ_FRAMES = Number(values['fuzz-frames'])
const PHASE_MS = Number(values['phase-ms'])
for (const [flag, v] of [
  ['fuzz-frames', FUZZ_FRAMES],
  ['phase-ms', PHASE_MS]
] as const) {
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`--${flag}: a positive integer, got ${values[flag]}`)
    process.exit(2)
  }
}
const phasesOn = pickList('phases', values.phases, PHASES)
const runsOn: Set<SharingRun> = values['attacked-only']
  ? new Set(['attacked'])
  : pickList('sharing', values.sharing, SHARING_RUNS)
const log = (s: string): void => {
  if (!values.json) console.error(s)
}
const MiB = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10

// ---- 0. the cost of decoding a maximal announcement (what the gate protects) -------------------

const decodeMs = (() => {
  const origin = '12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
  const bytes = encodeAnnouncement({
    backboneId: 'a'.repeat(32),
    masks: Array.from({ length: MAX_ANNOUNCED_MASKS }, (_, i) => ({
      taskKey: `ctgraph/d2b2/img${i}/leaf01`,
      cid: contentIdBytes(new TextEncoder().encode(String(i))),
      reward: 0.5,
      stepsTrained: 12_345_678,
      encodedSize: 13_866,
      encodings: ['bits', 'f16', 'f32'],
      origin
    })),
    sequence: 1,
    timestampMs: 1,
    role: 'learner',
    addrs: [],
    totalSteps: 1
  })
  for (let i = 0; i < 30; i++) decodeAnnouncement(bytes)
  const runs: number[] = []
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now()
    for (let i = 0; i < 20; i++) decodeAnnouncement(bytes)
    runs.push((performance.now() - t0) / 20)
  }
  return { bytes: bytes.length, medianMs: percentile(runs, 0.5) }
})()
log(`decoding a maximal announcement (${decodeMs.bytes} bytes): ${decodeMs.medianMs?.toFixed(2)} ms`)

// ---- 0. the most memory peers can make a node keep (every per-peer structure at its cap) -------

interface Filled {
  entries: number
  MiB: number
}
const stateBound = await new Promise<Record<string, Filled>>((resolve, reject) => {
  const proc = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./adversary/state-bound.ts', import.meta.url))],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }
  )
  proc.once('message', m => resolve(m as Record<string, Filled>))
  proc.once('exit', code => reject(new Error(`state-bound exited with ${code}`)))
})
const stateBoundMiB = Math.round(Object.values(stateBound).reduce((a, f) => a + f.MiB, 0) * 10) / 10
log(`per-peer state at its caps: ${JSON.stringify(stateBound)} (${stateBoundMiB} MiB in all)`)

interface Sample {
  heapUsed: number
  rss: number
  lagMs: { p50: number; p99: number; max: number }
  directory: { peers: number; masks: number; turnedAway: { peers: number; masks: number } }
  gate: Record<string, number>
  refused: { queries: number; fetches: number; inventory: number }
  connections: number
  peerStore: number
  masksServed: number
  /** Peers banned now and since start; connections the gater refused because of a ban. */
  bans: { active: number; total: number; refused: number }
}

interface ProbeReport {
  queries: number
  answers: Partial<Record<OfferStatus, number>>
  failed: number
  latencyMs: { p50: number | null; p99: number | null }
  connected: boolean
}

interface PhaseReport {
  phase: string
  heapBeforeMiB: number
  heapAfterMiB: number
  lagP99Ms: number
  lagMaxMs: number
  probe: ProbeReport
  victim: Sample
  attack: unknown
}

async function release(nodes: readonly Libp2p[]): Promise<void> {
  await Promise.all(
    nodes.map(async n => {
      await Promise.resolve(n.stop()).catch(() => {})
    })
  )
}

/** A bench helper process (tsx) with an IPC channel: `ask` sends a command and waits for its reply. */
function child(script: string, args: string[], env: Record<string, string> = {}) {
  const proc = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } }
  )
  const replies: Array<(m: unknown) => void> = []
  proc.on('message', m => replies.shift()?.(m))
  const ready = new Promise<void>(resolve => replies.push(() => resolve()))
  return {
    proc,
    ready,
    ask: async <T>(cmd: string): Promise<T> =>
      await new Promise<T>(resolve => {
        replies.push(m => resolve(m as T))
        proc.send({ cmd })
      }),
    stop: async (): Promise<void> => {
      const exited = new Promise(resolve => proc.once('exit', resolve))
      proc.send({ cmd: 'stop' })
      await exited
    }
  }
}

// Filled by the resource attacks (part 1), unless skipped.
const phases: PhaseReport[] = []
const fuzz: StreamFuzzReport[] = []
let alive = 'not run'
if (!values['skip-resources']) alive = await resourceAttacks()

// ---- 2. honest sharing with and without attackers -------------------------------------------

const ICR_TASKS = [
  'ctgraph/d2b2/img2/leaf00',
  'ctgraph/d2b2/img2/leaf01',
  'ctgraph/d2b2/img2/leaf10',
  'ctgraph/d2b2/img2/leaf11'
]
interface IcrRun {
  run: SharingRun
  icr: number
  perTask: Record<string, number>
  honestAdoptions: number
  liarEvaluations: number
  liarContentIds: number
  liarContentIdsEvaluated: number
  maxEvaluationsPerLiarContentId: number
  liarCandidatesFetched: number
  /** The slow holder's offers fetched (each ends with the round's fetch grace, never verified). */
  slowCandidatesFetched: number
  /** Rounds the learners ran, and those that adopted a mask. */
  rounds: number
  roundsAdopting: number
  /** The control: the same counts for honest peers' masks. */
  honestCandidatesFetched: number
  honestEvaluations: number
  honestContentIdsEvaluated: number
  maxEvaluationsPerHonestContentId: number
  minutes: number
}

const RUN_LABEL: Record<SharingRun, string> = {
  clean: 'without attackers',
  liars: 'with the liars alone',
  attacked: 'with every attacker'
}

/** One candidate of a round, as counted: who served it, its content id, whether it was evaluated. */
interface Counted {
  peerId: string
  cid: string
  evaluated: boolean
}

/** Per node, evaluations of each content id served by `from`: fetches, evaluations, content ids, the most of one. */
function tally(seen: readonly (readonly Counted[])[], from: ReadonlySet<string>) {
  let fetched = 0
  let evaluations = 0
  let maxPerCid = 0
  const cids = new Set<string>()
  for (const node of seen) {
    const perCid = new Map<string, number>()
    for (const c of node) {
      if (!from.has(c.peerId)) continue
      fetched++
      if (!c.evaluated) continue
      evaluations++
      cids.add(c.cid)
      perCid.set(c.cid, (perCid.get(c.cid) ?? 0) + 1)
    }
    maxPerCid = Math.max(maxPerCid, ...perCid.values(), 0)
  }
  return { fetched, evaluations, maxPerCid, cids: cids.size }
}

async function icrRun(run: SharingRun): Promise<IcrRun> {
  log(`sharing run ${RUN_LABEL[run]}...`)
  const t0 = performance.now()
  // Every candidate of every round each learner ran (its round history keeps the last 200 only).
  const seen: Counted[][] = [[], [], []]
  let rounds = 0
  let roundsAdopting = 0
  const config = (i: number, bootstrap: string[]): AgentConfig => ({
    dataDir: null,
    role: 'learner',
    // Rotated curricula: each learner meets the tasks in another order, as in the demo.
    tasks: [...ICR_TASKS.slice(i), ...ICR_TASKS.slice(0, i)],
    stepsPerTask: 5120,
    seed: 100 + i,
    backend: 'wasm',
    learnerThread: 'worker',
    network: { gossipHeartbeatMs: 200, announceIntervalMs: 1000, bootstrap },
    sharing: { rounds: { windowMs: 1000 } },
    logger: agentLog?.child({ agent: i, run }) ?? silentLogger,
    observer: {
      round: r => {
        rounds++
        if (r.adopted !== null) roundsAdopting++
        for (const c of r.candidates)
          seen[i]?.push({ peerId: c.peerId, cid: c.cid, evaluated: c.verifiedReward !== null })
      }
    }
  })
  const first = await Agent.create(config(0, []))
  const hub = first.addresses()[0] as string
  const agents = [first, ...(await Promise.all([1, 2].map(async i => await Agent.create(config(i, [hub])))))]
  const attackerProcess = (role: 'liars' | 'holders' | 'floods') =>
    child('./adversary/attackers.ts', [], {
      ATTACK: JSON.stringify({
        targets: agents.map(a => a.addresses()[0]),
        tasks: ICR_TASKS,
        backboneId: first.info.backboneId,
        layers: first.info.layers,
        role
      })
    })
  const attack = run === 'clean' ? null : attackerProcess(run === 'liars' ? 'liars' : 'holders')
  const floods = run === 'attacked' ? attackerProcess('floods') : null
  await attack?.ready
  await floods?.ready
  await Promise.all(agents.map(async a => await a.runCurriculum()))
  const attackers = (await attack?.ask<{ liars: string[]; liarCids: string[]; slow: string }>('report')) ?? {
    liars: [],
    liarCids: [],
    slow: ''
  }
  await attack?.stop()
  await floods?.stop()
  const perTask: Record<string, number> = {}
  for (const task of ICR_TASKS) {
    let best = 0
    for (const a of agents)
      best = Math.max(best, (await a.learner.evaluate(task, { episodes: 100, greedy: false })).meanReturn)
    perTask[task] = best
  }
  const attackerIds = new Set([...attackers.liars, attackers.slow])
  let honestAdoptions = 0
  for (const a of agents)
    for (const e of a.kb.list()) honestAdoptions += e.adoptions.filter(x => !attackerIds.has(x.from)).length
  const liars = tally(seen, new Set(attackers.liars))
  const honest = tally(seen, new Set(agents.map(a => a.peerId)))
  const slow = tally(seen, new Set([attackers.slow]))
  await Promise.all(agents.map(async a => await a.stop()))
  return {
    run,
    icr: Object.values(perTask).reduce((a, b) => a + b, 0),
    perTask,
    honestAdoptions,
    liarEvaluations: liars.evaluations,
    liarContentIds: new Set(attackers.liarCids).size,
    liarContentIdsEvaluated: liars.cids,
    maxEvaluationsPerLiarContentId: liars.maxPerCid,
    liarCandidatesFetched: liars.fetched,
    slowCandidatesFetched: slow.fetched,
    rounds,
    roundsAdopting,
    honestCandidatesFetched: honest.fetched,
    honestEvaluations: honest.evaluations,
    honestContentIdsEvaluated: honest.cids,
    maxEvaluationsPerHonestContentId: honest.maxPerCid,
    minutes: Math.round(((performance.now() - t0) / 60_000) * 10) / 10
  }
}

const agentLog =
  process.env.ADVERSARY_LOG !== undefined
    ? pino({ level: 'debug' }, pino.destination({ dest: process.env.ADVERSARY_LOG, sync: false }))
    : null
const sharing: IcrRun[] = []
if (!values['skip-icr']) {
  for (const run of SHARING_RUNS.filter(r => runsOn.has(r))) {
    const r = await icrRun(run)
    sharing.push(r)
    log(`  ICR ${r.icr.toFixed(3)}, honest adoptions ${r.honestAdoptions}, ${r.minutes} min`)
  }
}

// ---- 1. resource attacks against one node ---------------------------------------------------

async function resourceAttacks(): Promise<string> {
  // ---- the victim, in its own process ------------------------------------------------------------

  interface VictimInfo {
    addrs: string[]
    peerId: string
    backboneId: string
    layers: LayerSpec[]
    tasks: string[]
    masks: number
  }

  const victimTasks = ['ctgraph/d2b2/img1/leaf00', 'ctgraph/d2b2/img1/leaf01']

  const victim = child('./adversary/victim.ts', [], { VICTIM_TASKS: victimTasks.join(',') })
  const ask = victim.ask
  await victim.ready
  let info = await ask<VictimInfo>('info')
  // Until it holds a mask, a query has nothing to offer and a fetch nothing to serve.
  while (info.masks === 0) {
    await sleep(1000)
    info = await ask<VictimInfo>('info')
  }
  const victimAddr = multiaddr(info.addrs[0] as string)
  log(`victim ${info.peerId} on ${info.addrs[0]}, training ${info.tasks[0]}`)

  // ---- the honest probe, in its own process: queries the victim every 200 ms -------------------

  const probe = child('./adversary/probe.ts', [info.addrs[0] as string, info.tasks[0] as string, info.backboneId])
  await probe.ready

  async function phase(which: PhaseName, name: string, attack: () => Promise<unknown>): Promise<void> {
    if (!phasesOn.has(which)) return
    log(`phase: ${name}...`)
    const before = await ask<Sample>('sample')
    await ask('reset')
    await probe.ask<ProbeReport>('report')
    const details = await attack()
    const probeReport = await probe.ask<ProbeReport>('report')
    const after = await ask<Sample>('sample')
    phases.push({
      phase: name,
      heapBeforeMiB: MiB(before.heapUsed),
      heapAfterMiB: MiB(after.heapUsed),
      lagP99Ms: Math.round(after.lagMs.p99 * 10) / 10,
      lagMaxMs: Math.round(after.lagMs.max * 10) / 10,
      probe: probeReport,
      victim: after,
      attack: details
    })
    log(
      `  heap ${MiB(before.heapUsed)} -> ${MiB(after.heapUsed)} MiB, event-loop p99 ${after.lagMs.p99.toFixed(1)} ms, probe ${JSON.stringify(probeReport.answers)} p99 ${probeReport.latencyMs.p99?.toFixed(1)} ms, failed ${probeReport.failed}`
    )
  }

  async function attackers(n: number): Promise<Libp2p[]> {
    const nodes = await Promise.all(Array.from({ length: n }, async () => await bareNode()))
    for (const a of nodes) {
      await a.start()
      await a.dial(victimAddr)
    }
    return nodes
  }

  // ---- 1. resource attacks ------------------------------------------------------------------

  await phase('idle', 'idle (the victim trains)', async () => {
    await sleep(PHASE_MS)
    return {}
  })

  // Built before the phase, so that building them does not slow the attackers down during it:
  // per attacker, 32 maximal announcements (1,024 masks of the victim's tasks, ~300 KB) and 200
  // small ones, each from a fresh identity.
  const FLOODERS = 8
  const floods: Array<Array<Awaited<ReturnType<typeof signedMessage>>>> = []
  let floodBytes = 0
  for (let k = 0; k < (phasesOn.has('flood') ? FLOODERS : 0); k++) {
    const ids = await identities(232)
    const messages = []
    for (const [i, id] of ids.entries()) {
      const data = floodAnnouncement(id, { backboneId: info.backboneId, tasks: info.tasks, masks: i < 32 ? 1024 : 1 })
      floodBytes += data.length
      messages.push(await signedMessage(id, data))
    }
    floods.push(messages)
  }
  await phase(
    'flood',
    `announcement flood: ${FLOODERS * 232} identities over ${FLOODERS} connections (${FLOODERS * 32} maximal announcements)`,
    async () => {
      const nodes = await attackers(FLOODERS)
      let sent = 0
      const errors: string[] = []
      await Promise.all(
        nodes.map(async (node, k) => {
          const injector = await GossipInjector.open(node, victimAddr)
          for (const message of floods[k] as Array<Awaited<ReturnType<typeof signedMessage>>>) {
            try {
              await injector.sendMessages([message], 1)
              sent++
            } catch (err) {
              // a graylisted attacker's stream ends: the rest of its flood goes nowhere
              errors.push((err as Error).message)
              break
            }
          }
        })
      )
      // Until the victim has worked through what it received (its counters stop moving).
      const seen = (x: Sample): number => Object.values(x.gate).reduce((a, b) => a + b, 0) + x.directory.peers
      let last = -1
      for (let i = 0; i < 30; i++) {
        const now = seen(await ask<Sample>('sample'))
        if (now === last) break
        last = now
        await sleep(1000)
      }
      await release(nodes)
      return {
        announcementsSent: sent,
        of: FLOODERS * 232,
        megabytes: MiB(floodBytes),
        attackersCut: errors.length,
        attackersBanned: (await ask<Sample>('sample')).bans.total
      }
    }
  )
  floods.length = 0

  await phase('query', 'query flood: 8 connections x 8 streams', async () => {
    const nodes = await attackers(8)
    const reports = await Promise.all(
      nodes.map(
        async n =>
          await floodQueries(n, victimAddr, {
            queries: Number.MAX_SAFE_INTEGER,
            concurrency: 8,
            taskKey: info.tasks[0] as string,
            backboneId: info.backboneId,
            durationMs: PHASE_MS
          })
      )
    )
    await release(nodes)
    const answers: Partial<Record<OfferStatus, number>> = {}
    for (const r of reports)
      for (const [k, v] of Object.entries(r.answers))
        answers[k as OfferStatus] = (answers[k as OfferStatus] ?? 0) + (v as number)
    return { sent: reports.reduce((a, r) => a + r.sent, 0), answers, failed: reports.reduce((a, r) => a + r.failed, 0) }
  })

  await phase('slowloris', 'slow-loris requesters: 8 connections, every protocol, one byte a second', async () => {
    const nodes = await attackers(8)
    const reports = await Promise.all(
      nodes.flatMap(n =>
        [
          [QUERY_PROTOCOL, 8],
          [MASK_PROTOCOL, 4],
          [INVENTORY_PROTOCOL, 2]
        ].map(
          async ([protocol, streams]) =>
            await slowRequests(n, victimAddr, {
              protocol: protocol as string,
              streams: streams as number,
              intervalMs: 1000,
              maxMs: PHASE_MS
            })
        )
      )
    )
    await release(nodes)
    const held = reports.flatMap(r => r.heldMs)
    return {
      streamsOpened: reports.reduce((a, r) => a + r.opened, 0),
      streamsRefused: reports.reduce((a, r) => a + r.refused, 0),
      heldMs: { p50: percentile(held, 0.5), max: Math.max(...held) }
    }
  })

  await phase('exhaust', 'connection exhauster: 300 identities from this host', async () => {
    const r = await exhaustConnections(victimAddr, { identities: 300, settleMs: 3000 })
    const during = await ask<Sample>('sample')
    // Can a newcomer still get in while the exhauster holds what it got?
    const newcomer = await createLibp2pNode({
      privateKey: await generateKeyPair('Ed25519'),
      listen: [],
      allowPrivateDial: true
    })
    await startLibp2pNode(newcomer)
    const newcomerIn = await newcomer.dial(victimAddr, { signal: AbortSignal.timeout(10_000) }).then(
      () => true,
      () => false
    )
    await newcomer.stop()
    const probeStillConnected = (await probe.ask<ProbeReport>('report')).connected
    await sleep(PHASE_MS / 4)
    await r.release()
    return {
      attempted: r.attempted,
      dialled: r.dialled,
      stillOpen: r.stillOpen,
      victimConnections: during.connections,
      newcomerConnected: newcomerIn,
      probeStillConnected
    }
  })

  await phase('fuzz', `live-stream fuzz: ${FUZZ_FRAMES.toLocaleString('en-US')} frames per protocol`, async () => {
    const nodes = await attackers(8)
    const seeds = seedFrames(info.tasks[0] as string, info.backboneId)
    for (const [protocol, perConnection] of [
      [QUERY_PROTOCOL, 8],
      [MASK_PROTOCOL, 4],
      [INVENTORY_PROTOCOL, 2]
    ] as const) {
      const r = await fuzzStreams(nodes, victimAddr, {
        protocol,
        seeds: seeds[protocol] as Uint8Array[],
        frames: FUZZ_FRAMES,
        perConnection,
        seed: 0xbe7c,
        hangMs: 15_000
      })
      fuzz.push(r)
      log(
        `  ${protocol}: ${JSON.stringify(r.ends)}, refused ${r.refused}, ${Math.round(r.frames / (r.ms / 1000))} frames/s`
      )
    }
    await release(nodes)
    return fuzz
  })
  // The last phase's report just emptied the probe's counters: give it a few queries' time.
  await probe.ask<ProbeReport>('report')
  await sleep(3000)
  const alive = ((await probe.ask<ProbeReport>('report')).answers['has-mask'] ?? 0) > 0 ? 'answering' : 'not answering'
  await probe.stop()
  await victim.stop()

  return alive
}

// ---- report ----------------------------------------------------------------------------------

const result = {
  decodeMaximalAnnouncement: decodeMs,
  stateBound,
  stateBoundMiB,
  phases,
  fuzz,
  victimAliveAfter: alive,
  sharing
}
if (values.json) {
  console.log(JSON.stringify(result, null, 2))
} else {
  console.log(
    `decoding a maximal announcement (1,024 masks, ${decodeMs.bytes} bytes): median ${decodeMs.medianMs?.toFixed(2)} ms`
  )
  console.log(
    `per-peer state at its caps (heap after GC): ${Object.entries(stateBound)
      .map(([k, f]) => `${k} ${f.MiB} MiB (${f.entries} entries)`)
      .join(', ')}; ${stateBoundMiB} MiB in all`
  )
  console.log('resource attacks against one node (its own process, training at full speed):')
  for (const p of phases) {
    console.log(`  ${p.phase}`)
    console.log(
      `    heap ${p.heapBeforeMiB} -> ${p.heapAfterMiB} MiB (after GC), event-loop p99 ${p.lagP99Ms} ms (max ${p.lagMaxMs} ms); honest probe: ${p.probe.queries} queries, ${JSON.stringify(p.probe.answers)}, ${p.probe.failed} failed, p50 ${p.probe.latencyMs.p50?.toFixed(1)} ms, p99 ${p.probe.latencyMs.p99?.toFixed(1)} ms`
    )
    console.log(
      `    victim: directory ${p.victim.directory.peers} peers / ${p.victim.directory.masks} masks (turned away ${JSON.stringify(p.victim.directory.turnedAway)}), peer store ${p.victim.peerStore}, connections ${p.victim.connections}, gate ${JSON.stringify(p.victim.gate)}, refused ${JSON.stringify(p.victim.refused)}, bans ${JSON.stringify(p.victim.bans)}`
    )
    if (!Array.isArray(p.attack)) console.log(`    attack: ${JSON.stringify(p.attack)}`)
  }
  console.log(`live-stream fuzz (${FUZZ_FRAMES.toLocaleString('en-US')} frames per protocol):`)
  for (const f of fuzz)
    console.log(
      `  ${f.protocol}: ${f.frames} streams (+${f.refused} refused at open): ${JSON.stringify(f.ends)} in ${(f.ms / 1000).toFixed(1)} s`
    )
  console.log(`the victim answered a query afterwards: ${alive}`)
  const clean = sharing.find(s => s.run === 'clean')
  for (const s of sharing) {
    const vsClean = clean !== undefined && s !== clean
    console.log(
      `sharing ${RUN_LABEL[s.run]} (${s.minutes} min): honest collective ICR ${s.icr.toFixed(3)} (${Object.values(
        s.perTask
      )
        .map(v => v.toFixed(2))
        .join(
          ', '
        )})${vsClean ? `, ${((s.icr / clean.icr) * 100).toFixed(1)}% of the run without attackers` : ''}; honest adoptions ${s.honestAdoptions}${vsClean ? ` (${clean.honestAdoptions} without attackers)` : ''}`
    )
    if (s.run !== 'clean')
      console.log(
        `    liars' masks: ${s.liarContentIds} content ids offered, ${s.liarCandidatesFetched} fetched, ${s.liarEvaluations} evaluations of ${s.liarContentIdsEvaluated} content ids; at most ${s.maxEvaluationsPerLiarContentId} evaluation(s) of one content id by one node`
      )
    if (s.run === 'attacked') console.log(`    the slow holder's masks: ${s.slowCandidatesFetched} fetched`)
    console.log(`    rounds: ${s.rounds}, ${s.roundsAdopting} adopted a mask`)
    console.log(
      `    control, honest peers' masks: ${s.honestCandidatesFetched} fetched, ${s.honestEvaluations} evaluations of ${s.honestContentIdsEvaluated} content ids; at most ${s.maxEvaluationsPerHonestContentId} of one content id by one node`
    )
  }
}
process.exit(0)
