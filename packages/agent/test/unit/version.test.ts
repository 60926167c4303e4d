import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { L2D2C_VERSION } from '../../src/version.js'

function packageVersion(path: string): string {
  return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string }).version
}

describe('L2D2C_VERSION', () => {
  // daemon.json, /v1/status and the user agents report L2D2C_VERSION, the CLI's --version reads
  // its package.json: a release that bumps one and not the other fails here.
  it('is the version of the agent and cli packages', () => {
    expect(L2D2C_VERSION).toBe(packageVersion('../../package.json'))
    expect(L2D2C_VERSION).toBe(packageVersion('../../../cli/package.json'))
  })
})
