import { createServer, type Server } from 'node:http'
import { networkInterfaces } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { ControlClient } from '../../src/control/client.js'

/** Whether this machine has an IPv6 loopback to listen on (containers may not). */
const hasIpv6Loopback = Object.values(networkInterfaces()).some(list =>
  (list ?? []).some(a => a.family === 'IPv6' && a.internal)
)

describe('ControlClient', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise<void>(resolve => (server === undefined ? resolve() : server.close(() => resolve())))
    server = undefined
  })

  /** A control-API stand-in that answers every GET with the path and bearer it saw. */
  async function listen(host: string): Promise<number> {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }))
    })
    await new Promise<void>(resolve => server?.listen(0, host, resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    return address.port
  }

  it('reaches a daemon on an IPv4 loopback address', async () => {
    const port = await listen('127.0.0.1')
    const client = new ControlClient({ url: `http://127.0.0.1:${port}`, token: 't' })
    expect(await client.get('/v1/status')).toEqual({ path: '/v1/status', auth: 'Bearer t' })
  })

  it.runIf(hasIpv6Loopback)('reaches a daemon on the IPv6 loopback, written in brackets as URLs write it', async () => {
    const port = await listen('::1')
    const client = new ControlClient({ url: `http://[::1]:${port}`, token: 't' })
    expect(await client.get('/v1/status')).toEqual({ path: '/v1/status', auth: 'Bearer t' })
  })

  it('says a daemon that does not listen is unreachable', async () => {
    const port = await listen('127.0.0.1')
    await new Promise<void>(resolve => server?.close(() => resolve()))
    server = undefined
    const client = new ControlClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000 })
    await expect(client.get('/v1/status')).rejects.toMatchObject({ kind: 'unreachable' })
  })
})
if (!hasIpv6Loopback) console.log('control-client.test: no IPv6 loopback here, the [::1] case is skipped')
