import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlServer } from '../../agent/src/daemon/control-server.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runInProcess } from './helpers.js'

const TOKEN = 'b'.repeat(64)
const dir = mkdtempSync(join(tmpdir(), 'l2d2c-token-'))
const control = new ControlServer({
  listen: '127.0.0.1:0',
  token: TOKEN,
  routes: { '/v1/peers': async () => ({ peers: [] }) },
  metrics: async () => ({ contentType: 'text/plain', body: '' })
})
let api = ''
beforeAll(async () => {
  api = (await control.start()).replace('http://', '')
})
afterAll(async () => {
  await control.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('the control API token of client commands', () => {
  it('comes from --token-file', async () => {
    const file = join(dir, 'token')
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 })
    const r = await runInProcess(['peers', '--api', api, '--token-file', file, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ peers: [] })
    const wrong = join(dir, 'wrong')
    writeFileSync(wrong, 'c'.repeat(64))
    expect((await runInProcess(['peers', '--api', api, '--token-file', wrong])).code).toBe(3)
    expect((await runInProcess(['peers', '--api', api, '--token-file', join(dir, 'none')])).code).toBe(3)
  })

  it('or from L2D2C_API_TOKEN', async () => {
    const r = await runInProcess(['peers', '--api', api, '--json'], { env: { L2D2C_API_TOKEN: TOKEN } })
    expect(r.code, r.stderr).toBe(0)
  })

  it('never from the command line, where ps shows it: --token is refused with the alternatives', async () => {
    const r = await runInProcess(['peers', '--api', api, '--token', TOKEN])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('visible to every user in ps')
    expect(r.stderr).toContain('--token-file')
    const help = await runInProcess(['peers', '--help'])
    expect(help.stdout).toContain('--token-file')
    expect(help.stdout).not.toMatch(/--token </)
  })
})
