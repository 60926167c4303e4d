import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  formatSwarmKey,
  loadSwarmKey,
  parseSwarmKey,
  SWARM_KEY_FILE_MODE,
  SwarmKeyError,
  writeNewSwarmKey
} from '../../../src/network/swarm-key.js'
import { rejectionOf } from '../../helpers/rejection.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2d2c-swarm-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const HEX = 'dffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d'
const TEXT = `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`

describe('parseSwarmKey', () => {
  it('reads the PSK v1 format, with or without a final newline, CRLF or upper-case hex, to one canonical key', () => {
    const canonical = parseSwarmKey(TEXT, 'f')
    expect(new TextDecoder().decode(canonical.psk)).toBe(TEXT)
    expect(canonical.fingerprint).toMatch(/^[0-9a-f]{16}$/)
    for (const variant of [TEXT.trimEnd(), TEXT.replaceAll('\n', '\r\n'), TEXT.replace(HEX, HEX.toUpperCase())]) {
      const k = parseSwarmKey(variant, 'f')
      expect(k.psk).toEqual(canonical.psk)
      expect(k.fingerprint).toBe(canonical.fingerprint)
    }
    expect(parseSwarmKey(formatSwarmKey(new Uint8Array(32)), 'f').fingerprint).not.toBe(canonical.fingerprint)
  })

  it.each([
    ['', 'first line'],
    [TEXT.replace('/key/swarm/psk/1.0.0/', '/key/swarm/psk/2.0.0/'), 'first line'],
    [TEXT.replace('/base16/', '/base64/'), 'second line'],
    [TEXT.replace(HEX, HEX.slice(2)), 'third line'],
    [TEXT.replace(HEX, `${HEX}00`), 'third line'],
    [TEXT.replace(HEX, `${HEX.slice(1)}g`), 'third line'],
    [`${TEXT}extra\n`, 'more than three lines']
  ])('refuses a malformed key (%#: %s)', (text, why) => {
    let err: unknown
    try {
      parseSwarmKey(text, '/etc/swarm.key')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SwarmKeyError)
    expect(err).toMatchObject({ code: 'MALFORMED', path: '/etc/swarm.key' })
    expect((err as Error).message).toContain(why)
    expect((err as Error).message).toContain('l2d2c keygen swarm-key')
  })
})

describe('loadSwarmKey', () => {
  it('loads a 0600 key', async () => {
    const path = join(dir, 'swarm.key')
    await writeFile(path, TEXT, { mode: 0o600 })
    expect((await loadSwarmKey(path)).psk).toEqual(parseSwarmKey(TEXT, path).psk)
  })

  it('refuses a key that other users can read, with the chmod that fixes it', async () => {
    const path = join(dir, 'swarm.key')
    await writeFile(path, TEXT)
    await chmod(path, 0o644)
    const err = await rejectionOf(loadSwarmKey(path), SwarmKeyError)
    expect(err).toMatchObject({ name: 'SwarmKeyError', code: 'PERMISSIONS_TOO_OPEN' })
    expect((err as Error).message).toContain(`chmod 600 ${path}`)
    expect((err as Error).message).toContain('644')
  })

  it('refuses a missing file, a directory and an oversized file', async () => {
    expect(await rejectionOf(loadSwarmKey(join(dir, 'none')), SwarmKeyError)).toMatchObject({ code: 'UNREADABLE' })
    await mkdir(join(dir, 'd'), { mode: 0o700 })
    expect(await rejectionOf(loadSwarmKey(join(dir, 'd')), SwarmKeyError)).toMatchObject({ code: 'UNREADABLE' })
    const big = join(dir, 'big')
    await writeFile(big, 'x'.repeat(5000), { mode: 0o600 })
    expect(await rejectionOf(loadSwarmKey(big), SwarmKeyError)).toMatchObject({ code: 'MALFORMED' })
  })
})

describe('writeNewSwarmKey', () => {
  it('writes a random 0600 key, refuses to overwrite it, and replaces it with force', async () => {
    const path = join(dir, 'sub', 'swarm.key')
    const first = await writeNewSwarmKey(path)
    expect((await stat(path)).mode & 0o777).toBe(SWARM_KEY_FILE_MODE)
    expect((await loadSwarmKey(path)).fingerprint).toBe(first.fingerprint)
    const before = await readFile(path, 'utf8')
    expect(await rejectionOf(writeNewSwarmKey(path), SwarmKeyError)).toMatchObject({ code: 'EXISTS' })
    expect(await readFile(path, 'utf8')).toBe(before)
    const second = await writeNewSwarmKey(path, { force: true })
    expect(second.fingerprint).not.toBe(first.fingerprint)
    expect((await loadSwarmKey(path)).fingerprint).toBe(second.fingerprint)
  })
})
