import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dataDirPaths } from '@l2d2c/protocol'
import { loadOrCreatePeerKey } from '../../../agent/src/network/peer-key.js'
import { bareNode } from '../../../agent/test/helpers/adversary/bare-node.js'
import {
  floodAnnouncement,
  GossipInjector,
  identities,
  signedMessage
} from '../../../agent/test/helpers/adversary/gossip-flooder.js'
import { runInProcess } from '../helpers.js'
import { startDaemon, waitStatus, type RunningDaemon } from '../daemon-harness.js'

/**
 * Admission control end to end: real daemons spawned through the CLI, libp2p over TCP on
 * 127.0.0.1. A node outside the swarm (wrong swarm key, or not on the allowlist) gets no
 * connection and learns of no mask; one inside does; `masks --peer` and `fetch` work with the
 * right --swarm-key and fail clearly with a wrong one. Times are printed, not asserted.
 */
const root = mkdtempSync(join(tmpdir(), 'l2d2c-admission-'))
const running: RunningDaemon[] = []
const figures: string[] = []
afterAll(async () => {
  await Promise.all(running.map(async d => await d.stop('SIGKILL')))
  rmSync(root, { recursive: true, force: true })
  console.log(`admission e2e figures:\n${figures.map(f => `  ${f}`).join('\n')}`)
})

const X = 'ctgraph/d2b2/img1/leaf10'
const TRAIN = ['--tasks', X, '--steps-per-task', '640']

async function start(name: string, args: string[]): Promise<RunningDaemon> {
  const d = await startDaemon(join(root, name), [...TRAIN, ...args])
  running.push(d)
  return d
}

async function swarmKey(name: string): Promise<string> {
  const file = join(root, name)
  const r = await runInProcess(['keygen', 'swarm-key', '--out', file])
  expect(r.code, r.stderr).toBe(0)
  return file
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read the documents' fields directly
type Doc = Record<string, any>

async function json(args: string[]): Promise<Doc> {
  const r = await runInProcess([...args, '--json'])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Doc
}

/** What `peers --json` of `d` says about `other`: undefined when it does not know it at all. */
async function peerEntry(d: RunningDaemon, other: RunningDaemon): Promise<Doc | undefined> {
  const doc = await json(['peers', '--data-dir', d.dataDir])
  return (doc.peers as Doc[]).find(p => p.peerId === other.peerId)
}

/** libp2p's count of inbound connections that failed to upgrade, from the node's /metrics (with its token). */
async function inboundUpgradeFailures(d: RunningDaemon): Promise<number> {
  const { api } = JSON.parse(readFileSync(dataDirPaths(d.dataDir).discovery, 'utf8')) as { api: string }
  const token = readFileSync(dataDirPaths(d.dataDir).token, 'utf8').trim()
  const text = await (await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text()
  let n = 0
  for (const m of text.matchAll(/^libp2p_connection_manager_dials_inbound_errors_total\{[^}]*\} ([0-9.]+)$/gm))
    n += Number(m[1])
  return n
}

describe('admission control, end to end (real daemons over TCP on 127.0.0.1)', () => {
  it('a private swarm: the right swarm key connects and sees masks; a wrong key gets nothing', async () => {
    const k1 = await swarmKey('k1.key')
    const k2 = await swarmKey('k2.key')
    const a = await start('a', ['--swarm-key', k1, '--seed', '1'])
    // launchDaemon made the data dir with the default mode; the daemon narrowed it
    expect(statSync(a.dataDir).mode & 0o777).toBe(0o700)
    await waitStatus(a.dataDir, s => s.masksHeld >= 1)
    const b = await start('b', ['--swarm-key', k1, '--bootstrap', a.addr, '--seed', '2'])
    const c = await start('c', ['--swarm-key', k2, '--bootstrap', a.addr, '--seed', '3'])

    // B is in: connected, and it learns what A holds.
    await waitStatus(b.dataDir, s => s.peersConnected >= 1)
    const deadline = Date.now() + 30_000
    while (((await peerEntry(b, a))?.masks ?? 0) < 1 && Date.now() < deadline)
      await new Promise(resolve => setTimeout(resolve, 250))
    expect(await peerEntry(b, a)).toMatchObject({ connected: true })
    expect((await peerEntry(b, a))?.masks).toBeGreaterThanOrEqual(1)

    // C is out: by the time C has trained its task and B is long connected, C has no peer
    // and knows nothing of A's masks, and A has never seen C.
    const sc = await waitStatus(c.dataDir, s => s.curriculum.done === true)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect((await json(['status', '--data-dir', c.dataDir])).peersConnected).toBe(0)
    expect(sc.masksAdopted).toBe(0)
    expect((await peerEntry(c, a))?.masks ?? 0).toBe(0)
    expect(await peerEntry(a, c)).toBeUndefined()
    const sa = await json(['status', '--data-dir', a.dataDir])
    expect(sa.exposure).toMatchObject({ swarmKey: true, publicListen: false, warning: null })
    expect(sa.exposure.swarmKeyFingerprint).toMatch(/^[0-9a-f]{16}$/)
    const failures = await inboundUpgradeFailures(a)
    expect(failures, "A's failed inbound handshakes (C's dials)").toBeGreaterThanOrEqual(1)
    figures.push(`swarm key: node A counted ${failures} failed inbound handshakes from the wrong-key node`)

    // The remote commands: the right key lists and fetches A's mask...
    const listed = await json(['masks', '--peer', a.addr, '--swarm-key', k1])
    expect(listed.masks.map((m: Doc) => m.taskKey)).toEqual([X])
    const out = join(root, 'fetched.l2dm')
    const fetched = await json(['fetch', X, '--peer', a.addr, '--swarm-key', k1, '--out', out])
    expect(fetched).toMatchObject({ task: X, peer: a.peerId, encoding: 'bits' })
    expect(statSync(out).size).toBeGreaterThan(fetched.bytes)
    // ...a wrong key or none fails, saying to check the key, and saves nothing.
    for (const [what, extra] of [
      ['wrong key', ['--swarm-key', k2]],
      ['no key', []]
    ] as const) {
      const t0 = performance.now()
      const r = await runInProcess(['masks', '--peer', a.addr, ...extra, '--timeout-ms', '5000'])
      const ms = performance.now() - t0
      expect([4, 5], `${what}: ${r.stderr}`).toContain(r.code)
      expect(r.stderr).toMatch(/swarm key|--swarm-key/)
      figures.push(`masks --peer with ${what}: refused after ${ms.toFixed(0)} ms (exit ${r.code}): ${r.stderr.trim()}`)
    }
    const noFetch = join(root, 'not-fetched.l2dm')
    const f = await runInProcess([
      'fetch',
      X,
      '--peer',
      a.addr,
      '--swarm-key',
      k2,
      '--out',
      noFetch,
      '--timeout-ms',
      '5000'
    ])
    expect([4, 5]).toContain(f.code)
    expect(() => statSync(noFetch)).toThrow()
    // A malformed key file is a usage error, before any dial.
    const bad = join(root, 'bad.key')
    writeFileSync(bad, 'not a key\n', { mode: 0o600 })
    const malformed = await runInProcess(['masks', '--peer', a.addr, '--swarm-key', bad])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain('not a swarm key')
    for (const d of [a, b, c]) expect(await d.stop()).toBe(0)
  }, 240_000)

  it('an allowlist: a listed peer connects and sees masks; an unlisted one gets no connection', async () => {
    const keys = join(root, 'keys')
    mkdirSync(keys, { mode: 0o700 })
    const friend = await loadOrCreatePeerKey(join(keys, 'friend.key'))
    const g = await start('g', ['--allow-peer', friend.peerId.toString(), '--seed', '4'])
    await waitStatus(g.dataDir, s => s.masksHeld >= 1)
    const h = await start('h', ['--peer-key-file', join(keys, 'friend.key'), '--bootstrap', g.addr, '--seed', '5'])
    // I listens on every interface with neither key nor allowlist: it says so.
    const i = await start('i', ['--bootstrap', g.addr, '--listen', '/ip4/0.0.0.0/tcp/0', '--seed', '6'])

    await waitStatus(h.dataDir, s => s.peersConnected >= 1)
    const deadline = Date.now() + 30_000
    while (((await peerEntry(h, g))?.masks ?? 0) < 1 && Date.now() < deadline)
      await new Promise(resolve => setTimeout(resolve, 250))
    expect((await peerEntry(h, g))?.masks).toBeGreaterThanOrEqual(1)

    await waitStatus(i.dataDir, s => s.curriculum.done === true)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect((await json(['status', '--data-dir', i.dataDir])).peersConnected).toBe(0)
    expect((await peerEntry(i, g))?.masks ?? 0).toBe(0)
    const sg = await json(['status', '--data-dir', g.dataDir])
    expect(sg.exposure).toMatchObject({ allowlist: true, warning: null })
    expect(sg.admission.refused['not-allowed']).toBeGreaterThanOrEqual(1)
    figures.push(`allowlist: node G refused ${sg.admission.refused['not-allowed']} connections from unlisted peers`)
    expect((await json(['peers', '--data-dir', g.dataDir])).peers.map((p: Doc) => p.peerId)).not.toContain(i.peerId)

    const si = await json(['status', '--data-dir', i.dataDir])
    expect(si.exposure).toMatchObject({ publicListen: true, swarmKey: false, allowlist: false })
    expect(si.exposure.warning).toContain('0.0.0.0')
    expect(i.log()).toContain('neither a swarm key nor a peer allowlist')
    expect((await runInProcess(['status', '--data-dir', i.dataDir])).stdout).toMatch(/^WARNING +listening on /m)
    expect((await runInProcess(['status', '--data-dir', g.dataDir])).stdout).toMatch(
      /^admission +no swarm key, allowlist, loopback only$/m
    )

    // The CLI's throwaway client has a fresh peer id: not on the list either.
    const t0 = performance.now()
    const r = await runInProcess(['masks', '--peer', g.addr, '--timeout-ms', '5000'])
    expect([4, 5], r.stderr).toContain(r.code)
    figures.push(
      `masks --peer to an allowlisted node from an unlisted client: refused after ${(performance.now() - t0).toFixed(0)} ms`
    )
    for (const d of [g, h, i]) expect(await d.stop()).toBe(0)
  }, 240_000)

  it('a peer key other users can read stops the daemon at start with exit 3 and the chmod that fixes it', async () => {
    const dir = join(root, 'open-key')
    mkdirSync(dir, { mode: 0o700 })
    await loadOrCreatePeerKey(join(dir, 'peer.key'))
    chmodSync(join(dir, 'peer.key'), 0o644)
    const r = await runInProcess([
      'daemon',
      '--data-dir',
      dir,
      '--tasks',
      X,
      '--backend',
      'wasm',
      '--log-level',
      'silent'
    ])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`chmod 600 ${join(dir, 'peer.key')}`)
  }, 60_000)

  it('a flooding peer is banned: the log says why once, status --json lists it, /metrics counts it', async () => {
    const v = await start('flooded', ['--seed', '7'])
    await waitStatus(v.dataDir, s => s.masksHeld >= 1)
    const status = await json(['status', '--data-dir', v.dataDir])
    const flooder = await bareNode()
    await flooder.start()
    try {
      const injector = await GossipInjector.open(flooder, v.addr)
      const ids = await identities(300)
      const messages = []
      for (const id of ids)
        messages.push(
          await signedMessage(id, floodAnnouncement(id, { backboneId: status.backboneId, tasks: [X], masks: 1 }))
        )
      await injector.sendMessages(messages, 1).catch(() => {}) // cut when it is banned
      const flooderId = flooder.peerId.toString()
      const deadline = Date.now() + 20_000
      let bans: Doc | undefined
      while (Date.now() < deadline) {
        bans = (await json(['status', '--data-dir', v.dataDir])).defence?.bans
        if ((bans?.total ?? 0) >= 1) break
        await new Promise(resolve => setTimeout(resolve, 250))
      }
      expect(bans).toMatchObject({
        active: 1,
        total: 1,
        peers: [{ peer: flooderId, reason: 'announcement-flood', strikes: 1 }]
      })
      expect(Date.parse(bans?.peers[0].until) - Date.parse(bans?.peers[0].since)).toBe(60_000)
      expect((await runInProcess(['status', '--data-dir', v.dataDir])).stdout).toMatch(
        /^bans +1 peer\(s\) and 0 address\(es\) banned now, 1 ban\(s\) since start/m
      )
      const banLines = v
        .log()
        .split('\n')
        .filter(l => l.includes('peer banned'))
      expect(banLines).toHaveLength(1)
      expect(JSON.parse(banLines[0] as string)).toMatchObject({ peer: flooderId, reason: 'announcement-flood' })
      const { api } = JSON.parse(readFileSync(dataDirPaths(v.dataDir).discovery, 'utf8')) as { api: string }
      const token = readFileSync(dataDirPaths(v.dataDir).token, 'utf8').trim()
      const metrics = await (await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text()
      expect(metrics).toMatch(/^l2d2c_bans_active\{kind="peer"\} 1$/m)
      expect(metrics).toMatch(/^l2d2c_bans_total 1$/m)
    } finally {
      await flooder.stop()
    }
  }, 120_000)
})
