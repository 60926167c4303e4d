/**
 * pnpm bench:soak [--nodes 4] [--minutes 60] [--warmup-minutes 10] [--sample-seconds 30] [--json]
 *
 * A long run of real daemons (the CLI, TCP on 127.0.0.1): one bootstrap learner, learners and
 * an evaluator that keeps querying, each a separate process. Every sample reads each
 * daemon's resident memory (/proc) and its event-loop lag (p99 and max since it started,
 * from /metrics); at the end it prints the series and the growth of RSS from the end of the
 * warm-up to the end (the issue's bar: under 10 %). A process that exits early fails the run. Linux only (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ControlClient } from '@l2d2c/protocol'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '4' },
    minutes: { type: 'string', default: '60' },
    'warmup-minutes': { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false }
  }
})
const NODES = Math.max(2, Number(values.nodes))
const MINUTES = Number(values.minutes)
const WARMUP = Number(values['warmup-minutes'])
const SAMPLE_S = Number(values['sample-seconds'])
const log = (s: string): void => {
  process.stderr.write(`${s}\n`)
}

const TASKS = [
  'ctgraph/d2b2/img1/leaf00',
  'ctgraph/d2b2/img1/leaf01',
  'ctgraph/d2b2/img1/leaf10',
  'ctgraph/d2b2/img1/leaf11'
]
const cli = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'l2d2c-soak-'))

interface Soaked {
  name: string
  dir: string
  proc: ChildProcess
  client: ControlClient | null
  exited: string | null
}

function start(i: number, bootstrap: string | null): Soaked {
  const name = i === 0 ? 'boot' : i === NODES - 1 ? 'evaluator' : `learner-${i}`
  const dir = join(root, name)
  const role = i === NODES - 1 ? 'evaluator' : 'learner'
  const args = [
    cli,
    'daemon',
    '--data-dir',
    dir,
    '--role',
    role,
    '--tasks',
    // learners learn two tasks each (then serve), the evaluator evaluates all of them
    role === 'evaluator' ? TASKS.join(',') : [TASKS[i % 4], TASKS[(i + 1) % 4]].join(','),
    '--steps-per-task',
    '5120',
    '--seed',
    String(100 + i),
    '--backend',
    'wasm',
    '--log-level',
    'warn',
    '--announce-interval-ms',
    '5000',
    '--eval-interval-ms',
    '5000',
    ...(bootstrap === null ? [] : ['--bootstrap', bootstrap])
  ]
  const proc = spawn(process.execPath, args, { stdio: 'ignore' })
  const s: Soaked = { name, dir, proc, client: null, exited: null }
  proc.once('exit', (code, signal) => {
    s.exited = `exited (${code ?? signal})`
  })
  return s
}

async function discovery(s: Soaked): Promise<{ addrs: string[]; api: string }> {
  for (;;) {
    if (s.exited !== null) throw new Error(`${s.name} ${s.exited} before serving`)
    try {
      const d = JSON.parse(readFileSync(join(s.dir, 'daemon.json'), 'utf8'))
      s.client = new ControlClient({ url: d.api, token: readFileSync(join(s.dir, 'api.token'), 'utf8').trim() })
      return d
    } catch {
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  }
}

function rssMB(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? null : Math.round(Number(m[1]) / 102.4) / 10
  } catch {
    return null
  }
}

function metric(text: string, name: string, quantile: string): number | null {
  const m = new RegExp(`^${name}\\{quantile="${quantile}"\\} ([0-9.e+-]+)$`, 'm').exec(text)
  return m === null ? null : Number(m[1])
}

interface Sample {
  minute: number
  rssMB: Array<number | null>
  lagP99Ms: Array<number | null>
  lagMaxMs: Array<number | null>
  peers: Array<number | null>
}

const nodes: Soaked[] = [start(0, null)]
const boot = await discovery(nodes[0] as Soaked)
for (let i = 1; i < NODES; i++) nodes.push(start(i, boot.addrs[0] as string))
await Promise.all(nodes.slice(1).map(discovery))
log(`soak: ${NODES} daemons up in ${root}; ${MINUTES} min, a sample every ${SAMPLE_S} s, warm-up ${WARMUP} min`)

const t0 = Date.now()
const samples: Sample[] = []
let failure: string | null = null
const stopAll = (): void => {
  for (const n of nodes) n.proc.kill('SIGTERM')
}
process.once('SIGINT', () => {
  failure = 'interrupted'
})
while (Date.now() - t0 < MINUTES * 60_000 && failure === null) {
  await new Promise(resolve => setTimeout(resolve, SAMPLE_S * 1000))
  const dead = nodes.find(n => n.exited !== null)
  if (dead !== undefined) {
    failure = `${dead.name} ${dead.exited}`
    break
  }
  const sample: Sample = { minute: (Date.now() - t0) / 60_000, rssMB: [], lagP99Ms: [], lagMaxMs: [], peers: [] }
  for (const n of nodes) {
    sample.rssMB.push(rssMB(n.proc.pid))
    const text = await n.client?.text('/metrics').catch(() => null)
    const status = await n.client?.get<{ peersConnected: number }>('/v1/status').catch(() => null)
    const ms = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e4) / 10)
    sample.lagP99Ms.push(text == null ? null : ms(metric(text, 'l2d2c_event_loop_lag_seconds', '0.99')))
    sample.lagMaxMs.push(text == null ? null : ms(metric(text, 'l2d2c_event_loop_lag_seconds', 'max')))
    sample.peers.push(status?.peersConnected ?? null)
  }
  samples.push(sample)
  log(
    `${sample.minute.toFixed(1).padStart(6)} min  rss MB ${sample.rssMB.join(' / ')}  lag p99 ms ${sample.lagP99Ms.join(' / ')}  peers ${sample.peers.join(' / ')}`
  )
}
stopAll()
await new Promise(resolve => setTimeout(resolve, 3000))
for (const n of nodes) n.proc.kill('SIGKILL')
rmSync(root, { recursive: true, force: true })

// growth per node: mean RSS of the samples in the last tenth of the run vs. at the end of the warm-up
const after = samples.filter(s => s.minute >= WARMUP)
const growth = nodes.map((n, i) => {
  const series = after.map(s => s.rssMB[i]).filter((v): v is number => v !== null)
  if (series.length < 2) return { node: n.name, warmMB: null, endMB: null, growthPercent: null }
  const k = Math.max(1, Math.floor(series.length / 10))
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
  const warm = mean(series.slice(0, k))
  const end = mean(series.slice(-k))
  return {
    node: n.name,
    warmMB: Math.round(warm),
    endMB: Math.round(end),
    growthPercent: Math.round(((end - warm) / warm) * 1000) / 10
  }
})
const result = {
  nodes: NODES,
  minutes: MINUTES,
  warmupMinutes: WARMUP,
  failure,
  growth,
  maxLagP99Ms: Math.max(...samples.flatMap(s => s.lagP99Ms.filter((v): v is number => v !== null)), 0),
  samples
}
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`)
else {
  log('')
  for (const g of growth)
    log(
      `${g.node.padEnd(10)} RSS after warm-up ${g.warmMB} MB, at the end ${g.endMB} MB: ${g.growthPercent === null ? 'n/a' : `${g.growthPercent > 0 ? '+' : ''}${g.growthPercent} %`}`
    )
  log(`largest event-loop lag p99 of any sample: ${result.maxLagP99Ms} ms`)
  if (failure !== null) log(`FAILED: ${failure}`)
}
process.exitCode = failure === null ? 0 : 1
