import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { dataDirPaths } from '@l2d2c/protocol'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'

/** The names a demo run writes under --out; nothing else there is looked at. */
const DEMO_OUTPUTS = /^(learner-[0-9]+|evaluator|single|single-evaluator|summary\.json|icr\.svg)$/

/** A daemon data dir has a log (the launcher's) or a peer key (the daemon's) in it. */
async function isDemoDataDir(dir: string): Promise<boolean> {
  const paths = dataDirPaths(dir)
  for (const file of [paths.log, paths.peerKey]) {
    if (
      await stat(file).then(
        s => s.isFile(),
        () => false
      )
    )
      return true
  }
  return false
}

async function isDemoSummary(file: string): Promise<boolean> {
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as unknown
    return typeof doc === 'object' && doc !== null && 'agents' in doc && 'curves' in doc
  } catch {
    return false
  }
}

/**
 * Removes a previous demo run's outputs from `out`. Its daemons would otherwise resume their
 * data dirs (same peer key, masks and curriculum position) and train nothing, and the curves
 * would be wrong. Only what a demo evidently wrote goes: a demo-named directory must hold a
 * daemon log or peer key, summary.json must be a demo summary, and icr.svg goes only with it.
 * Anything else under a demo name is the user's, and the run is refused (exit 2) rather than
 * deleting it or writing into it; a demo daemon still running there is refused too (exit 3).
 * Everything is checked before anything is removed.
 */
export async function clearPreviousRun(out: string, io: Pick<Io, 'stderr'>): Promise<void> {
  const previous = (await readdir(out, { withFileTypes: true }).catch(() => [])).filter(e => DEMO_OUTPUTS.test(e.name))
  const summary = previous.some(e => e.name === 'summary.json') && (await isDemoSummary(join(out, 'summary.json')))
  const foreign: string[] = []
  for (const e of previous) {
    const path = join(out, e.name)
    if (e.name === 'summary.json' || e.name === 'icr.svg') {
      if (!summary || !e.isFile()) foreign.push(e.name)
    } else if (!e.isDirectory() || !(await isDemoDataDir(path))) {
      foreign.push(e.name)
    } else {
      const { lockHolder } = await import('@l2d2c/agent') // loaded only when there is a previous run
      const pid = await lockHolder(path)
      if (pid !== null)
        throw new CliError(
          `a previous demo is still running in ${out} (${e.name}: daemon pid ${pid}); stop it or choose another --out`,
          ExitCode.UNAVAILABLE
        )
    }
  }
  if (foreign.length > 0) {
    throw new CliError(
      `${out} holds ${foreign.sort().join(', ')}, which a demo would overwrite but did not write; choose another --out`,
      ExitCode.USAGE
    )
  }
  if (previous.length === 0) return
  const names = previous.map(e => e.name).sort()
  io.stderr.write(`l2d2c demo: removing the previous run's outputs in ${out}: ${names.join(', ')}\n`)
  await Promise.all(
    names.map(async name => {
      await rm(join(out, name), { recursive: true, force: true })
    })
  )
}
