import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dataDirPaths } from '@l2d2c/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { loadSharingState } from '../../../src/agent/sharing-state.js'
import type { LearnerInfo } from '../../../src/learner/thread/learner-api.js'
import type { Logger } from '../../../src/logging/logger.js'
import { silentLogger } from '../../../src/logging/logger.js'
import { BACKBONE, LAYERS } from '../../helpers/masks.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const info = { backboneId: BACKBONE, layers: LAYERS } as unknown as LearnerInfo

function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const logger: Logger = { ...silentLogger, warn: (a: object | string, b?: string) => void lines.push(b ?? String(a)) }
  return { logger, lines }
}

describe('the sharing state of an agent', () => {
  it('remembers what peers did across a restart (reputation.json), and starts clean from a damaged file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2d2c-sharing-state-'))
    dirs.push(dir)
    const paths = dataDirPaths(dir)
    const first = await loadSharingState({ paths, info, logger: silentLogger })
    const now = Date.now()
    first.reputation.record('liar', 'verification-failed', now)
    first.reputation.reject('bafkbad', 'random mask', now)
    for (const s of first.saves) await s.stop()
    expect(JSON.parse(readFileSync(paths.reputation, 'utf8')).rejected[0].cid).toBe('bafkbad')

    const second = await loadSharingState({ paths, info, logger: silentLogger })
    expect(second.reputation.standing('liar', now + 1)).toBe('ignored')
    expect(second.reputation.isRejected('bafkbad')).toBe(true)
    expect(second.review).toBeNull() // auto mode holds nothing

    writeFileSync(paths.reputation, '{ not json')
    const { logger, lines } = warnings()
    const third = await loadSharingState({ paths, info, logger })
    expect(third.reputation.peerCount).toBe(0)
    expect(lines.join('\n')).toMatch(/damaged file/)
  })

  it('review mode: a policy that holds candidates, saved to candidates.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2d2c-sharing-state-'))
    dirs.push(dir)
    const s = await loadSharingState({
      policy: { serve: ['ctgraph/**'], accept: ['**'], acceptFrom: [], adopt: 'review' },
      paths: dataDirPaths(dir),
      info,
      logger: silentLogger
    })
    expect(s.policy.describe()).toMatchObject({ serve: ['ctgraph/**'], adopt: 'review' })
    expect(s.review).not.toBeNull()
    expect(s.saves).toHaveLength(2)
    // Nothing persisted without a data dir.
    expect((await loadSharingState({ paths: null, info, logger: silentLogger })).saves).toEqual([])
  })
})
