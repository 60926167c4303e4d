import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers.js'

describe('l2d2c basics', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version'])
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(pkg.version)
  })

  it('--help lists the commands', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: l2d2c')
    expect(r.stdout).toContain('mask')
  })

  it('an unknown command or option is a usage error (exit 2) with a hint on stderr', async () => {
    const r = await runCli(['no-such-command'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('--help')
    const o = await runCli(['mask', 'inspect', 'x', '--no-such-flag'])
    expect(o.code).toBe(2)
  })
})
