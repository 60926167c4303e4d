import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dataDirPaths } from '@l2d2c/protocol'
import { runCli, runInProcess } from '../helpers.js'
import { startDaemon, waitStatus, type RunningDaemon } from '../daemon-harness.js'

const root = mkdtempSync(join(tmpdir(), 'l2d2c-review-'))
const running: RunningDaemon[] = []
afterAll(async () => {
  await Promise.all(
    running.map(async d => {
      await d.stop('SIGKILL')
    })
  )
  rmSync(root, { recursive: true, force: true })
})

// Two tasks a seed-1 learner masters in 7,680 steps (agent-sharing.test.ts).
const X = 'ctgraph/d2b2/img2/leaf01'
const Y = 'ctgraph/d2b2/img2/leaf10'

describe('review mode through the CLI (real daemons, libp2p over TCP on 127.0.0.1)', () => {
  it('holds verified candidates, lists them, keeps them across a restart, adopts one and rejects another', async () => {
    const a = await startDaemon(join(root, 'a'), ['--tasks', `${X},${Y}`, '--steps-per-task', '7680', '--seed', '1'])
    running.push(a)
    await waitStatus(a.dataDir, s => s.curriculum.done === true && s.masksHeld === 2, 240_000)

    const bArgs = ['--tasks', `${X},${Y}`, '--steps-per-task', '1280', '--seed', '2', '--adopt', 'review']
    let b = await startDaemon(join(root, 'b'), [...bArgs, '--bootstrap', a.addr])
    running.push(b)
    const sb = await waitStatus(b.dataDir, s => s.curriculum.done === true, 120_000)
    expect(sb.policy).toEqual({ serve: ['**'], accept: ['**'], acceptFrom: [], adopt: 'review' })
    expect(sb.masksAdopted).toBe(0) // nothing changed what it runs

    const listed = await runInProcess(['candidates', '--data-dir', b.dataDir, '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const doc = JSON.parse(listed.stdout)
    expect(doc.adopt).toBe('review')
    expect(doc.candidates.map((c: { taskKey: string }) => c.taskKey).sort()).toEqual([X, Y])
    for (const c of doc.candidates) {
      // fetched as DELTA (both daemons rebuild the task's base), held as BITS: the offered CID itself
      expect(c).toMatchObject({ from: a.peerId, origin: a.peerId, encoding: 'bits' })
      expect(c.verifiedReward).toBeGreaterThanOrEqual(c.currentReward ?? 0)
      expect(c.claimedReward).toBeGreaterThan(0)
    }
    const human = await runInProcess(['candidates', '--data-dir', b.dataDir])
    expect(human.stdout).toMatch(/measured\s+claimed/)
    const cx = doc.candidates.find((c: { taskKey: string }) => c.taskKey === X).cid as string
    const cy = doc.candidates.find((c: { taskKey: string }) => c.taskKey === Y).cid as string

    // Held candidates survive a restart (candidates.json), checked again when read back.
    expect(await b.stop('SIGTERM')).toBe(0)
    b = await startDaemon(join(root, 'b'), bArgs)
    running.push(b)
    const again = JSON.parse((await runInProcess(['candidates', '--data-dir', b.dataDir, '--json'])).stdout)
    expect(again.candidates.map((c: { cid: string }) => c.cid).sort()).toEqual([cx, cy].sort())

    // Adopt X: installed at once (the curriculum is done), stored with A as its origin, served.
    const adopted = await runCli(['adopt', X, cx, '--data-dir', b.dataDir])
    expect(adopted.code, adopted.stderr).toBe(0)
    expect(adopted.stdout).toMatch(/adopted .* installed, stored and announced/)
    const masks = JSON.parse((await runInProcess(['masks', '--data-dir', b.dataDir, '--json'])).stdout)
    expect(masks.masks.find((m: { taskKey: string }) => m.taskKey === X)).toMatchObject({ origin: a.peerId, cid: cx })
    const status = JSON.parse((await runInProcess(['status', '--data-dir', b.dataDir, '--json'])).stdout)
    expect(status.masksAdopted).toBe(1)

    // Reject Y: gone from the list, and its content id is remembered as rejected.
    const rejected = await runInProcess(['reject', Y, cy, '--data-dir', b.dataDir, '--json'])
    expect(rejected.code, rejected.stderr).toBe(0)
    expect(JSON.parse(rejected.stdout)).toEqual({ taskKey: Y, cid: cy, decision: 'rejected', installed: null })
    const none = JSON.parse((await runInProcess(['candidates', '--data-dir', b.dataDir, '--json'])).stdout)
    expect(none.candidates).toEqual([])

    // A candidate that is not held: exit 3; a node that adopts automatically: exit 2.
    const missing = await runInProcess(['adopt', X, cx, '--data-dir', b.dataDir])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/no candidate .* is held/)
    const auto = await runInProcess(['adopt', X, cx, '--data-dir', a.dataDir])
    expect(auto.code).toBe(2)
    expect(auto.stderr).toMatch(/adopts automatically/)
    expect(JSON.parse((await runInProcess(['candidates', '--data-dir', a.dataDir, '--json'])).stdout)).toEqual({
      adopt: 'auto',
      candidates: []
    })

    expect(await b.stop('SIGTERM')).toBe(0)
    const reputation = JSON.parse(readFileSync(dataDirPaths(b.dataDir).reputation, 'utf8'))
    expect(reputation.rejected.map((r: { cid: string }) => r.cid)).toContain(cy)
    expect(JSON.parse(readFileSync(dataDirPaths(b.dataDir).candidates, 'utf8')).candidates).toEqual([])
  }, 420_000)
})
