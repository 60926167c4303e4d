import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { childEnvironment } from '../src/demo/launcher.js'

/** Path of the compiled CLI (rebuilt by test/global-setup.ts before the suite). */
export const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
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
