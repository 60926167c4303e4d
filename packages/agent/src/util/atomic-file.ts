import { type FileHandle, link, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { errorCode } from '../errors.js'

export interface AtomicWriteOptions {
  /**
   * Exact file mode (e.g. 0600 for secrets), set after creation so the umask cannot change it.
   * Without it the file is created 0666 less the umask, like any other write.
   */
  readonly mode?: number
  /** Mode of the directory when it has to be created. */
  readonly dirMode?: number
  /**
   * Never replace an existing file: publish with link(), which fails when the target exists.
   * writeFileAtomic then returns false (another writer won) instead of overwriting.
   */
  readonly exclusive?: boolean
}

/** Whether a directory entry is an unfinished write of writeFileAtomic (safe to delete at start-up). */
export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp')
}

/**
 * Writes a file so that readers (and a crash at any point) see either the old content or
 * the new content, never a mix: write a temp file in the same directory, fsync it, rename
 * it over the target (atomic on POSIX), then fsync the directory so the rename is durable.
 * Returns false only in exclusive mode, when the file already existed.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: number | AtomicWriteOptions = {}
): Promise<boolean> {
  const { mode, dirMode, exclusive = false } = typeof options === 'number' ? { mode: options } : options
  const dir = dirname(path)
  await mkdir(dir, { recursive: true, ...(dirMode !== undefined ? { mode: dirMode } : {}) })
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const fh = await open(tmp, 'wx', mode ?? 0o666)
    try {
      await fh.writeFile(data)
      // the umask applies at creation; an asked-for mode is set exactly (the renamed file keeps it)
      if (mode !== undefined) await fh.chmod(mode)
      await fh.sync()
    } finally {
      await fh.close()
    }
    const published = exclusive ? await publishExclusive(tmp, path) : await rename(tmp, path).then(() => true)
    if (published) await syncDirectory(dir)
    return published
  } finally {
    await rm(tmp, { force: true })
  }
}

/**
 * Moves the temp file into place without ever replacing an existing file. link() is atomic
 * and fails with EEXIST; filesystems without hard links fall back to a checked rename, which
 * leaves a tiny race between two simultaneous writers.
 */
async function publishExclusive(tmp: string, path: string): Promise<boolean> {
  try {
    await link(tmp, path)
    return true
  } catch (err) {
    const code = errorCode(err)
    if (code === 'EEXIST') return false
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err
  }
  try {
    await stat(path)
    return false
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err
  }
  await rename(tmp, path)
  return true
}

/** Makes a new directory entry durable. Some filesystems refuse fsync on directories: best effort. */
export async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // the file itself is synced and the rename is still atomic; only its durability is at stake
  } finally {
    await fh?.close().catch(() => {})
  }
}

/** Writes JSON atomically (pretty-printed, trailing newline). */
export async function writeJsonAtomic(path: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode)
}
