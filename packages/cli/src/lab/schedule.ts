import type { ChurnSpec, Topology } from './topology.js'

/**
 * What happens when in a run: partitions split and heal, the churn schedule kills and
 * restarts nodes. The churn schedule is drawn from a seeded generator passed in, so a
 * topology file always produces the same kills at the same times. Pure: no clock, no I/O.
 */

/**
 * mulberry32: a small seeded generator of uniform [0, 1) floats, for the lab's schedules only
 * (the learners use their own PRNG). Same seed, same sequence, on every machine.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type TimelineAction = 'split' | 'heal' | 'kill' | 'restart'

export interface TimelineEvent {
  /** Seconds after the run started. */
  readonly atSeconds: number
  readonly action: TimelineAction
  /** The partition (split, heal) or node (kill, restart). */
  readonly target: string
}

/** A churn schedule that cannot be drawn (too many kills for the nodes and window). */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScheduleError'
  }
}

const tenth = (s: number): number => Math.round(s * 10) / 10

/**
 * The kills and restarts of a churn spec. Kill times are stratified over [from, until) (one in
 * each of `kills` equal slots, at a random point of it), so they spread over the window; each
 * kill picks one of the nodes that are up and have been up at least minUpSeconds, and the
 * node restarts after a random down time.
 */
export function churnSchedule(spec: ChurnSpec, random: () => number): TimelineEvent[] {
  const events: TimelineEvent[] = []
  const upSince = new Map<string, number>(spec.nodes.map(n => [n, 0]))
  const width = (spec.untilSeconds - spec.fromSeconds) / spec.kills
  const [lo, hi] = spec.downSeconds
  for (let i = 0; i < spec.kills; i++) {
    const at = tenth(spec.fromSeconds + width * (i + random()))
    const eligible = spec.nodes.filter(n => (upSince.get(n) as number) + spec.minUpSeconds <= at)
    if (eligible.length === 0)
      throw new ScheduleError(
        `churn: no node can be killed at ${at} s (every node is down or up for less than minUpSeconds); use fewer kills, a longer window or more nodes`
      )
    const node = eligible[Math.floor(random() * eligible.length)] as string
    const back = tenth(at + lo + (hi - lo) * random())
    upSince.set(node, back)
    events.push({ atSeconds: at, action: 'kill', target: node }, { atSeconds: back, action: 'restart', target: node })
  }
  return sortTimeline(events)
}

function sortTimeline(events: TimelineEvent[]): TimelineEvent[] {
  const order: Record<TimelineAction, number> = { heal: 0, restart: 1, kill: 2, split: 3 }
  return events.sort((a, b) => a.atSeconds - b.atSeconds || order[a.action] - order[b.action])
}

/** Every scheduled event of a topology, in time order; refused if one falls after the run's end. */
export function timeline(topology: Topology): TimelineEvent[] {
  const events: TimelineEvent[] = []
  for (const p of topology.partitions)
    events.push(
      { atSeconds: p.fromSeconds, action: 'split', target: p.name },
      { atSeconds: p.untilSeconds, action: 'heal', target: p.name }
    )
  if (topology.churn !== null) events.push(...churnSchedule(topology.churn, seededRandom(topology.churn.seed)))
  const late = events.find(e => e.atSeconds > topology.durationSeconds)
  if (late !== undefined)
    throw new ScheduleError(
      `${late.action} of ${late.target} at ${late.atSeconds} s falls after the run's end (durationSeconds ${topology.durationSeconds})`
    )
  return sortTimeline(events)
}
