import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ControlClient, DAEMON_FILE, TOKEN_FILE, type DaemonDiscovery } from '@l2d2c/protocol'

const CLI_BIN = fileURLToPath(new URL('../bin.js', import.meta.url))

export interface ChildDaemon {
  name: string
  dataDir: string
  process: ChildProcess
  discovery: DaemonDiscovery
  client: ControlClient
  exited: Promise<number | null>
}

/** Starts one `l2d2c daemon` child (logs to <dataDir>/daemon.log) and waits until it serves. */
export async function launchDaemon (name: string, dataDir: string, args: string[], timeoutMs = 90_000): Promise<ChildDaemon> {
  await mkdir(dataDir, { recursive: true })
  const log = createWriteStream(join(dataDir, 'daemon.log'), { flags: 'a' })
  const child = spawn(process.execPath, [CLI_BIN, 'daemon', '--data-dir', dataDir, '--log-format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, L2D2C_DATA_DIR: undefined } })
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const exited = new Promise<number | null>(resolve => { child.on('exit', code => { resolve(code) }) })
  const file = join(dataDir, DAEMON_FILE)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (code ${child.exitCode}) before serving; see ${join(dataDir, 'daemon.log')}`)
    if (existsSync(file)) {
      try {
        const discovery = JSON.parse(readFileSync(file, 'utf8')) as DaemonDiscovery
        if (discovery.pid === child.pid) {
          const token = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim()
          return { name, dataDir, process: child, discovery, client: new ControlClient({ url: discovery.api, token, timeoutMs: 10_000 }), exited }
        }
      } catch { /* being written */ }
    }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${name} did not start within ${timeoutMs} ms; see ${join(dataDir, 'daemon.log')}`) }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Asks daemons to stop gracefully (SIGTERM), forcing those that do not stop in time. */
export async function stopDaemons (daemons: readonly ChildDaemon[], graceMs = 20_000): Promise<void> {
  await Promise.all(daemons.map(async d => {
    if (d.process.exitCode !== null) return
    d.process.kill('SIGTERM')
    const timer = setTimeout(() => { d.process.kill('SIGKILL') }, graceMs)
    await d.exited
    clearTimeout(timer)
  }))
}
