import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dataDirPaths } from '@l2d2c/protocol'
import { childEnvironment, logOutput, stopDaemons, type ChildDaemon } from '../../src/demo/launcher.js'

describe('childEnvironment', () => {
  it('drops every inherited L2D2C_* variable and keeps the rest, then adds what the launcher sets', () => {
    const parent = {
      PATH: '/bin',
      HOME: '/h',
      L2D2C_API: '127.0.0.1:5001',
      L2D2C_STEPS_PER_TASK: '5',
      L2D2C_DATA_DIR: '/data',
      L2D2C_API_TOKEN: 't'
    }
    expect(childEnvironment(parent, { L2D2C_SEED: '3' })).toEqual({ PATH: '/bin', HOME: '/h', L2D2C_SEED: '3' })
    expect(childEnvironment(parent)).toEqual({ PATH: '/bin', HOME: '/h' })
  })
})

describe('logOutput', () => {
  it('resolves with the exit code only once the log holds all output, whichever pipe ends first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2d2c-log-'))
    try {
      // The child exits at once; a grandchild holding only its stdout writes the last line
      // 300 ms later. So 'exit' comes before the last line, and stderr ends before stdout.
      const grandchild = "setTimeout(() => { process.stdout.write('last line\\n') }, 300)"
      const script = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: ['ignore', 'inherit', 'ignore'] }).unref(); process.stderr.write('err line\\n'); process.exitCode = 3`
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
      const file = dataDirPaths(dir).log
      expect(await logOutput(child, file)).toBe(3)
      expect(readFileSync(file, 'utf8')).toBe('err line\nlast line\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** A stand-in child: records signals, exits when told (or on SIGTERM/SIGKILL if dies is set). */
function fakeDaemon(
  post: () => Promise<unknown>,
  dies: boolean
): { d: ChildDaemon; signals: string[]; exit: (code: number) => void } {
  const signals: string[] = []
  let exit = (_: number): void => {}
  const exited = new Promise<number | null>(resolve => {
    exit = code => {
      proc.exitCode = code
      resolve(code)
    }
  })
  const proc = {
    exitCode: null as number | null,
    kill: (signal: string) => {
      signals.push(signal)
      if (dies) exit(signal === 'SIGKILL' ? 137 : 0)
      return true
    }
  }
  return { d: { process: proc, client: { post }, exited } as unknown as ChildDaemon, signals, exit }
}

describe('stopDaemons', () => {
  it('sends no signal when the stop request is refused but the daemon exits on its own (it was already stopping)', async () => {
    const f = fakeDaemon(async () => {
      setTimeout(() => {
        f.exit(0)
      }, 30)
      throw new Error('ECONNREFUSED')
    }, true)
    await stopDaemons([f.d], 5_000, 500)
    expect(f.signals).toEqual([])
  })

  it('sends SIGTERM when the request is refused and the daemon is still alive after the wait', async () => {
    const f = fakeDaemon(async () => {
      throw new Error('ECONNREFUSED')
    }, true)
    await stopDaemons([f.d], 5_000, 50)
    expect(f.signals).toEqual(['SIGTERM'])
  })

  it('counts the grace from the request: a request that never answers does not delay the SIGKILL', async () => {
    const f = fakeDaemon(async () => await new Promise(() => {}), true)
    await stopDaemons([f.d], 100, 50) // before the fix: waited for the answer first, here forever
    expect(f.signals).toEqual(['SIGKILL'])
  })

  it('leaves a daemon that has already exited alone', async () => {
    const f = fakeDaemon(async () => {
      throw new Error('must not be asked')
    }, true)
    f.exit(0)
    await stopDaemons([f.d], 100, 50)
    expect(f.signals).toEqual([])
  })
})
