import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// Build dist/ once before the suite so spawned processes and workers run current code.
export default function setup (): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { cwd: root, stdio: 'inherit' })
}
