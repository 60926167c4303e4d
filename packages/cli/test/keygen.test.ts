import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runInProcess } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'l2d2c-keygen-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('l2d2c keygen swarm-key', () => {
  it('writes a PSK v1 key with mode 0600 and prints its fingerprint', async () => {
    const out = join(dir, 'swarm.key')
    const r = await runInProcess(['keygen', 'swarm-key', '--out', out, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ file: out, mode: '0600' })
    expect(doc.fingerprint).toMatch(/^[0-9a-f]{16}$/)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(readFileSync(out, 'utf8')).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
  })

  it('refuses to overwrite a file (exit 2, file unchanged) unless --force', async () => {
    const out = join(dir, 'existing.key')
    writeFileSync(out, 'precious')
    const r = await runInProcess(['keygen', 'swarm-key', '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--force')
    expect(readFileSync(out, 'utf8')).toBe('precious')
    const forced = await runInProcess(['keygen', 'swarm-key', '--out', out, '--force'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stdout).toContain('fingerprint')
    expect(readFileSync(out, 'utf8')).toContain('/key/swarm/psk/1.0.0/')
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('needs --out', async () => {
    expect((await runInProcess(['keygen', 'swarm-key'])).code).toBe(2)
  })
})
