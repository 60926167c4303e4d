import { readFileSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { dataDirPaths } from '@l2d2c/protocol'
import { awaitExit, launchDaemon, type ChildDaemon } from '../src/demo/launcher.js'
import { CLI, runInProcess } from './helpers.js'

export interface RunningDaemon {
  dataDir: string
  /** As the demo holds it (control client, exit promise). */
  child: ChildDaemon
  process: ChildProcess
  /** What the daemon logged so far (JSON lines). */
  log: () => string
  peerId: string
  addr: string
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Starts `l2d2c daemon` (the built CLI, wasm backend) as the demo does and waits until it serves. */
export async function startDaemon(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {}
): Promise<RunningDaemon> {
  const d = await launchDaemon('test daemon', dataDir, ['--backend', 'wasm', ...args], {
    bin: CLI,
    env,
    timeoutMs: 60_000
  })
  return {
    dataDir,
    child: d,
    process: d.process,
    log: () => readFileSync(dataDirPaths(dataDir).log, 'utf8'),
    peerId: d.discovery.peerId,
    addr: d.discovery.addrs[0] ?? '',
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (d.process.exitCode === null) d.process.kill(signal)
      return await awaitExit(d, 20_000)
    }
  }
}

/** A parsed `--json` document, read field by field by the tests. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the documents' fields directly
type JsonDocument = Record<string, any>

/** Polls `l2d2c status --json` (run in this process: only the daemon needs its own) until `pred` holds. */
export async function waitStatus(
  dataDir: string,
  pred: (s: JsonDocument) => boolean,
  timeoutMs = 90_000
): Promise<JsonDocument> {
  const deadline = Date.now() + timeoutMs
  let last: JsonDocument = {}
  while (Date.now() < deadline) {
    const r = await runInProcess(['status', '--data-dir', dataDir, '--json'])
    if (r.code === 0) {
      last = JSON.parse(r.stdout)
      if (pred(last)) return last
    }
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  throw new Error(`status condition not met: ${JSON.stringify(last)}`)
}
