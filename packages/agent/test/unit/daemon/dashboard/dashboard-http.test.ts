import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import type { DashboardSnapshot, LoginCodeDocument } from '@l2d2c/protocol'
import { ControlServer } from '../../../../src/daemon/control-server.js'
import { Dashboard, PlayRefused } from '../../../../src/daemon/dashboard/dashboard.js'
import { silentLogger } from '../../../../src/logging/logger.js'
import { call, login as loginWith } from '../../../helpers/dashboard-http.js'

const TOKEN = 'b'.repeat(64)
const auth = { authorization: `Bearer ${TOKEN}` }
const servers: ControlServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async s => await s.stop()))
})

/** A control server with a dashboard whose snapshot is a marker document. */
async function serve(opts: { maxClients?: number; now?: () => number } = {}): Promise<string> {
  const dashboard = new Dashboard(
    {
      snapshot: async () => ({ marker: 'snapshot' }) as unknown as DashboardSnapshot,
      play: async task => {
        if (task !== 'ctgraph/d2b2/img1/leaf00') throw new PlayRefused(`no mask for ${task}`)
        return { taskKey: task, cid: 'c', origin: 'o', side: null, totalReward: 1, frames: [] }
      }
    },
    {
      now: opts.now ?? Date.now,
      logger: silentLogger,
      events: { intervalMs: 200, maxClients: opts.maxClients ?? 8 }
    }
  )
  const s = new ControlServer({
    listen: '127.0.0.1:0',
    token: TOKEN,
    routes: {},
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    dashboard
  })
  servers.push(s)
  return await s.start()
}

/** Opens the event stream and resolves once its headers arrive, with a way to close it. */
async function openEvents(
  url: string,
  cookie: string
): Promise<{ status: number; firstData: Promise<string>; close: () => void }> {
  const u = new URL(url)
  return await new Promise((resolve, reject) => {
    const req = request(
      { hostname: u.hostname, port: Number(u.port), path: '/v1/dashboard/events', headers: { cookie } },
      res => {
        let text = ''
        const firstData = new Promise<string>(done => {
          res.on('data', d => {
            text += String(d)
            if (text.includes('event: snapshot')) done(text)
          })
        })
        resolve({ status: res.statusCode ?? 0, firstData, close: () => req.destroy() })
      }
    )
    req.on('error', err => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err)
    })
    req.end()
  })
}

/** Logs in with this file's token. */
const login = async (url: string): Promise<string> => await loginWith(url, TOKEN)

describe('the dashboard over the control server', () => {
  it('only the API token mints a login code; the code becomes an HttpOnly SameSite=Strict cookie, once', async () => {
    const url = await serve()
    expect((await call(url, '/v1/dashboard/login-code', { method: 'POST' })).status).toBe(401)
    expect((await call(url, '/v1/dashboard/login-code', { headers: auth })).status).toBe(405)
    const minted = await call(url, '/v1/dashboard/login-code', { method: 'POST', headers: auth })
    expect(minted.status).toBe(200)
    const doc = JSON.parse(minted.body) as LoginCodeDocument
    expect(doc.path).toBe(`/login?code=${doc.code}`)
    expect(minted.body).not.toContain(TOKEN)

    const first = await call(url, doc.path)
    expect(first.status).toBe(303)
    expect(first.headers.location).toBe('/')
    const cookie = first.headers['set-cookie']?.[0] ?? ''
    expect(cookie).toMatch(/^l2d2c_session_[0-9a-f]{8}=[0-9a-f]{64};/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    expect(cookie).not.toContain(TOKEN)
    expect(cookie).not.toContain(doc.code)

    const long = await call(url, '/v1/dashboard/login-code?ttl=600', { method: 'POST', headers: auth })
    expect(Date.parse((JSON.parse(long.body) as LoginCodeDocument).expiresAt) - Date.now()).toBeGreaterThan(590_000)
    for (const bad of ['0', '-5', '1e3', 'x'])
      expect((await call(url, `/v1/dashboard/login-code?ttl=${bad}`, { method: 'POST', headers: auth })).status).toBe(
        400
      )

    const again = await call(url, doc.path)
    expect(again.status).toBe(403)
    expect(again.headers['set-cookie']).toBeUndefined()
    expect(again.body).toContain('l2d2c dashboard --data-dir')
  })

  it('the page and its data need the session (or the token); the static files do not', async () => {
    const url = await serve()
    const anonymous = await call(url, '/')
    expect(anonymous.status).toBe(401)
    expect(anonymous.body).toContain('needs a login link')
    expect((await call(url, '/v1/dashboard/events')).status).toBe(401)
    expect((await call(url, '/v1/dashboard/play?task=x', { headers: { cookie: 'l2d2c_session=forged' } })).status).toBe(
      401
    )
    expect((await call(url, '/dashboard/app.js')).status).toBe(200)
    expect((await call(url, '/dashboard/uplot.js')).body).toContain('uPlot')
    expect((await call(url, '/dashboard/../../package.json')).status).toBe(404)
    expect((await call(url, '/dashboard/index.html')).status).toBe(404) // the page itself only at / with a session

    const cookie = await login(url)
    const page = await call(url, '/', { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.headers['content-security-policy']).toContain("default-src 'none'")
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.body).toContain('/dashboard/app.js')
    expect(page.body).not.toContain(TOKEN)
    // the token works too (scripts, curl), and /v1 JSON routes still need the token itself
    expect((await call(url, '/', { headers: auth })).status).toBe(200)
    expect((await call(url, '/v1/status', { headers: { cookie } })).status).toBe(401)
  })

  it('checks the Host header on the dashboard routes too (DNS rebinding)', async () => {
    const url = await serve()
    const port = new URL(url).port
    const cookie = await login(url)
    for (const path of ['/', '/login?code=x', '/dashboard/app.js', '/v1/dashboard/events']) {
      const r = await call(url, path, { headers: { cookie, host: `rebound.example:${port}` } })
      expect(r.status, path).toBe(421)
    }
    const minted = await call(url, '/v1/dashboard/login-code', {
      method: 'POST',
      headers: { ...auth, host: `rebound.example:${port}` }
    })
    expect(minted.status).toBe(421)
    expect((await call(url, '/', { headers: { cookie, host: `localhost:${port}` } })).status).toBe(200)
  })

  it('streams snapshots to a bounded number of clients; a closed one frees its place', async () => {
    const url = await serve({ maxClients: 2 })
    const cookie = await login(url)
    const a = await openEvents(url, cookie)
    const b = await openEvents(url, cookie)
    expect([a.status, b.status]).toEqual([200, 200])
    expect(await a.firstData).toContain('data: {"marker":"snapshot"}')
    const refused = await call(url, '/v1/dashboard/events', { headers: { cookie } })
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('5')
    a.close()
    // the server sees the close asynchronously
    let c: Awaited<ReturnType<typeof openEvents>> | null = null
    for (let i = 0; i < 50 && c === null; i++) {
      await new Promise(resolve => setTimeout(resolve, 20))
      const attempt = await openEvents(url, cookie)
      if (attempt.status === 200) c = attempt
      else attempt.close()
    }
    expect(c?.status).toBe(200)
    b.close()
    c?.close()
  })

  it('the play route reads a task key and says why it cannot play', async () => {
    const url = await serve()
    const cookie = await login(url)
    expect((await call(url, '/v1/dashboard/play', { headers: { cookie } })).status).toBe(400)
    const no = await call(url, '/v1/dashboard/play?task=minigrid/x', { headers: { cookie } })
    expect(no.status).toBe(404)
    expect(no.body).toContain('no mask for minigrid/x')
    const ok = await call(url, `/v1/dashboard/play?task=${encodeURIComponent('ctgraph/d2b2/img1/leaf00')}`, {
      headers: { cookie }
    })
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toMatchObject({ taskKey: 'ctgraph/d2b2/img1/leaf00', totalReward: 1 })
  })
})
