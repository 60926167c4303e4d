import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const pkg = fileURLToPath(new URL('..', import.meta.url))

describe('generated protobuf code', () => {
  it('is up to date with proto/l2d2c.proto (run `pnpm --filter @l2d2c/protocol generate` after editing it)', () => {
    const script = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).scripts.generate as string
    const out = mkdtempSync(join(tmpdir(), 'l2d2c-gen-'))
    try {
      // Same command as the package's generate script, with the output redirected.
      const cmd = script.replaceAll('gen/l2d2c.', `${out}/l2d2c.`)
      execFileSync('sh', ['-c', cmd], {
        cwd: pkg,
        env: { ...process.env, PATH: `${join(pkg, 'node_modules/.bin')}:${process.env.PATH ?? ''}` },
        stdio: 'pipe'
      })
      for (const f of ['l2d2c.js', 'l2d2c.d.ts']) {
        expect(readFileSync(join(out, f), 'utf8'), `gen/${f} is stale`).toBe(readFileSync(join(pkg, 'gen', f), 'utf8'))
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 60_000)
})
