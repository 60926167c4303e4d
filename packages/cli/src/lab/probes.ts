import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProbeOutcome } from './checks.js'
import { daemonEnvironment, type LabNode } from './daemons.js'
import type { CheckSpec } from './topology.js'

const CLI_BIN = fileURLToPath(new URL('../bin.js', import.meta.url))

/**
 * A fetch-latency check's probes: `l2d2c fetch` of the task from `to`, count times, from the
 * `from` node's namespace (a fresh connection each time: dial, inventory, fetch, verify). The
 * outcome fills as they finish; `done` at the end.
 */
export async function runFetchProbes(
  c: Extract<CheckSpec, { kind: 'fetch-latency' }>,
  from: LabNode,
  to: LabNode,
  outcome: ProbeOutcome,
  signal?: AbortSignal
): Promise<void> {
  const out = join(from.dataDir, 'probe.l2dm')
  for (let i = 0; i < c.count && signal?.aborted !== true; i++) {
    const r = await runProcess(
      [
        'ip',
        'netns',
        'exec',
        from.ns,
        process.execPath,
        CLI_BIN,
        'fetch',
        c.task,
        '--peer',
        to.multiaddr,
        '--out',
        out,
        '--timeout-ms',
        String(c.timeoutMs),
        '--json'
      ],
      c.timeoutMs + 15_000
    )
    try {
      if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`)
      const ms = (JSON.parse(r.stdout) as { milliseconds: number }).milliseconds
      outcome.okMs.push(ms)
    } catch (err) {
      outcome.failures.push((err as Error).message.slice(0, 200))
    }
  }
  rmSync(out, { force: true })
  outcome.done = true
}

async function runProcess(
  argv: readonly string[],
  timeoutMs: number
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, ...args] = argv as [string, ...string[]]
  return await new Promise(resolve => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: daemonEnvironment(process.env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
