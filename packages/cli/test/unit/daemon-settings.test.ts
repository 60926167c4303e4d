import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import * as agent from '@l2d2c/agent'
import { describe, expect, it } from 'vitest'
import { DAEMON_OPTIONS, envLayer } from '../../src/options/daemon-options.js'
import { run } from '../../src/program.js'

const X = 'ctgraph/d2b2/img1/leaf10'
const Y = 'ctgraph/d2b2/img1/leaf11'
const PEER = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
const ALLOWED = '12D3KooWJRpe8Qu4qGoiWTqPW14izBBhP1K9UfxCEGTvmrmP8Ny9'
const DENIED = '12D3KooWDSYwr7zoCHZSTcEW2Wvz7q4X5u77DKA8edkGqXiuEjdm'

/** For every setting: a value that differs from the default, as typed, and as resolved. */
const SAMPLES: Record<string, { text: string | null; value: unknown }> = {
  dataDir: { text: '/tmp/l2d2c-settings', value: '/tmp/l2d2c-settings' },
  peerKeyFile: { text: '/tmp/key', value: '/tmp/key' },
  listen: { text: '/ip4/127.0.0.1/tcp/7001', value: ['/ip4/127.0.0.1/tcp/7001'] },
  announce: { text: '/ip4/10.0.0.1/tcp/7001', value: ['/ip4/10.0.0.1/tcp/7001'] },
  bootstrap: { text: PEER, value: [PEER] },
  mdns: { text: null, value: true },
  relayServer: { text: null, value: true },
  relayReservation: { text: 'never', value: 'never' },
  upnp: { text: null, value: true },
  api: { text: '127.0.0.1:7002', value: '127.0.0.1:7002' },
  role: { text: 'evaluator', value: 'evaluator' },
  tasks: { text: `${X},${Y}`, value: { tasks: [X, Y], source: 'tasks' } },
  curriculum: { text: null, value: null }, // a file; covered by the config unit tests
  agentIndex: { text: null, value: null }, // only with a curriculum
  stepsPerTask: { text: '640', value: 640 },
  fixedBudget: { text: null, value: true },
  seed: { text: '42', value: 42 },
  backboneSeed: { text: '43', value: 43 },
  backend: { text: 'wasm', value: 'wasm' },
  maskInit: { text: 'lc', value: 'lc' },
  preset: { text: 'reference', value: 'reference' },
  closeToInit: { text: '2e-6', value: 2e-6 },
  encoding: { text: 'f16', value: 'f16' },
  'sharing.drop': { text: '0.25', value: 0.25 },
  'sharing.dropMode': { text: 'queries', value: 'queries' },
  'sharing.commPerTask': { text: '3', value: 3 },
  'sharing.importBasis': { text: '4', value: 4 },
  'sharing.hysteresis': { text: '0.5', value: 0.5 },
  'sharing.windowMs': { text: '900', value: 900 },
  'sharing.enabled': { text: null, value: false },
  'evaluation.episodes': { text: '7', value: 7 },
  'evaluation.everySteps': { text: '2560', value: 2560 },
  'evaluation.intervalMs': { text: '1500', value: 1500 },
  'evaluation.greedy': { text: null, value: true },
  announceIntervalMs: { text: '2000', value: 2000 },
  exitWhenDone: { text: null, value: true },
  paced: { text: null, value: true },
  'log.level': { text: 'debug', value: 'debug' },
  'log.format': { text: 'json', value: 'json' },
  'policy.serve': { text: 'ctgraph/**', value: ['ctgraph/**'] },
  'policy.accept': { text: 'minigrid/*Crossing*/**', value: ['minigrid/*Crossing*/**'] },
  'policy.acceptFrom': {
    text: '12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF',
    value: ['12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF']
  },
  'policy.adopt': { text: 'review', value: 'review' },
  'security.swarmKeyFile': { text: null, value: null }, // a file; covered by the config unit tests
  'security.allowPeers': { text: ALLOWED, value: [ALLOWED] },
  'security.allowPeersFile': { text: null, value: null }, // a file; covered by the config unit tests
  'security.denyPeers': { text: DENIED, value: [DENIED] },
  'security.maxConnectionsPerIp': { text: '4', value: 4 },
  'security.maxConnectionsPerPeer': { text: '2', value: 2 },
  'security.allowPrivateDial': { text: null, value: true },
  'dashboard.links': { text: '/tmp/l2d2c-sibling', value: ['/tmp/l2d2c-sibling'] }
}

const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], o)

async function checkConfig(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  let out = ''
  let err = ''
  const sink = (f: (s: string) => void): Writable =>
    new Writable({
      write(chunk, _enc, cb) {
        f(String(chunk))
        cb()
      }
    })
  const code = await run(['daemon', ...args, '--check-config'], {
    stdout: sink(s => {
      out += s
    }),
    stderr: sink(s => {
      err += s
    }),
    env
  })
  expect(code, err).toBe(0)
  return JSON.parse(out) as Record<string, unknown>
}

describe('the daemon settings table', () => {
  it("covers exactly the agent's settings, a flag form for each kind, and distinct paths, variables and flags", () => {
    expect(DAEMON_OPTIONS.map(o => o.path).sort()).toEqual(agent.DAEMON_SETTINGS.map(s => s.path).sort())
    expect(DAEMON_OPTIONS.map(o => o.path).sort()).toEqual(Object.keys(SAMPLES).sort())
    for (const key of ['path', 'env', 'flag'] as const)
      expect(new Set(DAEMON_OPTIONS.map(o => o[key])).size).toBe(DAEMON_OPTIONS.length)
    for (const o of DAEMON_OPTIONS) {
      const { kind } = agent.DAEMON_SETTINGS.find(s => s.path === o.path)!
      expect(o.flag.includes('<'), o.flag).toBe(kind !== 'boolean')
      expect(o.list !== undefined, o.flag).toBe(kind === 'list')
    }
  })

  it('reads the environment through the table: lists split at commas, empty values unset', () => {
    expect(
      envLayer(
        {
          L2D2C_TASKS: ` ${X}, ${Y} `,
          L2D2C_LISTEN: '/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2',
          L2D2C_QUERY_WINDOW_MS: '800',
          L2D2C_SEED: ''
        },
        agent
      )
    ).toEqual({
      tasks: [X, Y],
      listen: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'],
      sharing: { windowMs: '800' }
    })
  })

  it("refuses an unknown L2D2C_* variable (a misspelt name) but not the client's token", () => {
    let err: unknown
    try {
      envLayer({ L2D2C_STEPS_PER_TAKS: '5' }, agent)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(agent.ConfigError)
    expect(err).toMatchObject({ path: 'L2D2C_STEPS_PER_TAKS', source: 'env' })
    expect((err as Error).message).toMatch(/unknown variable \(known: .*L2D2C_STEPS_PER_TASK/)
    expect(envLayer({ L2D2C_API_TOKEN: 'secret', PATH: '/bin', L2D2C_SEED: '' }, agent)).toEqual({})
  })

  it('every flag and every variable sets its path, and a flag beats its variable', async () => {
    const flags: string[] = []
    const env: NodeJS.ProcessEnv = {}
    for (const s of DAEMON_OPTIONS) {
      const sample = SAMPLES[s.path]!
      if (sample.value === null) continue
      flags.push(...(sample.text === null ? [s.flag] : [s.flag.split(' ')[0]!, sample.text]))
      env[s.env] = sample.text ?? String(sample.value)
    }
    const fromFlags = await checkConfig(flags)
    const fromEnv = await checkConfig([], env)
    for (const s of DAEMON_OPTIONS) {
      const { value } = SAMPLES[s.path]!
      if (value === null) continue
      const path = s.path === 'tasks' ? 'curriculum' : s.path
      expect(get(fromFlags, path), s.flag).toEqual(value)
      expect(get(fromEnv, path), s.env).toEqual(value)
    }
    const both = await checkConfig(['--seed', '5', '--no-mdns', '--no-eval-greedy'], { ...env })
    expect(both).toMatchObject({ seed: 5, mdns: false, evaluation: { greedy: false } })
  })

  it('a repeated list flag keeps every value, whether the list is repeatable or comma-separated', async () => {
    const Z = 'ctgraph/d2b2/img2/leaf00'
    const [A, B] = ['/ip4/127.0.0.1/tcp/7001', '/ip4/127.0.0.1/tcp/7002']
    const P2 = PEER.replace('/tcp/4001/', '/tcp/4002/')
    const c = await checkConfig([
      '--data-dir',
      '/d',
      '--tasks',
      `${X},${Y}`,
      '--tasks',
      Z,
      '--listen',
      A,
      '--listen',
      B,
      '--announce',
      B,
      '--announce',
      A,
      '--bootstrap',
      PEER,
      '--bootstrap',
      P2
    ])
    expect(c).toMatchObject({
      curriculum: { tasks: [X, Y, Z] },
      listen: [A, B],
      announce: [B, A],
      bootstrap: [PEER, P2]
    })
  })

  it('every boolean flag has both forms, and either beats its variable', async () => {
    const booleans = DAEMON_OPTIONS.filter(s => !s.flag.includes('<'))
    expect(
      booleans.every(s => s.negatable === true),
      'a boolean flag without its opposite form'
    ).toBe(true)
    const env = { L2D2C_SHARING: 'false', L2D2C_EXIT_WHEN_DONE: 'true', L2D2C_MDNS: 'true', L2D2C_EVAL_GREEDY: 'true' }
    const off = await checkConfig(
      ['--data-dir', '/d', '--tasks', X, '--sharing', '--no-exit-when-done', '--no-mdns', '--no-eval-greedy'],
      env
    )
    expect(off).toMatchObject({
      sharing: { enabled: true },
      exitWhenDone: false,
      mdns: false,
      evaluation: { greedy: false }
    })
    const inverse = {
      L2D2C_SHARING: 'true',
      L2D2C_EXIT_WHEN_DONE: 'false',
      L2D2C_MDNS: 'false',
      L2D2C_EVAL_GREEDY: 'false'
    }
    const on = await checkConfig(
      ['--data-dir', '/d', '--tasks', X, '--no-sharing', '--exit-when-done', '--mdns', '--eval-greedy'],
      inverse
    )
    expect(on).toMatchObject({
      sharing: { enabled: false },
      exitWhenDone: true,
      mdns: true,
      evaluation: { greedy: true }
    })
  })

  it("the help pairs a --no- flag with its variable set to false, and states the booleans' defaults", async () => {
    let out = ''
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk)
        cb()
      }
    })
    await run(['daemon', '--help'], { stdout: sink, stderr: sink, env: {} })
    expect(out.replace(/\s+/g, ' ')).toMatch(
      /--no-sharing never ask peers for masks \(still serve own masks\) \(\$L2D2C_SHARING=false\)/
    )
    expect(out).toMatch(/--sharing +the opposite of --no-sharing/)
    expect(out.replace(/\s+/g, ' ')).toContain('(default false; $L2D2C_MDNS)')
    expect(out.replace(/\s+/g, ' ')).toContain('instead of serving masks (default false; $L2D2C_EXIT_WHEN_DONE)')
    expect(out).toMatch(/--no-exit-when-done +the opposite of --exit-when-done/)
  })

  it('a config file that cannot be read or parsed, or holds a bad setting, is a usage error (exit 2) naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2d2c-settings-'))
    try {
      const cfg = join(dir, 'config.json')
      const daemon = async (file: string): Promise<{ code: number; err: string }> => {
        let err = ''
        const sink = new Writable({
          write(chunk, _enc, cb) {
            err += String(chunk)
            cb()
          }
        })
        const code = await run(['daemon', '--data-dir', dir, '--config', file, '--check-config'], {
          stdout: sink,
          stderr: sink,
          env: {}
        })
        return { code, err }
      }
      expect(await daemon(join(dir, 'missing.json'))).toEqual({
        code: 2,
        err: expect.stringMatching(/^l2d2c: cannot read config file .*missing\.json: ENOENT/)
      })
      writeFileSync(cfg, '{ tasks: [] }')
      expect(await daemon(cfg)).toEqual({
        code: 2,
        err: expect.stringMatching(/^l2d2c: config file .*config\.json: not valid JSON/)
      })
      writeFileSync(cfg, JSON.stringify({ tasks: [X], sharing: { hysterisis: 0.9 } }))
      expect(await daemon(cfg)).toEqual({
        code: 2,
        err: expect.stringMatching(/^l2d2c: invalid configuration: sharing\.hysterisis: unknown setting.*config file/)
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('flags that were not typed leave lower layers alone', async () => {
    const c = await checkConfig(['--data-dir', '/tmp/x', '--tasks', X], {
      L2D2C_LISTEN: '/ip4/127.0.0.1/tcp/7001',
      L2D2C_SHARING: 'false',
      L2D2C_MDNS: 'true'
    })
    expect(c).toMatchObject({ listen: ['/ip4/127.0.0.1/tcp/7001'], mdns: true, sharing: { enabled: false } })
  })
})
