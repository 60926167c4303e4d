import { describe, expect, it } from 'vitest'
import { NewsRounds } from '../../../src/agent/news-rounds.js'

/** A manual clock: timers fire only when `advance` passes them. */
class FakeClock {
  t = 0
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = []
  now = (): number => this.t
  after = (ms: number, fn: () => void): (() => void) => {
    const timer = { at: this.t + ms, fn, live: true }
    this.timers.push(timer)
    return () => {
      timer.live = false
    }
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      const due = this.timers.filter(x => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0]
      if (due === undefined) break
      this.t = Math.max(this.t, due.at)
      due.live = false
      due.fn()
      await flush()
    }
    this.t = end
    await flush()
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

/** A trigger whose rounds end when the test says so; `own` is the node's reward per task. */
function setup(opts: { gap?: number; own?: Map<string, number | null> } = {}) {
  const clock = new FakeClock()
  const own = opts.own ?? new Map<string, number | null>([['k', 0.2]])
  const started: Array<{ task: string; at: number }> = []
  const ends: Array<() => void> = []
  const busy = new Set<string>()
  const news = new NewsRounds({
    minGapMs: opts.gap ?? 5000,
    now: clock.now,
    after: clock.after,
    needs: (task, claim) => {
      if (!own.has(task)) return false
      const mine = own.get(task) ?? null
      return mine === null || claim > mine
    },
    busy: task => busy.has(task),
    round: async task => {
      started.push({ task, at: clock.now() })
      await new Promise<void>(resolve => ends.push(resolve))
    }
  })
  const endRound = async (): Promise<void> => {
    ends.shift()?.()
    await flush()
  }
  return { clock, own, started, news, busy, endRound }
}

describe('news rounds (a holder announced for a task the node still needs)', () => {
  it('starts a round at once for a needed task and ignores news it does not need', async () => {
    const { clock, news, started } = setup({ own: new Map([['k', 0.5]]) })
    news.heard('other', 1) // not the node's task
    news.heard('k', 0.5) // no better than its own mask
    news.heard('k', 0.3)
    await clock.advance(0)
    expect(started).toEqual([])
    news.heard('k', 0.9)
    await clock.advance(0)
    expect(started).toEqual([{ task: 'k', at: 0 }])
    expect(news.started).toBe(1)
  })

  it('a node with no mask measured (null) takes any claim', async () => {
    const { clock, news, started } = setup({ own: new Map([['k', null]]) })
    news.heard('k', 0)
    await clock.advance(0)
    expect(started).toHaveLength(1)
  })

  it('runs at most one round per task per gap: a flood of news folds into one round at the end of the gap', async () => {
    const { clock, news, started, endRound } = setup({ gap: 5000 })
    news.heard('k', 0.9)
    await clock.advance(0)
    await clock.advance(100)
    await endRound()
    for (let i = 0; i < 100; i++) {
      news.heard('k', 0.9)
      await clock.advance(40)
    }
    // 4,100 ms in: still inside the gap.
    expect(started).toHaveLength(1)
    await clock.advance(900)
    expect(started.map(s => s.at)).toEqual([0, 5000])
    await endRound()
    await clock.advance(60_000)
    expect(started).toHaveLength(2)
  })

  it('never starts beside a running round for the task: news heard meanwhile waits for its end (one round)', async () => {
    const { clock, news, started, endRound } = setup({ gap: 1000 })
    news.heard('k', 0.9)
    await clock.advance(0)
    news.heard('k', 0.9)
    news.heard('k', 0.95)
    await clock.advance(10_000)
    expect(started).toHaveLength(1)
    await endRound()
    await clock.advance(0)
    expect(started.map(s => s.at)).toEqual([0, 10_000])
    await endRound()
    await clock.advance(10_000)
    expect(started).toHaveLength(2)
  })

  it("waits for another kind of round (the driver's) to end, then runs if the task is still needed", async () => {
    const { clock, news, started, busy, own } = setup()
    busy.add('k')
    news.heard('k', 0.9)
    await clock.advance(1000)
    expect(started).toEqual([])
    busy.delete('k')
    news.roundEnded('k')
    await clock.advance(0)
    expect(started).toEqual([{ task: 'k', at: 1000 }])
    // The same, but the other round adopted a mask as good as the claim: no round.
    own.set('j', 0.1)
    busy.add('j')
    news.heard('j', 0.9)
    await clock.advance(0)
    own.set('j', 0.95)
    busy.delete('j')
    news.roundEnded('j')
    await clock.advance(10_000)
    expect(started.map(s => s.task)).toEqual(['k'])
  })

  it('tasks are independent: news for two tasks starts two rounds at once', async () => {
    const { clock, news, started } = setup({
      own: new Map([
        ['k', 0.1],
        ['j', 0.1]
      ])
    })
    news.heard('k', 0.9)
    news.heard('j', 0.9)
    await clock.advance(0)
    expect(started.map(s => s.task).sort()).toEqual(['j', 'k'])
  })

  it('a failed round does not stop later news; stop cancels what waits and ignores news after', async () => {
    const clock = new FakeClock()
    let calls = 0
    const news = new NewsRounds({
      minGapMs: 1000,
      now: clock.now,
      after: clock.after,
      needs: () => true,
      busy: () => false,
      round: async () => {
        calls++
        throw new Error('network down')
      }
    })
    news.heard('k', 1)
    await clock.advance(0)
    news.heard('k', 1)
    await clock.advance(1000)
    expect(calls).toBe(2)
    news.heard('k', 1) // due at 2,000
    news.stop()
    await clock.advance(5000)
    news.heard('k', 1)
    await clock.advance(5000)
    expect(calls).toBe(2)
  })
})
