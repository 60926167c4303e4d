import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { labUnavailableReason, processAlive } from '../../src/lab/host.js'
import { CLI, runCli } from '../helpers.js'

/**
 * The lab end to end: the real `l2d2c lab` on the short topologies, in network namespaces.
 * Needs root, Linux, iproute2 and nftables; without them every test here is skipped with the
 * reason printed. Three short scenarios run at once (they are mostly waiting: ~1 minute in
 * all); LAB_TESTS=all adds lossy-short and swarm32-short (about 2 more minutes).
 */

const unavailable = labUnavailableReason()
if (unavailable !== null) console.log(`lab tests skipped: ${unavailable}`)
const everything = process.env.LAB_TESTS === 'all'
if (unavailable === null && !everything)
  console.log('lab tests: lossy-short and swarm32-short skipped (set LAB_TESTS=all to run them too)')

/** Why the CLI cannot be run as an unprivileged user here (no runuser, or the checkout is unreadable to nobody), or null. */
const asNobody: string | null = (() => {
  if (unavailable !== null) return unavailable
  const r = spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', CLI], { encoding: 'utf8' })
  return r.status === 0 ? null : 'runuser is missing or user nobody cannot read the built CLI'
})()
if (unavailable === null && asNobody !== null)
  console.log(`lab test "refuses to run without root" skipped: ${asNobody}`)

const scratch = mkdtempSync(join(tmpdir(), 'l2d2c-lab-test-'))
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
})

interface Check {
  name: string
  passed: boolean
  value: Record<string, unknown>
}
interface LabDocument {
  topology: string
  nodes: Array<{
    name: string
    namespace: string
    pids: number[]
    masks: Array<{ task: string; origin: string | null }>
    relayHopBytes: number | null
  }>
  checks: Check[]
  passed: boolean
}

/** Runs one topology and checks what must hold for every run: one document, nothing left behind. */
async function lab(name: string): Promise<{ code: number | null; doc: LabDocument; check: (n: string) => Check }> {
  const r = await runCli(['lab', name, '--json'], { timeoutMs: 280_000 })
  let doc: LabDocument
  try {
    doc = JSON.parse(r.stdout) as LabDocument
  } catch {
    throw new Error(`l2d2c lab ${name} printed no JSON document (exit ${r.code})\n${r.stderr}`)
  }
  expect(Object.keys(doc)).toEqual(['topology', 'nodes', 'checks', 'passed'])
  expect(doc.topology).toBe(name)
  for (const c of doc.checks) expect(Object.keys(c)).toEqual(['name', 'passed', 'value'])
  // Nothing of the run is left: its namespaces, its processes, its own cleanup check says so.
  const prefix = (doc.nodes[0]?.namespace ?? '').slice(0, 11)
  expect(prefix).toMatch(/^l2l-[0-9a-f]{6}-$/)
  const namespaces = execFileSync('ip', ['netns', 'list']).toString()
  expect(namespaces).not.toContain(prefix)
  for (const n of doc.nodes) for (const pid of n.pids) expect(processAlive(pid)).toBe(false)
  const check = (n: string): Check => {
    const c = doc.checks.find(x => x.name === n)
    if (c === undefined) throw new Error(`no check ${n} in ${name}`)
    return c
  }
  expect(check('cleanup')).toMatchObject({
    passed: true,
    value: { namespacesLeft: [], hostLinksLeft: [], processesLeft: [] }
  })
  expect(check('contained')).toMatchObject({ passed: true, value: { packetsRefused: 0 } })
  expect(doc.passed).toBe(doc.checks.every(c => c.passed || c.value.expectedFailure === true))
  expect(r.code).toBe(doc.passed ? 0 : 6)
  return { code: r.code, doc, check }
}

describe.skipIf(unavailable !== null)('l2d2c lab (network namespaces, real daemons)', () => {
  it.skipIf(asNobody !== null)('refuses to run without root, with exit code 3 and the reason', () => {
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI, 'lab', 'two-nat-sites-short'], {
      encoding: 'utf8'
    })
    expect(r.status).toBe(3)
    expect(r.stderr).toContain('the lab needs root')
  })

  it('refuses a bad topology file with exit code 2, naming the offending value', async () => {
    const file = join(scratch, 'bad.json')
    writeFileSync(
      file,
      JSON.stringify({
        durationSeconds: 30,
        segments: [{ name: 'net', subnet: '8.8.8.0/24', public: true }],
        nodes: [],
        checks: []
      })
    )
    const r = await runCli(['lab', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('segments[0].subnet: a public segment must lie in a documentation range')
  })

  it('--clean-stale removes the namespaces of a run whose lab is gone, with what runs in them', async () => {
    // A run id nobody owns (no owner file): what a lab killed with SIGKILL leaves behind.
    const ns = `l2l-${randomBytes(3).toString('hex')}-n-stale`
    execFileSync('ip', ['netns', 'add', ns])
    const sleeper = spawn('ip', ['netns', 'exec', ns, 'sleep', '120'], { stdio: 'ignore' })
    const exited = new Promise(resolve => sleeper.once('exit', resolve))
    try {
      const r = await runCli(['lab', '--clean-stale', '--json'])
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout).removed).toContain(ns)
      expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(ns)
      await exited
      expect(sleeper.signalCode).toBe('SIGKILL')
    } finally {
      sleeper.kill('SIGKILL')
      spawnSync('ip', ['netns', 'del', ns])
    }
  })

  it.concurrent("two-nat-sites-short: the NAT'd learners reach the relay and each other only through it, and one adopts the other's mask over that relayed connection", async () => {
    const { code, check, doc } = await lab('two-nat-sites-short')
    expect(check('connected').passed, JSON.stringify(doc.checks)).toBe(true)
    expect(check('adopted')).toMatchObject({
      passed: true,
      value: { adoptions: [{ node: 'a1', from: 'b1', origin: 'b1', adopted: true }] }
    })
    // fetched from b1 itself, which a1 reaches only through the relay, the relay holding no copy
    const over = check('adopted-over-relay')
    expect(over, JSON.stringify(over.value)).toMatchObject({
      passed: true,
      value: { adopted: true, directSeconds: null, relayHeldTask: false }
    })
    const bytes = over.value.relayedBytes as Record<string, { sent: number; received: number } | null>
    expect(bytes.a1?.received).toBeGreaterThan(3_000) // at least a DELTA mask crossed the relay
    expect(bytes.b1?.sent).toBeGreaterThan(3_000)
    // a1 and b1 met through the relay's Circuit Relay v2 service...
    expect(check('relayed')).toMatchObject({ passed: true, value: { directSeconds: null } })
    // ...and hole punching cannot turn that into a direct connection here: an expected failure, with the reason
    const direct = check('direct-after-holepunch')
    expect(direct.passed).toBe(false)
    expect(direct.value).toMatchObject({ connected: false, expectedFailure: true })
    expect(String(direct.value.expectedBecause)).toContain('DCUtR sends and dials public addresses only')
    // the relay node counted the circuits' bytes (its hop streams)
    const relay = doc.nodes.find(n => n.name === 'relay')
    expect(relay?.relayHopBytes).toBeGreaterThan(3_000)
    expect(doc.passed).toBe(true)
    expect(code).toBe(0)
  }, 300_000)

  it.concurrent('partition-short: the east side learns during the split; the west adopts it soon after the heal', async () => {
    const { code, check, doc } = await lab('partition-short')
    expect(check('learned-during-split-east').passed, JSON.stringify(doc.checks)).toBe(true)
    const healed = check('adopted-after-heal')
    expect(healed.passed, JSON.stringify(healed.value)).toBe(true)
    expect(healed.value.secondsCountedFrom).toBe('heal of split')
    expect(healed.value.seconds as number).toBeGreaterThanOrEqual(0)
    expect(code).toBe(0)
  }, 300_000)

  it.concurrent('churn-short: nodes killed with SIGKILL and restarted lose no mask and the collective reaches its target', async () => {
    const { code, check, doc } = await lab('churn-short')
    expect(check('collective-target').passed, JSON.stringify(doc.checks)).toBe(true)
    expect(check('no-masks-lost')).toMatchObject({
      passed: true,
      value: { kills: 4, restarts: 4, lost: [], corrupt: [] }
    })
    expect(code).toBe(0)
  }, 300_000)

  it.runIf(everything).concurrent(
    'lossy-short: adoption at 0, 5 and 20 % loss per link, with fetch latencies',
    async () => {
      const { code, check } = await lab('lossy-short')
      for (const p of [0, 5, 20]) {
        expect(check(`loss-adoption-${p}`).passed).toBe(true)
        expect(check(`fetch-latency-${p}`).value.p50Ms).toEqual(expect.any(Number))
      }
      expect(code).toBe(0)
    },
    300_000
  )

  it.runIf(everything).concurrent(
    'swarm32-short: a newcomer finds a mask one node holds; memory and gossip are measured',
    async () => {
      const { code, check } = await lab('swarm32-short')
      expect(check('find-mask').passed).toBe(true)
      expect(check('memory').value.nodes).toBe(8)
      expect(check('traffic').passed).toBe(true)
      expect(code).toBe(0)
    },
    300_000
  )
})
