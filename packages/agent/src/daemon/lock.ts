import { open, readFile, rm } from 'node:fs/promises'
import { dataDirPaths } from '@l2d2c/protocol'

/** Another live daemon holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number
  ) {
    super(`data dir ${dataDir} is in use by another l2d2c daemon (pid ${pid})`)
    this.name = 'DataDirLockedError'
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid of another live process holding `dataDir`'s lock, or null (no lock, or a stale one). */
export async function lockHolder(dataDir: string): Promise<number | null> {
  // No lock file (or an unreadable one) reads as no pid: nobody holds the directory.
  const pid = Number((await readFile(dataDirPaths(dataDir).lock, 'utf8').catch(() => '')).trim())
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null
}

/**
 * An exclusive lock on a data directory: `lock` holds the owner's pid, created with O_EXCL so
 * two daemons can never share a directory. A lock left by a dead process (crash, SIGKILL) is
 * taken over, so a restart needs no manual cleanup.
 */
export class DataDirLock {
  private held = false
  readonly path: string

  constructor(readonly dataDir: string) {
    this.path = dataDirPaths(dataDir).lock
  }

  async acquire(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(this.path, 'wx', 0o644)
        await fh.writeFile(`${process.pid}\n`)
        await fh.close()
        this.held = true
        return
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const pid = await lockHolder(this.dataDir)
      if (pid !== null) throw new DataDirLockedError(this.dataDir, pid)
      await rm(this.path, { force: true }) // stale: its owner is gone
    }
    throw new Error(`could not lock ${this.dataDir}`)
  }

  async release(): Promise<void> {
    if (!this.held) return
    this.held = false
    await rm(this.path, { force: true })
  }
}
