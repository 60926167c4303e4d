import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { childEnvironment } from '../src/demo/launcher.js'
import { run } from '../src/program.js'

/** Path of the compiled CLI (rebuilt by test/global-setup.ts before the suite). */
export const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** A writable stream that keeps what is written to it, as text. */
export function textSink(): Writable & { text: () => string } {
  let text = ''
  const sink = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk)
      cb()
    }
  })
  return Object.assign(sink, { text: () => text })
}

/**
 * Runs `l2d2c args` in this process through run() (program.ts), the function the binary calls,
 * with stdout and stderr captured: for tests of a command's output and exit code that need no
 * process of its own. The environment is the one runCli gives a child (this process's without
 * its L2D2C_* variables, plus opts.env); opts.signal stands for the binary's SIGINT/SIGTERM.
 * What only a real process shows (signals, exiting with open handles, bin.ts itself) is
 * tested with runCli.
 */
export async function runInProcess(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}
): Promise<CliRun> {
  const stdout = textSink()
  const stderr = textSink()
  const code = await run(args, {
    stdout,
    stderr,
    env: { ...childEnvironment(process.env), ...opts.env },
    ...(opts.signal !== undefined ? { signal: opts.signal } : {})
  })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

/**
 * Runs the real `l2d2c` binary in a child process, in this process's environment without its
 * L2D2C_* variables (a developer's would change what the daemon does, or be refused as
 * unknown), plus opts.env.
 */
export async function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}
): Promise<CliRun> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...childEnvironment(process.env), ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => {
      stdout += String(d)
    })
    child.stderr.on('data', d => {
      stderr += String(d)
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`l2d2c ${args.join(' ')} timed out\n${stderr}`))
    }, opts.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
