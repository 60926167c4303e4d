import { readFileSync } from 'node:fs'

/** The CLI package version, read from its package.json (works from src/ and dist/). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
