/// <reference lib="dom" />
// (the callbacks of waitForFunction and evaluate run in the page)
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { dataDirPaths } from '@l2d2c/protocol'
import { runCli } from '../helpers.js'
import { startDaemon, waitStatus, type RunningDaemon } from '../daemon-harness.js'

/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, which downloads
 * no browser (its executablePath points at the system's). Without Chromium every test here is
 * skipped with the reason; `.ci/run` installs it when it runs as root.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  (p): p is string => p !== undefined && p !== ''
)
function findChromium(): { path: string | null; reason: string } {
  for (const p of CANDIDATES) {
    try {
      accessSync(p, constants.X_OK)
      return { path: p, reason: '' }
    } catch {
      /* try the next */
    }
  }
  return {
    path: null,
    reason: `no Chromium at ${CANDIDATES.join(', ')} (apt-get install chromium, or set CHROMIUM_PATH)`
  }
}
const chromiumPath = findChromium()
if (chromiumPath.path === null) console.log(`dashboard browser test skipped: ${chromiumPath.reason}`)

/** Screenshots for a person to look at (gitignored). */
const SHOTS = fileURLToPath(new URL('../../../../test-output/dashboard/', import.meta.url))

const X = 'ctgraph/d2b2/img1/leaf10'
/** B's tasks after X: enough training left for the progress bar to be seen moving, even on a loaded machine. */
const AFTER_X = ['ctgraph/d2b2/img1/leaf11', 'ctgraph/d2b2/img2/leaf00', 'ctgraph/d2b2/img2/leaf01']

const root = mkdtempSync(join(tmpdir(), 'l2d2c-dashboard-'))
const running: RunningDaemon[] = []
afterAll(async () => {
  await Promise.all(running.map(async d => await d.stop('SIGKILL')))
  rmSync(root, { recursive: true, force: true })
})

describe.skipIf(chromiumPath.path === null)('the dashboard in a real browser (Chromium, playwright-core)', () => {
  it('logs in through the printed URL and shows the peer, masks with their origin, a moving progress bar, charts with points', async () => {
    const { chromium } = await import('playwright-core')
    mkdirSync(SHOTS, { recursive: true })
    // A masters X; B then meets X first, adopts A's mask (so its origin is A), and trains the next tasks.
    const a = await startDaemon(join(root, 'a'), ['--tasks', X, '--steps-per-task', '20000', '--seed', '1'])
    running.push(a)
    await waitStatus(a.dataDir, s => s.tasksLearned === 1, 60_000)
    const b = await startDaemon(join(root, 'b'), [
      '--tasks',
      [X, ...AFTER_X].join(','),
      '--steps-per-task',
      '40000',
      '--seed',
      '2',
      '--bootstrap',
      a.addr,
      // B's page links to A's (as the demo's evaluator links to its learners')
      '--link-dashboard',
      a.dataDir
    ])
    running.push(b)

    const printed = await runCli(['dashboard', '--data-dir', b.dataDir])
    expect(printed.code, printed.stderr).toBe(0)
    const url = printed.stdout.split('\n')[0] ?? ''
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=[0-9a-f]{64}$/)
    const token = readFileSync(dataDirPaths(b.dataDir).token, 'utf8').trim()
    const tokenA = readFileSync(dataDirPaths(a.dataDir).token, 'utf8').trim()
    expect(printed.stdout).not.toContain(token)

    const browser = await chromium.launch({ executablePath: chromiumPath.path as string, args: ['--no-sandbox'] })
    let step = 'open the page'
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', e => errors.push(e.message))
      await page.goto(url)
      expect(new URL(page.url()).pathname).toBe('/') // the login redirected to the page
      const cookies = await context.cookies()
      expect(cookies.map(c => [c.name.replace(/_[0-9a-f]{8}$/, ''), c.httpOnly, c.sameSite])).toEqual([
        ['l2d2c_session', true, 'Strict']
      ])
      await page.waitForSelector('.live.ok', { timeout: 15_000 })

      // The peer A, in the table and the graph.
      step = 'see the peer'
      await page.waitForSelector(`tr[data-peer="${a.peerId}"]`, { timeout: 30_000 })
      // X adopted from A: its origin is A's id; the node facts count it as adopted.
      step = "see X's mask adopted from A"
      const origin = page.locator(`#masks tr[data-task="${X}"] td.origin`)
      await origin.waitFor({ timeout: 30_000 })
      await page.waitForFunction(
        ([task, peer]) =>
          document.querySelector(`#masks tr[data-task="${task}"] td.origin`)?.getAttribute('title') === peer,
        [X, a.peerId],
        { timeout: 30_000 }
      )
      expect(await origin.textContent()).not.toBe('this node')
      expect(await page.locator('[data-fact="masks-held"] dd').textContent()).toContain('1 adopted')
      expect(await page.locator('#adoptions li').first().textContent()).toContain(X)

      // The progress bar moves while B trains the tasks after X.
      step = 'see the progress bar move'
      const bar = async (): Promise<string> =>
        `${await page.locator('#task-label').textContent()} ${await page.locator('#task-progress').getAttribute('value')}`
      const first = await bar()
      await page.waitForFunction(
        before =>
          `${document.getElementById('task-label')?.textContent} ${document.getElementById('task-progress')?.getAttribute('value')}` !==
          before,
        first,
        { timeout: 20_000 }
      )
      expect(await bar()).not.toBe(first)

      // The training chart has points, drawn by uPlot on a canvas.
      step = 'see the chart'
      await page.waitForFunction(() => Number(document.getElementById('chart-a')?.dataset.points) > 0, null, {
        timeout: 20_000
      })
      expect(await page.locator('#chart-a canvas').count()).toBeGreaterThan(0)
      // A node that listens on loopback only: nobody on another host can dial it.
      expect(await page.locator('[data-fact="reachability"] dd').textContent()).toContain('private')
      expect(await page.content()).not.toContain(token)
      await page.screenshot({ path: join(SHOTS, 'learner.png'), fullPage: true })

      // Watch the adopted mask play.
      step = 'play a mask'
      await page.locator(`button[data-play="${X}"]`).click()
      await page.waitForFunction(
        () => /^frame 1\/\d+/.test(document.getElementById('play-caption')?.textContent ?? ''),
        null,
        {
          timeout: 20_000
        }
      )
      await page.locator('#play-next').click()
      expect(await page.locator('#play-caption').textContent()).toMatch(/^frame 2\/\d+, action \d/)
      expect(await page.locator('#play-image').isVisible()).toBe(true)
      await page.locator('#play').screenshot({ path: join(SHOTS, 'play.png') })

      // A is a linked daemon of this machine: its "open dashboard" link, in a second tab of the
      // same browser, leads to A's own page, logged in, without any token in the browser.
      step = "open A's dashboard from B's page"
      const tab = await context.newPage()
      tab.on('pageerror', e => errors.push(e.message))
      await tab.goto(new URL('/', url).href)
      const site = tab.locator(`#site-daemons tr[data-site-dir="${a.dataDir}"]`)
      await site.waitFor({ timeout: 15_000 })
      await tab.waitForFunction(
        dir =>
          document.querySelector(`#site-daemons tr[data-site-dir="${dir}"] td:nth-child(4)`)?.textContent === 'running',
        a.dataDir,
        { timeout: 15_000 }
      )
      await tab.locator('#site').screenshot({ path: join(SHOTS, 'site-daemons.png') })
      const apiA = new URL(a.child.discovery.api).origin
      await Promise.all([
        tab.waitForURL(u => u.origin === apiA && u.pathname === '/', { timeout: 15_000 }),
        tab.locator(`#peers button[data-open-dashboard="${a.peerId}"]`).click()
      ])
      await tab.waitForFunction(
        peer => document.querySelector('[data-fact="peer-id"]')?.getAttribute('title')?.endsWith(peer) === true,
        a.peerId,
        { timeout: 15_000 }
      )
      expect(await tab.locator('#role').textContent()).toContain(a.peerId.slice(-6))
      // B's session and A's, each named for its daemon (logging in to A kept B's)
      const names = new Set((await context.cookies()).map(c => c.name))
      expect(names.size).toBe(2)
      for (const n of names) expect(n).toMatch(/^l2d2c_session_[0-9a-f]{8}$/)
      for (const secret of [token, tokenA]) {
        expect(await tab.content()).not.toContain(secret)
        expect(tab.url()).not.toContain(secret)
      }
      expect(b.log()).not.toContain(tokenA)
      expect(b.log()).not.toMatch(/code=[0-9a-f]{64}/)
      await tab.screenshot({ path: join(SHOTS, 'linked-learner.png'), fullPage: true })
      await tab.close()

      // A narrow window: no horizontal scrolling of the page itself.
      step = 'narrow window'
      await page.setViewportSize({ width: 380, height: 800 })
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      // the charts follow the window (its resize event redraws them)
      await page.waitForFunction(
        () => (document.querySelector('#chart-a canvas')?.getBoundingClientRect().width ?? 0) <= 380,
        null,
        { timeout: 5_000 }
      )
      await page.screenshot({ path: join(SHOTS, 'narrow.png'), fullPage: true })

      // The used link does not log in a second browser.
      step = 'reuse the link'
      const other = await browser.newContext()
      const again = await other.newPage()
      const answer = await again.goto(url)
      expect(answer?.status()).toBe(403)
      expect(await other.cookies()).toEqual([])
      await other.close()
      expect(errors).toEqual([])
    } catch (err) {
      // What the daemons were doing, for whoever reads a failure.
      const tail = (d: RunningDaemon): string => d.log().split('\n').slice(-15).join('\n')
      throw new Error(
        `step "${step}" failed: ${(err as Error).message}\n--- A's log ---\n${tail(a)}\n--- B's log ---\n${tail(b)}`,
        { cause: err }
      )
    } finally {
      await browser.close()
    }
  }, 120_000)
})
