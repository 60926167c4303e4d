import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { childEnvironment, logOutput } from '../../src/demo/launcher.js'

describe('childEnvironment', () => {
  it('drops every inherited L2D2C_* variable and keeps the rest, then adds what the launcher sets', () => {
    const parent = { PATH: '/bin', HOME: '/h', L2D2C_API: '127.0.0.1:5001', L2D2C_STEPS_PER_TASK: '5', L2D2C_DATA_DIR: '/data', L2D2C_API_TOKEN: 't' }
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
      const file = join(dir, 'daemon.log')
      expect(await logOutput(child, file)).toBe(3)
      expect(readFileSync(file, 'utf8')).toBe('err line\nlast line\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
