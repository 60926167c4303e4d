/**
 * The daemon flags of one run's nodes, from its condition and seed (pure). The same settings
 * as the demo's collectives (docs/reference-fidelity.md §6.2): learners announce every second
 * and collect offers for a second; the evaluator is given every learner and cycles at the
 * spec's period.
 */
import { LEARNER_QUERY_WINDOW_MS } from '../demo/plan.js'
import { isPaced } from './pace.js'
import type { Condition } from './spec.js'

/**
 * How long an experiment's evaluator collects offers for one task. The demo's 300 ms under-measured
 * the collective ICR of the runs in docs/results.md: under load averages of 35–60, busy learners
 * answered later and their masks were missed for whole cycles. A round ends as soon as every
 * asked peer answered, so the long window costs time only while a learner is slow to answer
 * (then the cycle is longer, and its row still right).
 */
export const EXPERIMENT_EVALUATOR_QUERY_WINDOW_MS = 5000

/**
 * Learner i's seed in a run of experiment seed s: 100·s + i + 1, so that no two learners of
 * an experiment share a seed across its runs' seeds (up to 99 learners), and the lone agent
 * of seed s has the seed of learner 1 of every collective of seed s.
 */
export const learnerSeed = (seed: number, i: number): number => seed * 100 + i + 1

/**
 * Each learner's curriculum: the K tasks rotated so that learner i starts at task i·⌊K/N⌋
 * (every learner meets every task), or all in the given order.
 */
export function curricula(tasks: readonly string[], c: Condition): string[][] {
  const k = tasks.length
  return Array.from({ length: c.learners }, (_, i) => {
    const start = c.curriculum === 'same' ? 0 : (i * Math.max(1, Math.floor(k / c.learners))) % k
    return tasks.map((_, j) => tasks[(start + j) % k] as string)
  })
}

/**
 * The flags of learner i (its --bootstrap peers are added by the run). `seedIndex` (default i)
 * picks its seed: teachers take theirs after the learners', so a learner's seed does not depend
 * on whether its condition has teachers.
 */
export function learnerArgs(tasks: readonly string[], c: Condition, seed: number, i: number, seedIndex = i): string[] {
  return [
    '--tasks',
    (curricula(tasks, c)[i] ?? tasks).join(','),
    '--steps-per-task',
    String(c.stepsPerTask),
    '--seed',
    String(learnerSeed(seed, seedIndex)),
    '--encoding',
    c.encoding,
    '--mask-init',
    c.maskInit,
    '--announce-interval-ms',
    '1000',
    '--query-window-ms',
    String(LEARNER_QUERY_WINDOW_MS),
    ...(c.budget === 'fixed' ? ['--fixed-budget'] : []),
    ...(c.sharing ? [] : ['--no-sharing']),
    ...(c.drop > 0 ? ['--drop', String(c.drop), '--drop-mode', c.dropMode] : []),
    ...(c.importBasis > 0 ? ['--import-basis', String(c.importBasis)] : []),
    ...(isPaced(c) ? ['--paced'] : [])
  ]
}

/**
 * The flags of teacher i of a transfer condition: the teacher tasks rotated among the teachers,
 * sharing on, random initial masks, no basis import; the condition's budget, encoding and loss;
 * seed index learners + i.
 */
export function teacherArgs(teacherTasks: readonly string[], c: Condition, seed: number, i: number): string[] {
  const teachers: Condition = {
    ...c,
    learners: c.teachers,
    curriculum: 'rotated',
    sharing: true,
    maskInit: 'random',
    importBasis: 0,
    teachers: 0,
    // The teachers run before the learners, as fast as they can: what they learn is the given.
    paceSteps: 0
  }
  return learnerArgs(teacherTasks, teachers, seed, i, c.learners + i)
}

/** The evaluator's flags (its --bootstrap peers, every learner, are added by the run). */
export function evaluatorArgs(tasks: readonly string[], c: Condition, evalIntervalMs: number): string[] {
  return [
    '--role',
    'evaluator',
    '--tasks',
    tasks.join(','),
    '--encoding',
    c.encoding,
    '--eval-interval-ms',
    String(evalIntervalMs),
    '--query-window-ms',
    String(EXPERIMENT_EVALUATOR_QUERY_WINDOW_MS),
    '--announce-interval-ms',
    '1000'
  ]
}
