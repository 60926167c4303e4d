import { describe, expect, it } from 'vitest'
import { PeriodicSave } from '../../../src/util/periodic-save.js'

describe('periodic save', () => {
  it('saves only what changed, and once more at stop', async () => {
    let version = 0
    const saved: number[] = []
    const s = new PeriodicSave({
      version: () => version,
      save: async () => {
        saved.push(version)
      },
      failed: () => {},
      intervalMs: 60_000
    })
    await s.flush()
    expect(saved).toEqual([])
    version = 3
    await s.flush()
    await s.flush()
    expect(saved).toEqual([3])
    version = 4
    await s.stop()
    expect(saved).toEqual([3, 4])
  })

  it('reports a failed save and tries again next time', async () => {
    let fail = true
    const errors: unknown[] = []
    let saves = 0
    let version = 0
    const s = new PeriodicSave({
      version: () => version,
      save: async () => {
        saves++
        if (fail) throw new Error('disk full')
      },
      failed: err => errors.push(err),
      intervalMs: 60_000
    })
    version = 1
    await s.flush()
    expect(errors).toHaveLength(1)
    fail = false
    await s.flush()
    await s.flush()
    expect(saves).toBe(2)
  })
})
