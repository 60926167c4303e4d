import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CONTROL_ROUTES,
  ControlClient,
  ControlError,
  dataDirPaths,
  type DaemonDiscovery,
  type PaceDocument,
  type StatusDocument
} from '@l2d2c/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveDaemonConfig } from '../../../src/daemon/config/resolve.js'
import { Daemon } from '../../../src/daemon/daemon.js'
import { silentLogger } from '../../../src/logging/logger.js'

const dirs: string[] = []
const daemons: Daemon[] = []
afterAll(async () => {
  for (const d of daemons) await d.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const TASK = 'ctgraph/d2b2/img1/leaf00'

async function start(paced: boolean): Promise<{ daemon: Daemon; client: ControlClient }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'l2d2c-pace-'))
  dirs.push(dataDir)
  const config = resolveDaemonConfig({
    flags: { dataDir, tasks: [TASK], stepsPerTask: 100_000, backend: 'wasm', paced, listen: ['/ip4/127.0.0.1/tcp/0'] }
  })
  const daemon = await Daemon.start(config, silentLogger)
  daemons.push(daemon)
  const paths = dataDirPaths(dataDir)
  const token = readFileSync(paths.token, 'utf8').trim()
  const { api } = JSON.parse(readFileSync(paths.discovery, 'utf8')) as DaemonDiscovery
  return { daemon, client: new ControlClient({ url: api, token }) }
}

const steps = async (c: ControlClient): Promise<number> =>
  (await c.get<StatusDocument>(CONTROL_ROUTES.status)).totalSteps

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > end) return v
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ControlError)
  return (err as ControlError).status
}

describe('a paced learner daemon (--paced, POST /v1/pace)', () => {
  it('trains nothing until a limit is set, stops at the limit, goes on when it is raised, and stops promptly while held', async () => {
    const { daemon, client } = await start(true)
    // The limit starts at 0: the daemon is up and answers, but does not train.
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(await steps(client)).toBe(0)

    const first = await client.post<PaceDocument>(`${CONTROL_ROUTES.pace}?until=300`)
    expect(first.untilSteps).toBe(300)
    // It trains whole iterations (128 env steps with the default PPO) while below the limit: 3 of them.
    const held = await until(
      async () => await client.post<PaceDocument>(`${CONTROL_ROUTES.pace}?until=300`),
      d => d.waiting,
      60_000
    )
    expect(held).toMatchObject({ untilSteps: 300, totalSteps: 384, waiting: true })
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(await steps(client)).toBe(384)

    await client.post(`${CONTROL_ROUTES.pace}?until=1000`)
    expect(
      await until(
        async () => await steps(client),
        s => s >= 1024,
        60_000
      )
    ).toBe(1024)
    const again = await until(
      async () => await client.post<PaceDocument>(`${CONTROL_ROUTES.pace}?until=1000`),
      d => d.waiting,
      10_000
    )
    expect(again.waitedMs).toBeGreaterThanOrEqual(1000)

    // Bad limits are refused and change nothing.
    for (const bad of ['', '-1', '1.5', 'abc', '9007199254740992', '99999999999999999'])
      expect(await refusal(client.post(`${CONTROL_ROUTES.pace}?until=${bad}`))).toBe(400)
    expect(await refusal(client.post(CONTROL_ROUTES.pace))).toBe(400)
    expect(await refusal(client.get(CONTROL_ROUTES.pace))).toBe(405)
    expect(await steps(client)).toBe(1024)

    // A stop is not held up by the pace.
    const t0 = Date.now()
    await daemon.stop()
    await daemon.done
    expect(Date.now() - t0).toBeLessThan(15_000)
  }, 120_000)

  it('an unpaced daemon refuses a limit (409) and trains without one', async () => {
    const { client } = await start(false)
    expect(await refusal(client.post(`${CONTROL_ROUTES.pace}?until=10`))).toBe(409)
    expect(
      await until(
        async () => await steps(client),
        s => s > 0,
        60_000
      )
    ).toBeGreaterThan(0)
  }, 120_000)
})
