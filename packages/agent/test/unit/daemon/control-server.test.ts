import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ControlListenError, ControlServer } from '../../../src/daemon/control-server.js'

const TOKEN = 'a'.repeat(64)
const dir = mkdtempSync(join(tmpdir(), 'l2d2c-control-'))
const servers: ControlServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(async s => await s.stop()))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function server(listen: string): ControlServer {
  const s = new ControlServer({
    listen,
    token: TOKEN,
    routes: { '/v1/status': async () => ({ peerId: 'me' }) },
    metrics: async () => ({ contentType: 'text/plain', body: 'l2d2c_masks_held 3\n' })
  })
  servers.push(s)
  return s
}

/** One GET with chosen headers (fetch would not let a test set Host). */
async function get(
  target: { url: string } | { socketPath: string },
  path: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string }> {
  return await new Promise((resolve, reject) => {
    const where =
      'url' in target
        ? { hostname: new URL(target.url).hostname.replace(/^\[|\]$/g, ''), port: Number(new URL(target.url).port) }
        : { socketPath: target.socketPath }
    // an empty host stands for no Host header at all
    const { host, ...others } = headers
    const sent = host === '' ? { headers: others, setHost: false } : { headers }
    const req = request({ ...where, path, method: 'GET', ...sent }, res => {
      let body = ''
      res.on('data', d => {
        body += String(d)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const auth = { authorization: `Bearer ${TOKEN}` }

describe('ControlServer', () => {
  it('/metrics needs the token; /health does not and says nothing but ok', async () => {
    const url = await server('127.0.0.1:0').start()
    expect((await get({ url }, '/metrics')).status).toBe(401)
    const m = await get({ url }, '/metrics', auth)
    expect(m.status).toBe(200)
    expect(m.body).toContain('l2d2c_masks_held 3')
    const h = await get({ url }, '/health')
    expect(h).toEqual({ status: 200, body: '{"ok":true}' })
    expect((await get({ url }, '/v1/status')).status).toBe(401)
    expect((await get({ url }, '/v1/status', auth)).status).toBe(200)
  })

  it('answers only for its own host and port or localhost: a rebound name gets 421 on every route', async () => {
    const url = await server('127.0.0.1:0').start()
    const port = new URL(url).port
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`])
      expect((await get({ url }, '/v1/status', { ...auth, host })).status, host).toBe(200)
    for (const host of [`evil.example:${port}`, 'localhost', `127.0.0.1:${Number(port) + 1}`, `127.0.0.2:${port}`, ''])
      for (const path of ['/health', '/metrics', '/v1/status']) {
        const r = await get({ url }, path, { ...auth, host })
        // no Host at all: Node's HTTP server itself answers 400 before the handler
        expect(r.status, `${host} ${path}`).toBe(host === '' ? 400 : 421)
        expect(r.body).not.toContain('l2d2c_masks_held')
      }
  })

  it('on [::1] accepts its bracketed address', async () => {
    let url: string
    try {
      url = await server('[::1]:0').start()
    } catch (err) {
      console.log(`IPv6 loopback not available here: ${(err as Error).message}`)
      return
    }
    const port = new URL(url).port
    expect((await get({ url }, '/v1/status', { ...auth, host: `[::1]:${port}` })).status).toBe(200)
    expect((await get({ url }, '/v1/status', { ...auth, host: `127.0.0.1:${port}` })).status).toBe(421)
  })

  it('over a Unix socket: any Host, and a stale socket left by a killed daemon is replaced', async () => {
    const path = join(dir, 'stale.sock')
    // a socket file nobody listens on: what a SIGKILLed daemon leaves behind
    const child = spawn(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.stdout.write('up'))`
    ])
    await new Promise(resolve => child.stdout.once('data', resolve))
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    expect(statSync(path).isSocket()).toBe(true)
    await server(`unix:${path}`).start()
    expect((await get({ socketPath: path }, '/v1/status', { ...auth, host: 'anything' })).status).toBe(200)
  })

  it('refuses a Unix-socket path held by a live server, a file or a directory, and leaves it there', async () => {
    const live = join(dir, 'live.sock')
    const other = createServer()
    await new Promise<void>(resolve => other.listen(live, resolve))
    try {
      const err = await server(`unix:${live}`)
        .start()
        .then(
          () => null,
          (e: unknown) => e
        )
      expect(err).toBeInstanceOf(ControlListenError)
      expect((err as Error).message).toContain('address in use')
    } finally {
      await new Promise<void>(resolve => other.close(() => resolve()))
    }
    const file = join(dir, 'precious.txt')
    writeFileSync(file, 'keep me')
    const sub = join(dir, 'a-dir')
    mkdirSync(sub)
    for (const [path, kind] of [
      [file, 'a file'],
      [sub, 'a directory']
    ] as const) {
      const err = await server(`unix:${path}`)
        .start()
        .then(
          () => null,
          (e: unknown) => e
        )
      expect(err).toBeInstanceOf(ControlListenError)
      expect((err as Error).message).toContain(`not a socket (${kind})`)
    }
    expect(statSync(file).isFile()).toBe(true)
    expect(statSync(sub).isDirectory()).toBe(true)
  })
})
