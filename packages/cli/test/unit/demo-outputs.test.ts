import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DATA_DIR_FILES as F } from '@l2d2c/protocol'
import { clearPreviousRun } from '../../src/demo/outputs.js'
import { CliError } from '../../src/exit-codes.js'
import { textSink } from '../helpers.js'

const root = mkdtempSync(join(tmpdir(), 'l2d2c-demo-outputs-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

/** A fresh --out holding the given files (path → content; a trailing / makes a directory). */
function outDir(files: Record<string, string>): string {
  const out = join(root, String(n++))
  mkdirSync(out)
  for (const [path, text] of Object.entries(files)) {
    if (path.endsWith('/')) mkdirSync(join(out, path), { recursive: true })
    else {
      mkdirSync(join(out, path, '..'), { recursive: true })
      writeFileSync(join(out, path), text)
    }
  }
  return out
}

/** Runs clearPreviousRun and returns what it wrote to stderr. */
async function clear(out: string): Promise<string> {
  const stderr = textSink()
  await clearPreviousRun(out, { stderr })
  return stderr.text()
}

const SUMMARY = JSON.stringify({ agents: 2, curves: { collective: [], single: [] } })
/** A previous run as the demo leaves it: daemon data dirs, the summary and the plot. */
const PREVIOUS = {
  [`learner-1/${F.log}`]: '{}\n',
  [`learner-1/${F.peerKey}`]: 'k',
  [`learner-1/${F.masks}/`]: '',
  [`learner-2/${F.log}`]: '{}\n',
  [`evaluator/${F.log}`]: '',
  [`isolated-1/${F.log}`]: '{}\n',
  [`isolated-evaluator/${F.log}`]: '',
  [`single/${F.peerKey}`]: 'k', // a daemon that got as far as its key
  [`single-evaluator/${F.log}`]: '',
  'summary.json': SUMMARY,
  'icr.svg': '<svg></svg>\n'
}

describe('clearPreviousRun (demo --out reuse)', () => {
  it("removes a previous run's outputs, says so on stderr, and keeps everything else", async () => {
    const out = outDir({
      ...PREVIOUS,
      'notes.txt': 'mine',
      [`learners/${F.log}`]: 'mine',
      'single.bak/x': 'mine',
      [`isolated/${F.log}`]: 'mine'
    })
    const err = await clear(out)
    expect(err).toBe(
      `l2d2c demo: removing the previous run's outputs in ${out}: evaluator, icr.svg, isolated-1, isolated-evaluator, learner-1, learner-2, single, single-evaluator, summary.json\n`
    )
    expect(readdirSync(out).sort()).toEqual(['isolated', 'learners', 'notes.txt', 'single.bak'])
  })

  it('does nothing and says nothing when there is no previous run', async () => {
    const out = outDir({ 'notes.txt': 'mine' })
    expect(await clear(out)).toBe('')
    expect(readdirSync(out)).toEqual(['notes.txt'])
    expect(await clear(join(root, 'missing'))).toBe('')
  })

  const { 'summary.json': _, ...withoutSummary } = PREVIOUS
  it.each([
    ['a demo-named directory that is no daemon data dir', { ...PREVIOUS, 'learner-7/thesis.tex': 'mine' }, 'learner-7'],
    ['a demo-named file where a data dir would be', { ...PREVIOUS, 'learner-3': 'mine' }, 'learner-3'],
    ['an isolated learner name that is no data dir', { ...PREVIOUS, 'isolated-2/notes': 'mine' }, 'isolated-2'],
    [
      'a summary.json that is not a demo summary',
      { ...PREVIOUS, 'summary.json': '{"agents": 3}' },
      'icr.svg, summary.json'
    ],
    ['an icr.svg without a demo summary', withoutSummary, 'icr.svg']
  ])('refuses (exit 2), removing nothing, when --out holds %s', async (_, files, names) => {
    const out = outDir(files)
    const before = readdirSync(out).sort()
    const err = await clear(out).then(
      () => null,
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({
      exitCode: 2,
      message: `${out} holds ${names}, which a demo would overwrite but did not write; choose another --out`
    })
    expect(readdirSync(out).sort()).toEqual(before)
    expect(existsSync(join(out, 'learner-1', F.peerKey))).toBe(true)
  })

  it("refuses (exit 3), removing nothing, while a previous demo daemon still holds its data dir; a dead one's is removed", async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
    try {
      const out = outDir({ ...PREVIOUS, [`learner-2/${F.lock}`]: `${sleeper.pid}\n` })
      const err = await clear(out).then(
        () => null,
        (e: unknown) => e
      )
      expect(err).toMatchObject({
        exitCode: 3,
        message: expect.stringMatching(
          new RegExp(`previous demo is still running in .*learner-2: daemon pid ${sleeper.pid}`)
        )
      })
      expect(readdirSync(out).length).toBe(9)
    } finally {
      sleeper.kill('SIGKILL')
    }
    await new Promise(resolve => sleeper.once('exit', resolve))
    // The same files left by a process that is gone (a SIGKILLed demo): a stale lock.
    const stale = outDir({
      ...PREVIOUS,
      [`learner-2/${F.lock}`]: `${sleeper.pid}\n`,
      [`evaluator/${F.discovery}`]: JSON.stringify({ pid: sleeper.pid })
    })
    await clear(stale)
    expect(readdirSync(stale)).toEqual([])
  })
})
