import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveDaemonConfig } from '../../../src/daemon/config/resolve.js'
import { Daemon } from '../../../src/daemon/daemon.js'
import type { Logger } from '../../../src/logging/logger.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A logger that keeps the messages, so the test can see the warning. */
function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (a: object | string, b?: string): void => {
      lines.push(`${level} ${typeof a === 'string' ? a : (b ?? '')}`)
    }
  const logger: Logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger
  }
  return logger
}

/** A daemon whose role loop never ends, as one blocked on a network call that never returns. */
class StuckDaemon extends Daemon {
  protected override async runRole(): Promise<void> {
    await new Promise(() => {})
  }
}

describe('Daemon.stop', () => {
  it('persists and removes its lock and discovery file even when the role loop never finishes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'l2d2c-daemon-stop-'))
    dirs.push(dataDir)
    const config = resolveDaemonConfig({ flags: { dataDir, tasks: ['ctgraph/d2b2/img1/leaf00'], backend: 'wasm' } })
    const lines: string[] = []
    const daemon = await StuckDaemon.start(config, recordingLogger(lines), { stopGraceMs: 300 })
    expect(existsSync(join(dataDir, 'daemon.json'))).toBe(true)
    expect(existsSync(join(dataDir, 'lock'))).toBe(true)
    const t0 = Date.now()
    await daemon.stop()
    expect(Date.now() - t0).toBeLessThan(15_000)
    await daemon.done
    expect(lines.some(l => l.startsWith('warn') && l.includes('did not finish'))).toBe(true)
    expect(lines.at(-1)).toBe('info stopped')
    expect(existsSync(join(dataDir, 'daemon.json'))).toBe(false)
    expect(existsSync(join(dataDir, 'lock'))).toBe(false)
    expect(existsSync(join(dataDir, 'state.json'))).toBe(true)
  }, 60_000)
})
