import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadTopology, TOPOLOGY_DIR } from '../../src/commands/lab.js'
import { formatIpv4 } from '../../src/lab/addresses.js'
import { parseTopology, TopologyError, type Topology } from '../../src/lab/topology.js'

const X = 'ctgraph/d2b2/img1/leaf10'
const Y = 'ctgraph/d2b2/img2/leaf01'

/** A small valid document: a public segment with a bootstrap node, a NAT'd site with a learner. */
function doc(): Record<string, unknown> {
  return {
    description: 'test',
    durationSeconds: 60,
    segments: [
      { name: 'internet', subnet: '203.0.113.0/24', public: true },
      { name: 'site', subnet: '10.1.0.0/24' }
    ],
    routers: [{ name: 'nat', upstream: 'internet', site: 'site', nat: true }],
    nodes: [
      { name: 'relay', segment: 'internet', bootstrap: true, tasks: [X, Y] },
      { name: 'a', segment: 'site', tasks: [Y], start: { whenHolds: { node: 'relay', task: Y } } }
    ],
    checks: [{ name: 'connected', kind: 'connected', to: 'relay' }]
  }
}

const parse = (d: unknown): Topology => parseTopology(d, { defaultName: 'file-name' })

/** The TopologyError a document raises (the test fails if it parses). */
function errorOf(d: unknown): TopologyError {
  try {
    parse(d)
  } catch (err) {
    if (err instanceof TopologyError) return err
    throw err
  }
  throw new Error('expected a TopologyError')
}

// biome-ignore lint/suspicious/noExplicitAny: each case edits the document's fields directly
type Editable = Record<string, any>

/** A copy of the valid document with one edit. */
function edit(f: (d: Editable) => void): Record<string, unknown> {
  const d = doc()
  f(d as Editable)
  return d
}

describe('topology files: parsing', () => {
  it('parses a valid document and fills the defaults', () => {
    const t = parse(doc())
    expect(t.name).toBe('file-name')
    expect(t.minSeconds).toBe(0)
    expect(t.pollSeconds).toBe(1)
    expect(t.routers).toEqual([{ name: 'nat', upstream: 'internet', site: 'site', nat: true }])
    const [relay, a] = t.nodes
    expect(relay).toMatchObject({ role: 'learner', bootstrap: true, stepsPerTask: 5120, seed: 1, args: [] })
    expect(a).toMatchObject({
      seed: 2,
      start: { afterSeconds: 0, whenHolds: { node: 'relay', task: Y, origin: null } }
    })
    // Addresses: from .10 of each segment (.1-.9 belong to routers).
    expect(formatIpv4(relay?.address as number)).toBe('203.0.113.10')
    expect(formatIpv4(a?.address as number)).toBe('10.1.0.10')
    expect(t.checks[0]).toEqual({
      kind: 'connected',
      name: 'connected',
      nodes: ['a'],
      to: 'relay',
      minPeers: 1,
      withinSeconds: null,
      expectFailure: null
    })
  })

  it('expands replicas with numbered names, seeds, rotated tasks and segments used in turn', () => {
    const t = parse(
      edit(d => {
        d.nodes.push({
          name: 'light',
          replicas: 3,
          segment: ['internet', 'site'],
          tasks: [X, Y],
          rotateTasks: true,
          seed: 40
        })
      })
    )
    const light = t.nodes.filter(n => n.name.startsWith('light-'))
    expect(light.map(n => [n.name, n.segment, n.seed, n.tasks[0]])).toEqual([
      ['light-01', 'internet', 40, X],
      ['light-02', 'site', 41, Y],
      ['light-03', 'internet', 42, X]
    ])
    expect(new Set(t.nodes.map(n => n.address)).size).toBe(t.nodes.length)
  })

  it('defaults apply to every node, node fields override them', () => {
    const t = parse(
      edit(d => {
        d.defaults = { stepsPerTask: 640, args: ['--query-window-ms', '900'] }
        d.nodes[1].stepsPerTask = 1280
        d.nodes[1].args = ['--comm-per-task', '1']
      })
    )
    expect(t.nodes[0]).toMatchObject({ stepsPerTask: 640, args: ['--query-window-ms', '900'] })
    expect(t.nodes[1]).toMatchObject({ stepsPerTask: 1280, args: ['--query-window-ms', '900', '--comm-per-task', '1'] })
  })

  it.each([
    ['not an object', 42, '', 'must be an object'],
    ['a missing duration', edit(d => delete d.durationSeconds), 'durationSeconds', 'must be a number'],
    ['an unknown key (a typo)', edit(d => (d.nodes[0].bootsrap = true)), 'nodes[0].bootsrap', 'unknown key'],
    [
      'a public segment outside the documentation ranges',
      edit(d => (d.segments[0].subnet = '8.8.8.0/24')),
      'segments[0].subnet',
      'documentation range'
    ],
    ['a site outside 10/8', edit(d => (d.segments[1].subnet = '192.168.1.0/24')), 'segments[1].subnet', '10.0.0.0/8'],
    [
      'host bits in a subnet',
      edit(d => (d.segments[1].subnet = '10.1.0.5/24')),
      'segments[1].subnet',
      'zero host bits'
    ],
    [
      'overlapping segments',
      edit(d => d.segments.push({ name: 'other', subnet: '10.1.0.0/25' })),
      'segments[2].subnet',
      'overlaps segment "site"'
    ],
    ['loss above 100 %', edit(d => (d.segments[0].lossPercent = 150)), 'segments[0].lossPercent', '0..100'],
    ['a router to nowhere', edit(d => (d.routers[0].upstream = 'moon')), 'routers[0].upstream', 'no segment "moon"'],
    ['a public site behind a router', edit(d => (d.routers[0].site = 'internet')), 'routers[0].site', 'must differ'],
    ['a node on an unknown segment', edit(d => (d.nodes[1].segment = 'mars')), 'nodes[1].segment', 'no segment "mars"'],
    ['a bad role', edit(d => (d.nodes[1].role = 'watcher')), 'nodes[1].role', 'learner or evaluator'],
    ['no tasks', edit(d => (d.nodes[1].tasks = [])), 'nodes[1].tasks', 'at least one task'],
    [
      'a flag the lab owns',
      edit(d => (d.nodes[1].args = ['--comm-per-task', '1', '--bootstrap=/ip4/1.2.3.4/tcp/1'])),
      'nodes[1].args[2]',
      '--bootstrap is set by the lab'
    ],
    [
      'an address outside its segment',
      edit(d => (d.nodes[1].address = '10.9.0.10')),
      'nodes[1].address',
      'not a host address of segment "site"'
    ],
    ['an address of the routers', edit(d => (d.nodes[1].address = '10.1.0.1')), 'nodes[1].address', 'reserved'],
    ['duplicate nodes', edit(d => d.nodes.push({ ...d.nodes[1] })), 'nodes[2].name', 'duplicate node "a"'],
    ['no bootstrap node', edit(d => (d.nodes[0].bootstrap = false)), 'nodes', 'bootstrap node'],
    [
      'a late bootstrap node',
      edit(d => (d.nodes[0].start = { afterSeconds: 5 })),
      'nodes[0].start',
      'starts with the run'
    ],
    [
      'waiting for a task the holder never learns',
      edit(d => (d.nodes[1].start.whenHolds.task = 'ctgraph/d2b2/img4/leaf11')),
      'nodes[1].start.whenHolds.task',
      'never learns'
    ],
    [
      'start conditions in a circle',
      edit(d => {
        d.nodes.push({ name: 'b', segment: 'site', tasks: [X], start: { whenHolds: { node: 'c', task: X } } })
        d.nodes.push({ name: 'c', segment: 'site', tasks: [X], start: { whenHolds: { node: 'b', task: X } } })
      }),
      'nodes',
      'circle'
    ],
    [
      'a partition naming an unknown node',
      edit(d => (d.partitions = [{ name: 'p', groups: [['relay'], ['ghost']], fromSeconds: 1, untilSeconds: 5 }])),
      'partitions[0].groups[1][0]',
      'no node "ghost"'
    ],
    [
      'a partition healed before it splits',
      edit(d => (d.partitions = [{ name: 'p', groups: [['relay'], ['a']], fromSeconds: 9, untilSeconds: 5 }])),
      'partitions[0].untilSeconds',
      'after fromSeconds'
    ],
    [
      'churn of a late node',
      edit(d => (d.churn = { seed: 1, kills: 1, nodes: ['a'], fromSeconds: 1, untilSeconds: 9, downSeconds: [1, 2] })),
      'churn.nodes[0]',
      'starts late'
    ],
    [
      'churn with inverted down times',
      edit(
        d => (d.churn = { seed: 1, kills: 1, nodes: ['relay'], fromSeconds: 1, untilSeconds: 9, downSeconds: [3, 2] })
      ),
      'churn.downSeconds',
      'max must not be below min'
    ],
    ['an unknown check kind', edit(d => (d.checks[0].kind = 'vibes')), 'checks[0].kind', 'unknown check kind'],
    ['a reserved check name', edit(d => (d.checks[0].name = 'cleanup')), 'checks[0].name', 'reserved'],
    [
      'an adoption of a task the node never meets',
      edit(d => d.checks.push({ name: 'x', kind: 'adopted', adoptions: [{ node: 'a', task: X }] })),
      'checks[1].adoptions[0].task',
      'never meets'
    ],
    [
      'an origin on an evaluator',
      edit(d => {
        d.nodes.push({ name: 'e', segment: 'site', role: 'evaluator', tasks: [X] })
        d.checks.push({ name: 'x', kind: 'adopted', adoptions: [{ node: 'e', task: X, origin: 'relay' }] })
      }),
      'checks[1].adoptions[0].origin',
      'only on learners'
    ],
    [
      'no-masks-lost without churn',
      edit(d => d.checks.push({ name: 'x', kind: 'no-masks-lost' })),
      'checks',
      'needs a churn schedule'
    ]
  ])('refuses %s, naming the path of the value', (_what, d, path, message) => {
    const err = errorOf(d)
    expect(err.path).toBe(path)
    expect(err.message).toContain(message)
    expect(err.message.startsWith(path === '' ? ':' : `${path}:`)).toBe(true)
  })

  it('asks the caller about task keys (the CLI passes the catalogue)', () => {
    const err = (() => {
      try {
        parseTopology(doc(), { defaultName: 'x', checkTask: k => (k === Y ? 'no such task' : null) })
      } catch (e) {
        return e as TopologyError
      }
      throw new Error('expected a TopologyError')
    })()
    expect(err.path).toBe('nodes[0].tasks[1]')
    expect(err.detail).toBe('no such task')
  })
})

describe('the repository topologies', () => {
  const files = readdirSync(TOPOLOGY_DIR).filter(f => f.endsWith('.json'))

  it('include every topology of the issue, each with a short variant for CI', () => {
    const names = files.map(f => f.slice(0, -5))
    for (const t of ['two-nat-sites', 'lossy', 'partition', 'churn', 'swarm32']) {
      expect(names).toContain(t)
      expect(names).toContain(`${t}-short`)
    }
  })

  it.each(files)('%s parses with the real task catalogue', async f => {
    const t = await loadTopology(`${TOPOLOGY_DIR}${f}`)
    expect(t.name).toBe(f.slice(0, -5))
    expect(t.description.length).toBeGreaterThan(20)
    expect(t.checks.length).toBeGreaterThan(0)
  })

  it('churn kills at least 20 times; swarm32 has 32 nodes; two-nat-sites checks adoption over the relay and direct-after-holepunch', async () => {
    expect((await loadTopology('churn')).churn?.kills).toBeGreaterThanOrEqual(20)
    expect((await loadTopology('swarm32')).nodes).toHaveLength(32)
    for (const name of ['two-nat-sites', 'two-nat-sites-short']) {
      const checks = (await loadTopology(name)).checks.map(c => c.name)
      expect(checks).toEqual(
        expect.arrayContaining(['connected', 'adopted', 'adopted-over-relay', 'direct-after-holepunch'])
      )
    }
  })
})
