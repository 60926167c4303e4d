import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { dataDirPaths, type DashboardSnapshot, type LinkedLoginDocument } from '@l2d2c/protocol'
import { ControlServer } from '../../../../src/daemon/control-server.js'
import { Dashboard } from '../../../../src/daemon/dashboard/dashboard.js'
import { LinkedDaemons, type LinkedDaemonsInit } from '../../../../src/daemon/dashboard/linked-daemons.js'
import { silentLogger } from '../../../../src/logging/logger.js'
import { call, login } from '../../../helpers/dashboard-http.js'

const OWN_TOKEN = 'a'.repeat(64)
const SIBLING_TOKEN = 'c'.repeat(64)
const SIBLING_PEER = `12D3KooW${'S'.repeat(44)}`
const STALE_PEER = `12D3KooW${'T'.repeat(44)}`

const root = mkdtempSync(join(tmpdir(), 'l2d2c-linked-'))
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})
const servers: ControlServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async s => await s.stop()))
})

/** A control server with a dashboard (a snapshot marker, no play), optionally linking to siblings. */
async function serve(token: string, linked: LinkedDaemons | null): Promise<string> {
  const dashboard = new Dashboard(
    {
      snapshot: async () => ({ marker: 'snapshot' }) as unknown as DashboardSnapshot,
      play: null,
      ...(linked !== null ? { linkedLogin: async (peer: string) => await linked.login(peer) } : {})
    },
    { now: Date.now, logger: silentLogger }
  )
  const s = new ControlServer({
    listen: '127.0.0.1:0',
    token,
    routes: {},
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    dashboard
  })
  servers.push(s)
  return await s.start()
}

/** A data dir as a running daemon leaves it: its discovery file and, unless told otherwise, its token. */
function siblingDir(name: string, discovery: unknown, token: string | null = SIBLING_TOKEN): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const paths = dataDirPaths(dir)
  writeFileSync(paths.discovery, typeof discovery === 'string' ? discovery : JSON.stringify(discovery))
  if (token !== null) writeFileSync(paths.token, `${token}\n`, { mode: 0o600 })
  return dir
}

/** A loopback port nobody listens on (a daemon that was killed, its discovery file left behind). */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>(resolve => s.close(() => resolve()))
  return port
}

/** A sibling that serves, the daemon linking to it (and to `more` dirs), and a session on the latter. */
async function site(more: string[] = [], init: LinkedDaemonsInit = {}) {
  const siblingUrl = await serve(SIBLING_TOKEN, null)
  const dir = siblingDir(`sibling-${servers.length}`, {
    pid: 1,
    peerId: SIBLING_PEER,
    api: siblingUrl,
    role: 'learner'
  })
  const linked = new LinkedDaemons([dir, ...more], Date.now, init)
  const url = await serve(OWN_TOKEN, linked)
  const cookie = await login(url, OWN_TOKEN)
  const origin = new URL(url).origin
  const ask = async (peer: string, headers: Record<string, string> = { cookie, origin }) =>
    await call(url, `/v1/dashboard/linked-login?peer=${encodeURIComponent(peer)}`, { method: 'POST', headers })
  return { siblingUrl, dir, linked, url, cookie, origin, ask }
}

describe('POST /v1/dashboard/linked-login: a linked daemon opened from this page', () => {
  it("answers the sibling's one-time login URL on its loopback address, with no token anywhere; the code works once", async () => {
    const s = await site()
    const r = await s.ask(SIBLING_PEER)
    expect(r.status, r.body).toBe(200)
    const doc = JSON.parse(r.body) as LinkedLoginDocument
    expect(doc.url).toMatch(new RegExp(`^${s.siblingUrl}/login\\?code=[0-9a-f]{64}$`))
    expect(Date.parse(doc.expiresAt)).toBeGreaterThan(Date.now())
    const everything = `${r.body}\n${JSON.stringify(r.headers)}`
    for (const secret of [SIBLING_TOKEN, OWN_TOKEN]) expect(everything).not.toContain(secret)

    const path = doc.url.slice(s.siblingUrl.length)
    const first = await call(s.siblingUrl, path)
    expect(first.status).toBe(303)
    expect(first.headers['set-cookie']?.[0]).toMatch(/^l2d2c_session_[0-9a-f]{8}=[0-9a-f]{64};/)
    const siblingCookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0] as string
    expect((await call(s.siblingUrl, '/', { headers: { cookie: siblingCookie } })).status).toBe(200)
    expect((await call(s.siblingUrl, path)).status).toBe(403) // once
  })

  it("needs this dashboard's session (401), a POST (405), its own Host (421) and Origin (403)", async () => {
    const s = await site()
    const port = new URL(s.url).port
    expect((await s.ask(SIBLING_PEER, { origin: s.origin })).status).toBe(401)
    expect((await s.ask(SIBLING_PEER, { cookie: 'l2d2c_session_00000000=forged', origin: s.origin })).status).toBe(401)
    const get = await call(s.url, `/v1/dashboard/linked-login?peer=${SIBLING_PEER}`, {
      headers: { cookie: s.cookie, origin: s.origin }
    })
    expect(get.status).toBe(405)
    expect(
      (await s.ask(SIBLING_PEER, { cookie: s.cookie, origin: s.origin, host: `rebound.example:${port}` })).status
    ).toBe(421)
    for (const origin of [
      null,
      'http://evil.example',
      `http://rebound.example:${port}`,
      'null',
      `https://127.0.0.1:${port}`
    ]) {
      const r = await s.ask(SIBLING_PEER, { cookie: s.cookie, ...(origin !== null ? { origin } : {}) })
      expect(r.status, String(origin)).toBe(403)
      expect(r.body).not.toContain('code=')
    }
    // localhost names this server too; a script with the token needs no Origin
    expect((await s.ask(SIBLING_PEER, { cookie: s.cookie, origin: `http://localhost:${port}` })).status).toBe(200)
    expect((await s.ask(SIBLING_PEER, { authorization: `Bearer ${OWN_TOKEN}` })).status).toBe(200)
  })

  it('an unknown peer id is 404; no ?peer is 400; a daemon with no links answers 404', async () => {
    const s = await site()
    const r = await s.ask(`12D3KooW${'X'.repeat(44)}`)
    expect(r.status).toBe(404)
    expect(JSON.parse(r.body).error).toMatch(/no linked daemon runs with peer id 12D3KooWXXX/)
    expect((await s.ask('../../etc/passwd')).status).toBe(404)
    expect(
      (
        await call(s.url, '/v1/dashboard/linked-login', {
          method: 'POST',
          headers: { cookie: s.cookie, origin: s.origin }
        })
      ).status
    ).toBe(400)
    const lone = await serve(OWN_TOKEN, null)
    const loneCookie = await login(lone, OWN_TOKEN)
    const none = await call(lone, `/v1/dashboard/linked-login?peer=${SIBLING_PEER}`, {
      method: 'POST',
      headers: { cookie: loneCookie, origin: new URL(lone).origin }
    })
    expect(none.status).toBe(404)
    expect(none.body).toContain('--link-dashboard')
  })

  it('a sibling that does not answer, or is not on loopback, or has no token, is a clear 5xx, and this daemon goes on', async () => {
    const stale = siblingDir('stale', { peerId: STALE_PEER, api: `http://127.0.0.1:${await closedPort()}` })
    const remotePeer = `12D3KooW${'R'.repeat(44)}`
    const remote = siblingDir('remote', { peerId: remotePeer, api: 'http://192.0.2.1:7000' })
    const socketPeer = `12D3KooW${'U'.repeat(44)}`
    const socket = siblingDir('socket', { peerId: socketPeer, api: 'unix:/tmp/x.sock' })
    const tokenlessPeer = `12D3KooW${'N'.repeat(44)}`
    const s = await site([stale, remote, socket])
    const down = await s.ask(STALE_PEER)
    expect(down.status).toBe(502)
    expect(JSON.parse(down.body).error).toMatch(/does not answer at http:\/\/127\.0\.0\.1:\d+ \(stopped\?\)/)
    const far = await s.ask(remotePeer)
    expect(far.status).toBe(502)
    expect(JSON.parse(far.body).error).toContain('not on a loopback address')
    expect((await s.ask(socketPeer)).status).toBe(409)
    // a sibling whose token cannot be read (the file is gone)
    const tokenless = siblingDir('tokenless', { peerId: tokenlessPeer, api: s.siblingUrl }, null)
    const t = new LinkedDaemons([tokenless], Date.now)
    await expect(t.login(tokenlessPeer)).rejects.toMatchObject({ code: 'no-token', status: 502 })
    // the linking daemon still serves, and the good sibling still opens
    expect((await s.ask(SIBLING_PEER)).status).toBe(200)
  })

  it('a sibling that accepts but never answers is a 504 after the timeout', async () => {
    const silent = createServer(() => {}) // accepts connections, never answers
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    try {
      const hungPeer = `12D3KooW${'H'.repeat(44)}`
      const hung = siblingDir('hung', {
        peerId: hungPeer,
        api: `http://127.0.0.1:${(silent.address() as { port: number }).port}`
      })
      const s = await site([hung], { timeoutMs: 300 })
      const r = await s.ask(hungPeer)
      expect(r.status).toBe(504)
      expect(JSON.parse(r.body).error).toContain('did not answer in time')
      expect((await s.linked.list())[1]).toMatchObject({ peerId: hungPeer, available: false })
    } finally {
      silent.close()
    }
  })

  it('rate-limits the logins to one sibling (429), so a looping page cannot flush its codes', async () => {
    const s = await site([], { loginRate: { burst: 2, perSecond: 0.001 } })
    expect((await s.ask(SIBLING_PEER)).status).toBe(200)
    expect((await s.ask(SIBLING_PEER)).status).toBe(200)
    const third = await s.ask(SIBLING_PEER)
    expect(third.status).toBe(429)
    expect(third.headers['retry-after']).toBe('10')
  })
})

describe('LinkedDaemons.list: the site daemons a page shows', () => {
  it('says which linked daemons can be opened now, and why the others cannot', async () => {
    const stale = siblingDir('list-stale', { peerId: STALE_PEER, api: `http://127.0.0.1:${await closedPort()}` })
    const broken = siblingDir('list-broken', '{ not json')
    const missing = join(root, 'never-started')
    const s = await site([stale, broken, missing])
    const list = await s.linked.list()
    expect(list.map(l => [l.dataDir, l.peerId, l.role, l.available])).toEqual([
      [s.dir, SIBLING_PEER, 'learner', true],
      [stale, STALE_PEER, null, false],
      [broken, null, null, false],
      [missing, null, null, false]
    ])
    expect(list[0]?.reason).toBeNull()
    expect(list[1]?.reason).toContain('does not answer')
    expect(list[2]?.reason).toContain('is not valid JSON')
    expect(list[3]?.reason).toMatch(/^not running \(no daemon has written .*never-started\/daemon\.json\)$/)
    expect(JSON.stringify(list)).not.toContain(SIBLING_TOKEN)
  })

  it('probes the siblings at most once per listTtlMs, answering the last listing while the next is made', async () => {
    let t = 0
    const dir = siblingDir('ttl', { peerId: SIBLING_PEER, api: `http://127.0.0.1:${await closedPort()}` })
    const linked = new LinkedDaemons([dir], () => t, { listTtlMs: 5_000 })
    const first = await linked.list()
    expect(first[0]?.available).toBe(false)
    // the sibling comes up at the same place: not seen until the listing is stale
    const url = await serve(SIBLING_TOKEN, null)
    siblingDir('ttl', { peerId: SIBLING_PEER, api: url })
    t = 4_999
    expect((await linked.list())[0]?.available).toBe(false)
    t = 5_000
    expect((await linked.list())[0]?.available).toBe(false) // the last listing; the next is under way
    await vi.waitFor(async () => {
      expect((await linked.list())[0]?.available).toBe(true)
    })
  })
})
