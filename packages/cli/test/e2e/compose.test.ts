import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { dataDirPaths } from '@l2d2c/protocol'
import { parse } from 'yaml'
import { CLI, runInProcess } from '../helpers.js'
import { childEnvironment } from '../../src/demo/launcher.js'

/**
 * docker/compose.yaml cannot run here (no Docker engine), so this checks every service's
 * command and environment with the daemon's own config validation, then runs the same
 * topology as local processes: each service on its own loopback address 127.0.0.x, with the
 * compose file's commands and variables, rewritten only where a container differs from a
 * process (host names and 0.0.0.0 → its 127.0.0.x, /config → docker/config, /data → a temp
 * dir) plus a smaller step budget (L2D2C_STEPS_PER_TASK) so it fits in CI.
 */
const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const compose = parse(readFileSync(join(repo, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command: string[]; environment: Record<string, string> }>
}
const names = Object.keys(compose.services)
const curriculumSteps = (
  JSON.parse(readFileSync(join(repo, 'docker/config/curriculum.json'), 'utf8')) as { stepsPerTask: number }
).stepsPerTask
const ip = (name: string): string => `127.0.0.${names.indexOf(name) + 2}`
const root = mkdtempSync(join(tmpdir(), 'l2d2c-compose-'))
const children: ChildProcess[] = []
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
})

function localise(name: string, text: string): string {
  let t = text
    .replaceAll('/ip4/0.0.0.0/', `/ip4/${ip(name)}/`)
    .replaceAll('/config/', `${join(repo, 'docker/config')}/`)
  for (const other of names) t = t.replaceAll(`/dns4/${other}/`, `/ip4/${ip(other)}/`)
  return t
}

/** A service as a local process; stepsPerTask, when given, overrides the curriculum's budget. */
function serviceProcess(name: string, stepsPerTask: string | null): { args: string[]; env: NodeJS.ProcessEnv } {
  const svc = compose.services[name]!
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(svc.environment)) env[k] = localise(name, String(v))
  env.L2D2C_DATA_DIR = join(root, name)
  env.L2D2C_API = `${ip(name)}:5001`
  if (stepsPerTask !== null) env.L2D2C_STEPS_PER_TASK = stepsPerTask
  return { args: svc.command.map(a => localise(name, String(a))), env }
}

describe('docker/compose.yaml', () => {
  it('declares 4 learners with different curricula and one evaluator, with volumes and health checks', () => {
    expect(names).toEqual(['agent-1', 'agent-2', 'agent-3', 'agent-4', 'evaluator'])
    const indices = names
      .slice(0, 4)
      .map(n => compose.services[n]!.command[compose.services[n]!.command.indexOf('--agent-index') + 1])
    expect(new Set(indices).size).toBe(4)
    for (const n of names) {
      const svc = compose.services[n] as unknown as {
        volumes: string[]
        healthcheck: { test: string[] }
        init: boolean
        stop_grace_period: string
      }
      expect(svc.volumes.some(v => v.endsWith(':/data'))).toBe(true)
      expect(svc.healthcheck.test).toEqual(['CMD', 'l2d2c', 'status'])
      expect(svc.init).toBe(true)
      // An explicit setting beats the curriculum file's: editing the file would do nothing.
      for (const name of ['L2D2C_STEPS_PER_TASK', 'L2D2C_SEED'])
        expect(compose.services[n]!.environment, n).not.toHaveProperty(name)
      // Longer than the daemon's stop grace (STOP_GRACE_MS in agent/src/daemon/daemon.ts, 30 s,
      // not exported), or docker SIGKILLs a graceful stop.
      expect(/^([0-9]+)s$/.exec(svc.stop_grace_period)?.[1], n).toSatisfy((s: string | undefined) => Number(s) > 30)
    }
  })

  it('the image runs as a non-root user on a base pinned by digest, and only agent-1 uses the demo key', () => {
    const dockerfile = readFileSync(join(repo, 'docker/Dockerfile'), 'utf8')
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=[^\s@]+@sha256:[0-9a-f]{64}$/m)
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '))
    // the USER line with the stage's ARG defaults filled in
    const user = (/^USER (\S+)$/m.exec(runtime)?.[1] ?? 'root').replace(
      /\$\{(\w+)\}/g,
      (_, name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(runtime)?.[1] ?? ''
    )
    expect(user).toMatch(/^[0-9a-z]+(:[0-9a-z]+)?$/)
    expect(user).not.toMatch(/^(root|0)(:|$)/)
    expect(runtime.indexOf('USER ')).toBeLessThan(runtime.indexOf('ENTRYPOINT'))
    for (const n of names) {
      const uses = JSON.stringify(compose.services[n]).includes('demo-only.key')
      expect(uses, n).toBe(n === 'agent-1')
    }
  })

  it("every service's command and environment pass the daemon's own config validation", async () => {
    for (const name of names) {
      const { args, env } = serviceProcess(name, null)
      const r = await runInProcess([...args, '--check-config'], { env })
      expect(r.code, `${name}: ${r.stderr}`).toBe(0)
      const cfg = JSON.parse(r.stdout)
      expect(cfg.role).toBe(name === 'evaluator' ? 'evaluator' : 'learner')
      expect(cfg.curriculum.tasks.length).toBe(16)
      // Each learner runs on its curriculum entry's own seed (1..4) and the file's step budget:
      // nothing in the compose environment overrides them.
      if (name !== 'evaluator')
        expect({ seed: cfg.seed, stepsPerTask: cfg.stepsPerTask }, name).toEqual({
          seed: names.indexOf(name) + 1,
          stepsPerTask: curriculumSteps
        })
      if (name !== 'agent-1')
        expect(cfg.bootstrap[0]).toContain('/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF')
    }
  })

  it('the same topology as local processes on 127.0.0.x: masks flow from the learners to the evaluator', async () => {
    for (const name of names) {
      const { args, env } = serviceProcess(name, '12800')
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { ...childEnvironment(process.env), ...env, L2D2C_BACKEND: 'wasm' },
        stdio: 'ignore'
      })
      children.push(child)
    }
    // agent-1's peer id is the one every bootstrap address names (the committed demo key).
    const deadline = Date.now() + 150_000
    let evaluation: { latest: { perTask: Record<string, number> } | null } = { latest: null }
    let sources = new Set<string>()
    while (Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 2000))
      if (!existsSync(dataDirPaths(join(root, 'evaluator')).discovery)) continue
      const status = await runInProcess(['status', '--data-dir', join(root, 'agent-1'), '--json'])
      if (status.code === 0) {
        const s = JSON.parse(status.stdout)
        expect(s.peerId).toBe('12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF')
        // the committed key says so wherever it runs
        expect(s.exposure).toMatchObject({ demoPeerKey: true, swarmKey: false })
      }
      const peers = await runInProcess(['peers', '--data-dir', join(root, 'evaluator'), '--json'])
      if (peers.code !== 0) continue
      const known = (JSON.parse(peers.stdout) as { peers: Array<{ peerId: string; role: string; masks: number }> })
        .peers
      sources = new Set(known.filter(p => p.role === 'learner' && p.masks > 0).map(p => p.peerId))
      const log = dataDirPaths(join(root, 'evaluator')).evaluationJsonl
      if (!existsSync(log)) continue
      evaluation = JSON.parse(
        readFileSync(dataDirPaths(join(root, 'evaluator')).evaluationJsonl, 'utf8')
          .trim()
          .split('\n')
          .at(-1) ?? '{}'
      )
      const contributing = Object.values(
        (evaluation as unknown as { perTask: Record<string, number> }).perTask ?? {}
      ).filter(v => v > 0).length
      if (sources.size >= 3 && contributing >= 2) break
    }
    expect(sources.size, 'learners whose announced masks reached the evaluator').toBeGreaterThanOrEqual(3)
    const perTask = (evaluation as unknown as { perTask: Record<string, number> }).perTask ?? {}
    expect(
      Object.values(perTask).filter(v => v > 0).length,
      'tasks the evaluator measured from fetched masks'
    ).toBeGreaterThanOrEqual(2)
  }, 200_000)
})
