import { request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ControlServer } from '../../agent/src/daemon/control-server.js'
import { Dashboard } from '../../agent/src/daemon/dashboard/dashboard.js'
import { silentLogger } from '../../agent/src/logging/logger.js'
import { runInProcess } from './helpers.js'

const TOKEN = 'd'.repeat(64)
const dir = mkdtempSync(join(tmpdir(), 'l2d2c-dashboard-cmd-'))
const control = new ControlServer({
  listen: '127.0.0.1:0',
  token: TOKEN,
  routes: {},
  metrics: async () => ({ contentType: 'text/plain', body: '' }),
  dashboard: new Dashboard(
    { snapshot: async () => Promise.reject(new Error('not used')), play: null },
    { now: Date.now, logger: silentLogger }
  )
})
let api = ''
beforeAll(async () => {
  api = (await control.start()).replace('http://', '')
})
afterAll(async () => {
  await control.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** The status of a GET and its Set-Cookie, as a browser opening the URL would see them. */
async function open(url: string): Promise<{ status: number; cookie: string | undefined }> {
  return await new Promise((resolve, reject) => {
    request(url, res => {
      res.resume()
      resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie']?.[0] })
    })
      .on('error', reject)
      .end()
  })
}

describe('l2d2c dashboard', () => {
  it('prints a one-time login URL (never the token) that logs a browser in once', async () => {
    const r = await runInProcess(['dashboard', '--api', api], { env: { L2D2C_API_TOKEN: TOKEN } })
    expect(r.code, r.stderr).toBe(0)
    const [url, note] = r.stdout.split('\n')
    expect(url).toMatch(new RegExp(`^http://${api.replace(/\./g, '\\.')}/login\\?code=[0-9a-f]{64}$`))
    expect(note).toMatch(/^\(the link logs one browser in, once, until /)
    expect(r.stdout).not.toContain(TOKEN)
    const first = await open(url as string)
    expect(first.status).toBe(303)
    expect(first.cookie).toContain('HttpOnly')
    expect((await open(url as string)).status).toBe(403)

    const json = await runInProcess(['dashboard', '--api', api, '--json'], { env: { L2D2C_API_TOKEN: TOKEN } })
    const doc = JSON.parse(json.stdout) as { url: string; expiresAt: string }
    expect(doc.url).toMatch(/\/login\?code=[0-9a-f]{64}$/)
    expect(Date.parse(doc.expiresAt)).toBeGreaterThan(Date.now())
  })

  it('needs the token, and refuses a daemon on a Unix socket (no browser can open it)', async () => {
    const wrong = await runInProcess(['dashboard', '--api', api], { env: { L2D2C_API_TOKEN: 'e'.repeat(64) } })
    expect(wrong.code).toBe(3)
    const unix = await runInProcess(['dashboard', '--api', `unix:${join(dir, 'control.sock')}`], {
      env: { L2D2C_API_TOKEN: TOKEN }
    })
    expect(unix.code).toBe(2)
    expect(unix.stderr).toContain('a browser cannot open')
    expect(unix.stderr).toContain('--api 127.0.0.1:PORT')
  })
})
