import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isTempFile, writeFileAtomic } from '../../../src/util/atomic-file.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(
    dirs.splice(0).map(async d => {
      await rm(d, { recursive: true, force: true })
    })
  )
})
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'l2d2c-atomic-'))
  dirs.push(d)
  return d
}

describe('atomic file writes', () => {
  it('replaces a file, with the exact mode asked for, leaving no temp file', async () => {
    const dir = await tempDir()
    const path = join(dir, 'sub', 'a.json')
    expect(await writeFileAtomic(path, 'one', { mode: 0o600, dirMode: 0o700 })).toBe(true)
    expect(await writeFileAtomic(path, 'two', 0o600)).toBe(true)
    expect(await readFile(path, 'utf8')).toBe('two')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700)
    expect((await readdir(join(dir, 'sub'))).filter(isTempFile)).toEqual([])
  })

  it('without a mode, respects the umask like a plain write (state files are not widened)', async () => {
    const dir = await tempDir()
    const previous = process.umask(0o077)
    try {
      await writeFileAtomic(join(dir, 'state.json'), '{}')
    } finally {
      process.umask(previous)
    }
    expect((await stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600)
  })

  it('in exclusive mode never replaces an existing file: the first writer wins', async () => {
    const dir = await tempDir()
    const path = join(dir, 'key')
    const results = await Promise.all(
      ['a', 'b', 'c'].map(async s => await writeFileAtomic(path, s, { exclusive: true }))
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(['a', 'b', 'c'][results.indexOf(true)]).toBe(await readFile(path, 'utf8'))
    expect(await writeFileAtomic(path, 'later', { exclusive: true })).toBe(false)
    expect((await readdir(dir)).filter(isTempFile)).toEqual([])
  })
})
