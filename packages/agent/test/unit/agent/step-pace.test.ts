import { describe, expect, it } from 'vitest'
import { StepPace } from '../../../src/agent/step-pace.js'

/** Whether the promise settled within a few turns of the event loop. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false
  void p.then(() => {
    done = true
  })
  for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve))
  return done
}

describe('StepPace', () => {
  it('holds training from the start (limit 0) until a limit above its steps is set', async () => {
    const pace = new StepPace()
    expect(pace.untilSteps).toBe(0)
    const wait = pace.before(0)
    expect(await settled(wait)).toBe(false)
    expect(pace.waiting).toBe(true)
    pace.setUntil(0) // not above 0 steps: still waiting
    expect(await settled(wait)).toBe(false)
    pace.setUntil(128)
    expect(await settled(wait)).toBe(true)
    expect(pace.waiting).toBe(false)
    // Below the limit: no wait at all.
    expect(await settled(pace.before(127))).toBe(true)
    expect(await settled(pace.before(128))).toBe(false)
  })

  it('counts the time training waited', async () => {
    let t = 1000
    const pace = new StepPace(() => t)
    const wait = pace.before(0)
    t = 3500
    pace.setUntil(10)
    await wait
    expect(pace.waitedMs).toBe(2500)
  })

  it('lets a stop through: an abort ends the wait', async () => {
    const pace = new StepPace()
    const stop = new AbortController()
    const wait = pace.before(0, stop.signal)
    expect(await settled(wait)).toBe(false)
    stop.abort()
    expect(await settled(wait)).toBe(true)
    expect(await settled(pace.before(5, stop.signal))).toBe(true)
  })

  it('refuses a limit that is not a non-negative safe integer', () => {
    const pace = new StepPace()
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => pace.setUntil(bad)).toThrow(RangeError)
    pace.setUntil(Number.MAX_SAFE_INTEGER)
    expect(pace.untilSteps).toBe(Number.MAX_SAFE_INTEGER)
  })
})
