import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dataDirPaths, type OwnIcrDocument, type StatusDocument } from '@l2d2c/protocol'
import { CLI, runCli, runInProcess } from '../helpers.js'
import { awaitExit, childEnvironment, logOutput, stopDaemons } from '../../src/demo/launcher.js'
import { startDaemon, waitStatus, type RunningDaemon } from '../daemon-harness.js'

const root = mkdtempSync(join(tmpdir(), 'l2d2c-e2e-'))
const running: RunningDaemon[] = []
afterAll(async () => {
  await Promise.all(
    running.map(async d => {
      await d.stop('SIGKILL')
    })
  )
  rmSync(root, { recursive: true, force: true })
})

/** A valid peer id nobody listens as (the compose demo key's). */
const DEAD_PEER = '12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
const X = 'ctgraph/d2b2/img1/leaf10'
const Y = 'ctgraph/d2b2/img1/leaf11'
const Z = 'ctgraph/d2b2/img2/leaf00'

describe('daemons and the CLI, end to end (real processes, libp2p over TCP on 127.0.0.1)', () => {
  it('status, peers, masks (local and remote), fetch, graceful stop', async () => {
    // A keeps the masks it trained (their origin is checked below): with sharing on, B's later
    // announcement of a better X would start a round on A and A would adopt B's mask.
    const a = await startDaemon(join(root, 'a'), [
      '--tasks',
      `${X},${Y}`,
      '--steps-per-task',
      '1280',
      '--seed',
      '1',
      '--no-sharing'
    ])
    running.push(a)
    const b = await startDaemon(join(root, 'b'), [
      '--tasks',
      X,
      '--steps-per-task',
      '1280',
      '--seed',
      '2',
      '--bootstrap',
      a.addr
    ])
    running.push(b)
    const sa = await waitStatus(a.dataDir, s => s.curriculum.done === true && s.masksHeld === 2)
    expect(sa).toMatchObject({
      peerId: a.peerId,
      role: 'learner',
      backend: 'wasm',
      task: null,
      masksHeld: 2,
      version: '0.1.0'
    })
    expect(sa.backboneId).toMatch(/^[0-9a-f]{32}$/)
    expect(sa.addrs[0]).toContain(`/p2p/${a.peerId}`)
    expect(typeof sa.uptimeSeconds).toBe('number')
    for (const k of [
      'peerId',
      'addrs',
      'role',
      'backend',
      'backboneId',
      'task',
      'masksHeld',
      'peersConnected',
      'uptimeSeconds',
      'budget',
      'ownIcr',
      'tasksLearned',
      'tasksAdopted',
      'stepsSaved',
      'evalSteps',
      'bytesSent',
      'bytesReceived'
    ])
      expect(sa).toHaveProperty(k)
    // 1,280 steps per task is too short to master a task (two evaluations 1,280 apart at 0.9).
    expect(sa).toMatchObject({ budget: 'mastery', totalSteps: 2560, tasksLearned: 0, tasksAdopted: 0, stepsSaved: 0 })
    expect(sa.evalSteps).toBeGreaterThan(0)
    expect(sa.bytesSent).toBeGreaterThan(0)
    // Its own ICR after the curriculum: the returns it measured itself on both tasks.
    expect(sa.ownIcr).toBeGreaterThanOrEqual(0)
    expect(sa.ownIcr).toBeLessThanOrEqual(2)
    await waitStatus(b.dataDir, s => s.curriculum.done === true && s.peersConnected >= 1)

    // peers: B knows A, connected.
    const peers = JSON.parse((await runCli(['peers', '--data-dir', b.dataDir, '--json'])).stdout)
    expect(peers.peers.find((p: { peerId: string }) => p.peerId === a.peerId)).toMatchObject({ connected: true })
    const humanPeers = await runCli(['peers', '--data-dir', b.dataDir])
    expect(humanPeers.stdout).toContain(a.peerId)

    // masks: the local daemon's view and the remote view of the same node agree.
    const local = JSON.parse((await runCli(['masks', '--data-dir', a.dataDir, '--json'])).stdout)
    expect(local.peer).toBe(a.peerId)
    expect(local.masks.map((m: { taskKey: string }) => m.taskKey)).toEqual([X, Y])
    for (const m of local.masks) {
      expect(Object.keys(m)).toEqual(expect.arrayContaining(['taskKey', 'cid', 'reward', 'steps', 'bytes', 'origin']))
      expect(m.bytes).toBeLessThanOrEqual(14_000)
      expect(m.origin).toBe(a.peerId)
      // Each encoding's size: BITS as `bytes`; DELTA (the daemon rebuilds its tasks' bases) far below it.
      expect(m.encodings).toEqual(['delta', 'bits', 'f16', 'f32'])
      expect(m.sizes.bits).toBe(m.bytes)
      expect(m.sizes.f32).toBeGreaterThan(32 * (m.bytes - 200))
      expect(m.sizes.delta).toBeLessThan(m.bytes / 2)
    }
    const remote = await runCli(['masks', '--peer', a.addr, '--json'])
    expect(remote.code, remote.stderr).toBe(0)
    const rdoc = JSON.parse(remote.stdout)
    expect(rdoc.peer).toBe(a.peerId)
    expect(rdoc.backboneId).toBe(local.backboneId)
    expect(rdoc.masks.map((m: { taskKey: string; cid: string }) => [m.taskKey, m.cid])).toEqual(
      local.masks.map((m: { taskKey: string; cid: string }) => [m.taskKey, m.cid])
    )

    // fetch from the remote node, verify, save; the file inspects as valid.
    const out = join(root, 'fetched.l2dm')
    const f = await runCli(['fetch', Y, '--peer', a.addr, '--out', out, '--json'])
    expect(f.code, f.stderr).toBe(0)
    expect(JSON.parse(f.stdout)).toMatchObject({ task: Y, peer: a.peerId, file: out, encoding: 'bits' })
    const inspected = JSON.parse((await runCli(['mask', 'inspect', out, '--json'])).stdout)
    expect(inspected).toMatchObject({
      taskKey: Y,
      cidValid: true,
      encoding: 'bits',
      backboneId: local.backboneId,
      cid: local.masks[1].cid
    })
    // A task the remote does not hold, and a dead address.
    expect((await runCli(['fetch', 'ctgraph/d2b2/img4/leaf00', '--peer', a.addr])).code).toBe(4)
    const dead = a.addr.replace(/\/tcp\/[0-9]+/, '/tcp/1')
    const unreachable = await runCli(['masks', '--peer', dead, '--timeout-ms', '2000'])
    expect([4, 5]).toContain(unreachable.code)

    // Graceful stop: exit 0, discovery file and lock removed, state kept.
    expect(await b.stop('SIGTERM')).toBe(0)
    expect(existsSync(dataDirPaths(b.dataDir).discovery)).toBe(false)
    expect(existsSync(dataDirPaths(b.dataDir).lock)).toBe(false)
    expect(existsSync(dataDirPaths(b.dataDir).state)).toBe(true)
    expect((await runInProcess(['status', '--data-dir', b.dataDir])).code).toBe(3)
  }, 180_000)

  it('a daemon killed with SIGKILL and restarted keeps its peer id, masks and progress', async () => {
    const dir = join(root, 'k')
    const d = await startDaemon(dir, ['--tasks', `${X},${Y}`, '--steps-per-task', '2560'])
    await waitStatus(dir, s => s.curriculum.index >= 1)
    const before = JSON.parse((await runCli(['masks', '--data-dir', dir, '--json'])).stdout)
    expect(before.masks.length).toBeGreaterThanOrEqual(1)
    await d.stop('SIGKILL')
    expect(existsSync(dataDirPaths(dir).lock)).toBe(true) // a stale lock, taken over at restart
    const again = await startDaemon(dir, ['--tasks', `${X},${Y}`, '--steps-per-task', '2560'])
    running.push(again)
    expect(again.peerId).toBe(d.peerId)
    const after = JSON.parse((await runCli(['masks', '--data-dir', dir, '--json'])).stdout)
    for (const m of before.masks) expect(after.masks.map((x: { taskKey: string }) => x.taskKey)).toContain(m.taskKey)
    expect(readdirSync(dataDirPaths(dir).masks).filter(n => n.endsWith('.tmp'))).toEqual([])
    const s = await waitStatus(dir, x => x.curriculum.done === true)
    expect(s.masksHeld).toBe(2)
    await again.stop()
  }, 180_000)

  it('serves /health without the token, /metrics and everything else only with it; masks_held is live', async () => {
    const dir = join(root, 'metrics')
    // Fixed budgets: each task trains its 6,400 steps, so the scrape below lands during training.
    const d = await startDaemon(dir, [
      '--tasks',
      `${X},${Y},${Z}`,
      '--steps-per-task',
      '6400',
      '--no-sharing',
      '--fixed-budget'
    ])
    running.push(d)
    const { api } = JSON.parse(readFileSync(dataDirPaths(dir).discovery, 'utf8')) as { api: string }
    const token = readFileSync(dataDirPaths(dir).token, 'utf8').trim()
    // Scrape like Prometheus (nothing calls /v1/status) until the learner is past its first
    // task: that task's mask is stored by then, and the metric must show it. Three tasks leave
    // two tasks' time for a late scrape to still see training.
    const deadline = Date.now() + 90_000
    let text = ''
    const steps = (): number => Number(/^l2d2c_env_steps_total ([0-9]+)$/m.exec(text)?.[1] ?? 0)
    while (steps() <= 6400 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 200))
      const metrics = await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      expect(metrics.status).toBe(200)
      text = await metrics.text()
    }
    expect(steps()).toBeGreaterThan(6400)
    expect(steps(), 'scraped during training').toBeLessThan(3 * 6400)
    expect(text).toMatch(/^l2d2c_masks_held [12]$/m)
    for (const name of [
      'l2d2c_env_steps_total',
      'l2d2c_episodes_total',
      'l2d2c_ppo_iterations_total',
      'l2d2c_adoptions_total',
      'l2d2c_query_rounds_total',
      'l2d2c_masks_held',
      'l2d2c_peers',
      'l2d2c_task_return',
      'l2d2c_bytes',
      'l2d2c_latency_seconds',
      'l2d2c_event_loop_lag_seconds',
      'l2d2c_eval_steps_total',
      'l2d2c_own_icr',
      'l2d2c_tasks_learned',
      'l2d2c_tasks_adopted',
      'l2d2c_steps_saved'
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'))
    }
    expect(text, 'a learner publishes no ICR').not.toMatch(/^# TYPE l2d2c_icr /m)
    expect(text).toMatch(new RegExp(`^l2d2c_task_return\\{task="${X}"\\} `, 'm'))
    expect((await fetch(`${api}/health`)).status).toBe(200)
    expect((await fetch(`${api}/metrics`)).status).toBe(401)
    expect((await fetch(`${api}/v1/status`)).status).toBe(401)
    expect((await fetch(`${api}/v1/status`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status).toBe(
      401
    )
    const status = await fetch(`${api}/v1/status`, { headers: { authorization: `Bearer ${token}` } })
    expect(status.status).toBe(200)
    const doc = (await status.json()) as StatusDocument
    expect(doc.masksHeld).toBeGreaterThanOrEqual(1)
    expect(doc).toMatchObject({ budget: 'fixed', tasksAdopted: 0, stepsSaved: 0 })
    expect(Number(/^l2d2c_eval_steps_total ([0-9]+)$/m.exec(text)?.[1])).toBeGreaterThan(0)
    // The own-ICR samples: one at the start (nothing held yet), one at the first task's end at least.
    expect((await fetch(`${api}/v1/own-icr`)).status).toBe(401)
    const own = (await (
      await fetch(`${api}/v1/own-icr`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as OwnIcrDocument
    expect(own.tasks).toEqual([X, Y, Z])
    expect(own.history[0]).toMatchObject({ steps: 0, ownIcr: 0 })
    expect(own.history.at(-1)!.steps).toBeGreaterThanOrEqual(6400)
    expect(own.history.at(-1)!.perTask[X]).toBeGreaterThan(0)
    expect(doc.ownIcr).toBeGreaterThanOrEqual(0)
    expect(await d.stop()).toBe(0)
  }, 120_000)

  it('a SIGTERM during start-up is honoured once the daemon has started', async () => {
    const dir = join(root, 'early')
    mkdirSync(dir)
    // An unreachable bootstrap peer keeps start() waiting for it (up to 5 s).
    const child = spawn(
      process.execPath,
      [
        CLI,
        'daemon',
        '--data-dir',
        dir,
        '--log-format',
        'json',
        '--backend',
        'wasm',
        '--tasks',
        X,
        '--bootstrap',
        `/ip4/127.0.0.1/tcp/1/p2p/${DEAD_PEER}`
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment(process.env) }
    )
    const log = dataDirPaths(dir).log
    const exited = logOutput(child, log)
    const out = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '')
    try {
      const deadline = Date.now() + 30_000
      while (!out().includes('"learner ready"')) {
        if (child.exitCode !== null) throw new Error(out())
        if (Date.now() > deadline) throw new Error(`no "learner ready" within 30 s:\n${out()}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      expect(out()).not.toContain('"daemon started"')
      child.kill('SIGTERM')
      expect(await awaitExit({ process: child, exited }, 20_000), out()).toBe(0)
      expect(out()).toContain('"stopped"')
      expect(existsSync(dataDirPaths(dir).discovery)).toBe(false)
      expect(existsSync(dataDirPaths(dir).lock)).toBe(false)
    } finally {
      // Whatever failed above, no daemon outlives the test (it would train and serve forever).
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }, 60_000)

  // The checks themselves are unit-tested (agent's config.test.ts, and in-process through the
  // CLI in daemon-settings.test.ts); this covers the exit code and message of an invalid
  // configuration (refused before anything starts, so in this process) and of a daemon that
  // cannot serve its control API (the binary).
  it('configuration errors and a taken control API port exit 2 with the problem', async () => {
    const d = join(root, 'bad')
    const bad = await runInProcess(['daemon', '--data-dir', d, '--tasks', X, '--drop', '2'])
    expect(bad.code, bad.stderr).toBe(2)
    expect(bad.stderr).toMatch(
      /^l2d2c: invalid configuration: sharing\.drop: must be a number in \[0, 1\].*from a flag/m
    )
    // A control API port that is already taken is a setup problem (exit 2), not a crash.
    const taken = createServer()
    await new Promise<void>(resolve => {
      taken.listen(0, '127.0.0.1', resolve)
    })
    const port = (taken.address() as AddressInfo).port
    const busy = await runCli([
      'daemon',
      '--data-dir',
      d,
      '--tasks',
      X,
      '--backend',
      'wasm',
      '--api',
      `127.0.0.1:${port}`
    ])
    await new Promise(resolve => {
      taken.close(resolve)
    })
    expect(busy.code, busy.stderr).toBe(2)
    expect(busy.stderr).toContain(`l2d2c: cannot serve the control API on 127.0.0.1:${port}: address in use`)
    expect(existsSync(dataDirPaths(d).lock), 'the lock is released').toBe(false)
  }, 60_000)

  it('refuses a second daemon on the same data dir', async () => {
    const dir = join(root, 'dup')
    const first = await startDaemon(dir, ['--tasks', X, '--steps-per-task', '640'])
    running.push(first)
    const second = await runCli(['daemon', '--data-dir', dir, '--tasks', X])
    expect(second.code).toBe(3)
    expect(second.stderr).toMatch(/in use by another l2d2c daemon/)
    // The demo's way to stop a child: /v1/stop, no signal (a second one would force it out).
    await stopDaemons([first.child])
    expect(await first.child.exited).toBe(0)
    expect(first.log()).toContain('"stopped"')
    expect(first.log()).not.toContain('received, stopping')
    expect(existsSync(dataDirPaths(dir).lock)).toBe(false)
  }, 60_000)
})
