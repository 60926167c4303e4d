import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli, runInProcess } from './helpers.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

describe('l2d2c basics', () => {
  it('--version prints the package version', async () => {
    const r = await runInProcess(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(pkg.version)
  })

  it('--help lists the commands', async () => {
    const r = await runInProcess(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: l2d2c')
    expect(r.stdout).toContain('mask')
  })

  it('an unknown command or option is a usage error (exit 2) with a hint on stderr', async () => {
    const r = await runInProcess(['no-such-command'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('--help')
    const o = await runInProcess(['mask', 'inspect', 'x', '--no-such-flag'])
    expect(o.code).toBe(2)
  })

  it('bad flag values of fetch and demo are usage errors that name the flag', async () => {
    const peer = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
    const cases: Array<[string[], string]> = [
      [
        ['fetch', 'ctgraph/d2b2/img1/leaf00', '--peer', peer, '--encoding', 'f64'],
        '--encoding must be one of bits, f16, f32, got "f64"'
      ],
      [
        ['fetch', 'ctgraph/d2b2/img1/leaf00', '--peer', peer, '--timeout-ms', '0'],
        '--timeout-ms must be an integer in 1..86400000, got "0"'
      ],
      [['masks', '--peer', peer, '--timeout-ms', '2.5'], '--timeout-ms must be an integer in 1..86400000, got "2.5"'],
      [['demo', '--env', 'atari'], '--env must be one of ctgraph, minigrid, got "atari"'],
      [['demo', '--agents', '0'], '--agents must be an integer in 1..16, got "0"']
    ]
    for (const [args, message] of cases) {
      const r = await runInProcess(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(`l2d2c: ${message}`)
    }
  })
  it('the binary exits with the code of the command, its result on stdout and diagnostics on stderr', async () => {
    const version = await runCli(['--version'])
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
    const usage = await runCli(['no-such-command'])
    expect(usage.code).toBe(2)
    expect(usage.stdout).toBe('')
    expect(usage.stderr).toContain("error: unknown command 'no-such-command'")
  })
})
