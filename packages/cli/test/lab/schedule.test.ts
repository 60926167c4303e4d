import { describe, expect, it } from 'vitest'
import { churnSchedule, ScheduleError, seededRandom, timeline } from '../../src/lab/schedule.js'
import { parseTopology, type ChurnSpec } from '../../src/lab/topology.js'

const spec: ChurnSpec = {
  seed: 7,
  kills: 24,
  nodes: ['a', 'b', 'c', 'd', 'e'],
  fromSeconds: 15,
  untilSeconds: 170,
  downSeconds: [1, 4],
  minUpSeconds: 6
}

describe('seeded schedules', () => {
  it('the generator repeats its sequence for a seed, and differs between seeds', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const c = seededRandom(43)
    const xs = Array.from({ length: 100 }, () => a())
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs)
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(xs)
    expect(xs.every(x => x >= 0 && x < 1)).toBe(true)
    // Uniform enough to spread kills: every tenth of [0, 1) is hit.
    expect(new Set(xs.map(x => Math.floor(x * 10))).size).toBe(10)
  })

  it('a churn schedule is deterministic for its seed', () => {
    expect(churnSchedule(spec, seededRandom(spec.seed))).toEqual(churnSchedule(spec, seededRandom(spec.seed)))
    expect(churnSchedule(spec, seededRandom(1))).not.toEqual(churnSchedule(spec, seededRandom(2)))
  })

  it('kills the given count inside the window, restarts each after its down time, never a node that is down', () => {
    const events = churnSchedule(spec, seededRandom(spec.seed))
    const kills = events.filter(e => e.action === 'kill')
    const restarts = events.filter(e => e.action === 'restart')
    expect(kills).toHaveLength(24)
    expect(restarts).toHaveLength(24)
    for (const k of kills) {
      expect(k.atSeconds).toBeGreaterThanOrEqual(15)
      expect(k.atSeconds).toBeLessThanOrEqual(170)
      expect(spec.nodes).toContain(k.target)
    }
    // Walk the timeline: a kill hits a node that is up and has been for minUpSeconds.
    const upSince = new Map(spec.nodes.map(n => [n, 0]))
    const down = new Set<string>()
    for (const e of events) {
      if (e.action === 'kill') {
        expect(down.has(e.target)).toBe(false)
        expect(e.atSeconds - (upSince.get(e.target) as number)).toBeGreaterThanOrEqual(spec.minUpSeconds - 1e-9)
        down.add(e.target)
      } else {
        expect(down.has(e.target)).toBe(true)
        down.delete(e.target)
        upSince.set(e.target, e.atSeconds)
      }
    }
    expect(down.size).toBe(0)
    // Down times within [1, 4] s (tenths of a second).
    for (const k of kills) {
      const back = events.find(e => e.action === 'restart' && e.target === k.target && e.atSeconds > k.atSeconds)
      const d = (back?.atSeconds as number) - k.atSeconds
      expect(d).toBeGreaterThanOrEqual(1 - 0.051)
      expect(d).toBeLessThanOrEqual(4 + 0.051)
    }
    // Stratified: the kills spread over the window, one per slot.
    const slot = (170 - 15) / 24
    kills.forEach((k, i) => {
      expect(Math.floor((k.atSeconds - 15) / slot + 1e-9)).toBeLessThanOrEqual(i + 1)
    })
  })

  it('refuses a schedule the nodes cannot take', () => {
    expect(() =>
      churnSchedule({ ...spec, nodes: ['a'], kills: 10, fromSeconds: 0, untilSeconds: 10 }, seededRandom(1))
    ).toThrow(ScheduleError)
  })

  it('the timeline merges partitions and churn in time order and refuses events after the end', () => {
    const doc = {
      durationSeconds: 60,
      segments: [{ name: 'lan', subnet: '203.0.113.0/24', public: true }],
      nodes: [
        { name: 'a', segment: 'lan', bootstrap: true, tasks: ['ctgraph/d2b2/img1/leaf10'] },
        { name: 'b', segment: 'lan', tasks: ['ctgraph/d2b2/img1/leaf10'] }
      ],
      partitions: [{ name: 'p', groups: [['a'], ['b']], fromSeconds: 10, untilSeconds: 30 }],
      churn: { seed: 3, kills: 3, nodes: ['a', 'b'], fromSeconds: 5, untilSeconds: 40, downSeconds: [1, 2] },
      checks: [{ name: 'c', kind: 'connected' }]
    }
    const t = timeline(parseTopology(doc, { defaultName: 't' }))
    expect(t.map(e => e.atSeconds)).toEqual([...t.map(e => e.atSeconds)].sort((x, y) => x - y))
    expect(t.filter(e => e.action === 'split')).toEqual([{ atSeconds: 10, action: 'split', target: 'p' }])
    expect(t.filter(e => e.action === 'heal')).toEqual([{ atSeconds: 30, action: 'heal', target: 'p' }])
    expect(t.filter(e => e.action === 'kill')).toHaveLength(3)
    expect(() =>
      timeline(
        parseTopology(
          {
            ...doc,
            durationSeconds: 41,
            churn: { ...doc.churn, kills: 1, fromSeconds: 30, untilSeconds: 41, downSeconds: [20, 30] }
          },
          { defaultName: 't' }
        )
      )
    ).toThrow(/after the run's end/)
  })
})
