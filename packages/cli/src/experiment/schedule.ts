/**
 * Which runs to start, and how long the rest will take (pure). A run is N learners and an
 * evaluator, one process each, each busy on a core when it trains or evaluates: it claims
 * min(N + 1, cores) of the machine's cores. Runs start while their claims fit in the free
 * cores, in order, a smaller later run filling a gap a larger one cannot; a run larger than
 * the machine runs alone (its processes share the cores, which the per-agent step clock
 * makes harmless, only slower).
 */

/** The cores a run of `learners` learners claims on a machine of `cores`. */
export function claimOf(learners: number, cores: number): number {
  return Math.max(1, Math.min(learners + 1, cores))
}

/** Indices into `pending` (claims, in run order) of the runs to start now, given `free` cores. */
export function runsToStart(pending: readonly number[], free: number): number[] {
  const start: number[] = []
  let left = free
  pending.forEach((claim, i) => {
    if (claim <= left) {
      start.push(i)
      left -= claim
    }
  })
  return start
}

/** A run for the ETA: its condition, its claim, and its wall time once it has ended. */
export interface RunTiming {
  condition: string
  claim: number
  /** Wall seconds of a finished run; null while pending or running. */
  seconds: number | null
  /** Seconds it has been running (0 while pending). */
  elapsed: number
}

/**
 * Seconds until every run has ended, estimated from the runs that have: a run is expected to
 * take as long as the finished runs of its condition did on average (the finished runs of any
 * condition, scaled by claim, when none of its own has ended), less what it has already run;
 * the remaining core-seconds are spread over the cores. Null before any run has ended.
 */
export function etaSeconds(runs: readonly RunTiming[], cores: number): number | null {
  const done = runs.filter(r => r.seconds !== null)
  if (done.length === 0) return null
  const perCoreSecond = done.reduce((a, r) => a + (r.seconds as number) / r.claim, 0) / done.length
  const expected = (r: RunTiming): number => {
    const same = done.filter(d => d.condition === r.condition)
    return same.length > 0 ? same.reduce((a, d) => a + (d.seconds as number), 0) / same.length : perCoreSecond * r.claim
  }
  const coreSeconds = runs
    .filter(r => r.seconds === null)
    .reduce((a, r) => a + Math.max(0, expected(r) - r.elapsed) * r.claim, 0)
  return coreSeconds / Math.max(1, cores)
}

/** 3725 → "1 h 02 min"; 95 → "1 min 35 s"; 7 → "7 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${s} s`
}
