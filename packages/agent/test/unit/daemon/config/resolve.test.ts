import { describe, expect, it } from 'vitest'
import { ConfigError, DAEMON_DEFAULTS as DEFAULTS } from '../../../../src/daemon/config/daemon-config.js'
import { resolveDaemonConfig, type ResolveInput } from '../../../../src/daemon/config/resolve.js'
import { META_CTGRAPH_TASKS } from '../../../../src/envs/task-key.js'

const X = 'ctgraph/d2b2/img1/leaf10'
const Y = 'ctgraph/d2b2/img1/leaf11'
const base = { dataDir: '/data', tasks: [X] }

/** A two-agent curriculum file; the second agent has no seed of its own. */
const CURRICULUM = JSON.stringify({
  version: 1,
  stepsPerTask: 640,
  agents: [{ tasks: [X, Y], stepsPerTask: 1280, seed: 7 }, { tasks: [Y, X] }]
})
const files: Record<string, string> = { '/c.json': CURRICULUM }
const readFile = (path: string): string => {
  const text = files[path]
  if (text === undefined) throw new Error('ENOENT: no such file')
  return text
}

function configError(input: ResolveInput): ConfigError {
  try {
    resolveDaemonConfig(input)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('no ConfigError thrown')
}

describe('resolveDaemonConfig', () => {
  it('fills every setting from the defaults', () => {
    const c = resolveDaemonConfig({ flags: base })
    expect(c).toMatchObject({
      dataDir: '/data',
      listen: DEFAULTS.listen,
      api: DEFAULTS.api,
      role: 'learner',
      stepsPerTask: DEFAULTS.stepsPerTask,
      seed: DEFAULTS.seed,
      encoding: 'delta',
      sharing: DEFAULTS.sharing,
      evaluation: DEFAULTS.evaluation,
      log: DEFAULTS.log
    })
    expect(c.curriculum).toEqual({ tasks: [X], source: 'tasks' })
    expect(c.peerKeyFile).toBeNull()
  })

  it('layers flags over the environment over the file over the defaults, nested keys one by one', () => {
    const c = resolveDaemonConfig({
      file: { seed: 5, stepsPerTask: 100, sharing: { commPerTask: 2, windowMs: 700 }, log: { level: 'warn' } },
      env: { seed: '6', stepsPerTask: '200', sharing: { windowMs: '800' }, dataDir: '/env' },
      flags: { ...base, seed: '7' }
    })
    expect(c).toMatchObject({
      dataDir: '/data',
      seed: 7,
      stepsPerTask: 200,
      sharing: { commPerTask: 2, windowMs: 800, hysteresis: 0.9 },
      log: { level: 'warn', format: 'auto' }
    })
  })

  it('expands the meta-ctgraph shorthand, and splits a tasks text at commas', () => {
    expect(resolveDaemonConfig({ flags: { dataDir: '/d', tasks: ['meta-ctgraph'] } }).curriculum.tasks).toEqual([
      ...META_CTGRAPH_TASKS
    ])
    const c = resolveDaemonConfig({ env: { dataDir: '/d', tasks: ` ${X}, ${Y} ` } })
    expect(c.curriculum.tasks).toEqual([X, Y])
  })

  it('takes a single multiaddr text as a one-element list', () => {
    expect(resolveDaemonConfig({ flags: { ...base, listen: '/ip4/127.0.0.1/tcp/1' } }).listen).toEqual([
      '/ip4/127.0.0.1/tcp/1'
    ])
  })

  it('takes tasks, steps per task and seed from the curriculum entry; explicit settings win', () => {
    const first = resolveDaemonConfig({ flags: { dataDir: '/d', curriculum: '/c.json' }, readFile })
    expect(first).toMatchObject({ curriculum: { tasks: [X, Y], source: '/c.json#0' }, stepsPerTask: 1280, seed: 7 })
    // The second entry has no seed or budget of its own: the file's budget, the default seed.
    const second = resolveDaemonConfig({ flags: { dataDir: '/d', curriculum: '/c.json', agentIndex: '1' }, readFile })
    expect(second).toMatchObject({
      curriculum: { tasks: [Y, X], source: '/c.json#1' },
      stepsPerTask: 640,
      seed: DEFAULTS.seed
    })
    expect(resolveDaemonConfig({ flags: { dataDir: '/d', curriculum: '/c.json', seed: '3' }, readFile }).seed).toBe(3)
    expect(
      resolveDaemonConfig({ env: { seed: '4' }, flags: { dataDir: '/d', curriculum: '/c.json' }, readFile }).seed
    ).toBe(4)
    expect(
      resolveDaemonConfig({
        file: { seed: 0, stepsPerTask: 99 },
        flags: { dataDir: '/d', curriculum: '/c.json' },
        readFile
      })
    ).toMatchObject({ seed: 0, stepsPerTask: 99 })
  })

  it("a higher layer's tasks replace a lower layer's curriculum and the other way round", () => {
    expect(resolveDaemonConfig({ file: { curriculum: '/c.json' }, flags: base, readFile }).curriculum.source).toBe(
      'tasks'
    )
    expect(
      resolveDaemonConfig({ file: { tasks: [Y] }, flags: { dataDir: '/d', curriculum: '/c.json' }, readFile })
        .curriculum.source
    ).toBe('/c.json#0')
  })

  it('refuses bad values with the path and the layer', () => {
    const cases: Array<[ResolveInput, string]> = [
      [{ flags: { tasks: [X] } }, 'dataDir: is required'],
      [{ flags: { ...base, seed: 'abc' } }, 'seed: must be an integer in [0, 4294967295], got "abc" (from a flag)'],
      [
        { env: { sharing: { drop: '2' } }, flags: base },
        'sharing.drop: must be a number in [0, 1], got "2" (from the environment)'
      ],
      [
        { file: { encoding: 'f64' }, flags: base },
        'encoding: must be one of bits, f16, f32, delta, got "f64" (from the config file)'
      ],
      [{ file: { sharing: { hysterisis: 0.9 } }, flags: base }, 'sharing.hysterisis: unknown setting'],
      [
        { flags: { ...base, bootstrap: ['/ip4/127.0.0.1/tcp/4001'] } },
        'bootstrap[0]: "/ip4/127.0.0.1/tcp/4001" must end with /p2p/<peer id> (from a flag)'
      ],
      [{ flags: { ...base, api: '0.0.0.0:80' } }, 'api: must be HOST:PORT on a loopback address'],
      [{ flags: { dataDir: '/d', tasks: [X, 'ctgraph/d2b2/img1/leaf0'] } }, 'tasks[1]: invalid task key'],
      [
        { flags: { dataDir: '/d', tasks: [X, 'minigrid/SimpleCrossingS9N1/seed9157'] } },
        'tasks: minigrid/SimpleCrossingS9N1/seed9157 and ctgraph/d2b2/img1/leaf10 need different networks'
      ],
      [
        { flags: { dataDir: '/d', tasks: [X], curriculum: '/c.json' }, readFile },
        'tasks: give either tasks or curriculum, not both (from a flag)'
      ],
      [
        { flags: { dataDir: '/d', curriculum: '/missing.json' }, readFile },
        'curriculum: cannot read /missing.json: ENOENT'
      ],
      [
        { flags: { dataDir: '/d', curriculum: '/c.json', agentIndex: '2' }, readFile },
        'agentIndex: must be an integer in [0, 1], got "2" (from a flag)'
      ],
      [{ flags: { dataDir: '/d' } }, 'tasks: no curriculum']
    ]
    for (const [input, message] of cases) expect(configError(input).message).toContain(message)
  })

  it('the sharing policy: serve and accept everything from anyone, adopt automatically, unless told otherwise', () => {
    expect(resolveDaemonConfig({ flags: base }).policy).toEqual({
      serve: ['**'],
      accept: ['**'],
      acceptFrom: [],
      adopt: 'auto'
    })
    const peer = '12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
    const c = resolveDaemonConfig({
      file: { policy: { serve: ['ctgraph/**', 'minigrid/**'], acceptFrom: [peer] } },
      flags: { ...base, policy: { adopt: 'review' } }
    })
    expect(c.policy).toEqual({
      serve: ['ctgraph/**', 'minigrid/**'],
      accept: ['**'],
      acceptFrom: [peer],
      adopt: 'review'
    })
    expect(configError({ flags: { ...base, policy: { serve: ['ctgraph/a**'] } } })).toMatchObject({
      path: 'policy.serve[0]',
      source: 'flag'
    })
    expect(configError({ file: { ...base, policy: { accept: 'x//y' } } }).message).toMatch(
      /policy\.accept\[0\].*segment/
    )
    expect(configError({ flags: { ...base, policy: { acceptFrom: ['nobody'] } } }).message).toMatch(
      /policy\.acceptFrom\[0\]: not a peer id/
    )
    expect(configError({ flags: { ...base, policy: { adopt: 'sometimes' } } }).path).toBe('policy.adopt')
  })

  it('refuses --agent-index with tasks, where it would be ignored', () => {
    const err = configError({ flags: { ...base, agentIndex: '3' } })
    expect(err).toMatchObject({ path: 'agentIndex', source: 'flag' })
    expect(configError({ env: { agentIndex: '1', tasks: [X] }, flags: { dataDir: '/d' } }).source).toBe('env')
  })

  it("an agent index that came with a lower layer's curriculum goes with it when a flag gives tasks", () => {
    const c = resolveDaemonConfig({ file: { curriculum: '/c.json', agentIndex: 1 }, flags: base, readFile })
    expect(c.curriculum).toMatchObject({ source: 'tasks', tasks: [X] })
    expect(
      resolveDaemonConfig({ env: { curriculum: '/c.json', agentIndex: '1' }, flags: base, readFile }).curriculum.source
    ).toBe('tasks')
  })

  it('refuses an unknown setting in the environment layer as in the file', () => {
    expect(configError({ env: { stepsPerTaks: '5' }, flags: base })).toMatchObject({
      path: 'stepsPerTaks',
      source: 'env'
    })
  })

  it("takes the dashboard's linked data dirs as absolute paths, and refuses its own, a repeated or an empty one", () => {
    expect(resolveDaemonConfig({ flags: base }).dashboard.links).toEqual([])
    expect(
      resolveDaemonConfig({ flags: { ...base, dashboard: { links: ['/site/b', '/site/c/'] } } }).dashboard.links
    ).toEqual(['/site/b', '/site/c'])
    expect(resolveDaemonConfig({ env: { dashboard: { links: 'rel/b' } }, flags: base }).dashboard.links).toEqual([
      `${process.cwd()}/rel/b`
    ])
    expect(configError({ flags: { ...base, dashboard: { links: ['/site/b', '/data/'] } } }).message).toBe(
      "dashboard.links[1]: is this daemon's own data dir (from a flag)"
    )
    expect(configError({ file: { dashboard: { links: ['/site/b', '/site/./b'] } }, flags: base }).message).toBe(
      'dashboard.links[1]: /site/b is listed twice (from the config file)'
    )
    expect(configError({ flags: { ...base, dashboard: { links: [' '] } } }).path).toBe('dashboard.links[0]')
    expect(configError({ flags: { ...base, dashboard: { links: [3] } } }).message).toContain('must be a string')
    const many = Array.from({ length: 65 }, (_, i) => `/site/${i}`)
    expect(configError({ flags: { ...base, dashboard: { links: many } } }).message).toContain('at most 64 data dirs')
  })
})
