import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, runCli } from './helpers.js'

export interface RunningDaemon {
  dataDir: string
  process: ChildProcess
  /** Log lines (JSON) the daemon printed so far. */
  logs: string[]
  peerId: string
  addr: string
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Starts `l2d2c daemon` as a child process and waits for its discovery file. */
export async function startDaemon (dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningDaemon> {
  const child = spawn(process.execPath, [CLI, 'daemon', '--data-dir', dataDir, '--log-format', 'json', '--backend', 'wasm', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const logs: string[] = []
  let buffer = ''
  child.stdout!.on('data', d => { buffer += String(d); const lines = buffer.split('\n'); buffer = lines.pop() ?? ''; logs.push(...lines) })
  child.stderr!.on('data', d => { logs.push(String(d)) })
  const exited = new Promise<number | null>(resolve => { child.on('exit', code => { resolve(code) }) })
  const file = join(dataDir, 'daemon.json')
  const deadline = Date.now() + 60_000
  while (!existsSync(file) || !logs.some(l => l.includes('"daemon started"'))) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${logs.join('\n')}`)
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`daemon did not start:\n${logs.join('\n')}`) }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const d = JSON.parse(readFileSync(file, 'utf8')) as { peerId: string, addrs: string[] }
  return {
    dataDir,
    process: child,
    logs,
    peerId: d.peerId,
    addr: d.addrs[0] ?? '',
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
}

/** Polls `l2d2c status --json` until `pred` holds. */
export async function waitStatus (dataDir: string, pred: (s: Record<string, any>) => boolean, timeoutMs = 90_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs
  let last: Record<string, any> = {}
  while (Date.now() < deadline) {
    const r = await runCli(['status', '--data-dir', dataDir, '--json'])
    if (r.code === 0) {
      last = JSON.parse(r.stdout)
      if (pred(last)) return last
    }
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error(`status condition not met: ${JSON.stringify(last)}`)
}
