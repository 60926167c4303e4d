import { resolve } from 'node:path'
import { choiceArg, intArg } from '../args.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { icrTarget, ownIcrTarget } from './metrics.js'

/** The demo's flags as typed (commander's strings; planDemo checks them). */
export interface DemoOptions {
  agents: string
  env: string
  out: string
  stepsPerTask?: string
  tasks?: string
  drop: string
  maxMinutes: string
  seed: string
}

/**
 * What a demo run will do, decided from its flags before anything is started or written. It
 * runs three swarms with no connection between them: the sharing collective (N learners and
 * an evaluator), the isolated collective (the same learners, same seeds and curricula, with
 * sharing off, and its own evaluator) and the lone learner (with its evaluator).
 */
export interface DemoPlan {
  /** Learners in each collective. */
  agents: number
  env: 'ctgraph' | 'minigrid'
  /** The first K tasks of the family, in catalogue order: the lone learner's curriculum. */
  tasks: string[]
  /** Each collective learner's curriculum: the same tasks, rotated so the learners start apart. */
  curricula: string[][]
  stepsPerTask: number
  drop: number
  seed: number
  /** --max-minutes as typed (the stop message quotes it), and as a duration. */
  maxMinutes: string
  maxMs: number
  /** Absolute --out. */
  out: string
  /** The collective ICR the three swarms race to (metrics.icrTarget). */
  target: number
  /** The own ICR the mean agent of each collective races to (metrics.ownIcrTarget: tasks − 1). */
  ownTarget: number
}

/** The nodes' data-dir names under --out (a rerun removes exactly these, see outputs.ts). */
export const NODE_NAMES = {
  evaluator: 'evaluator',
  isolatedEvaluator: 'isolated-evaluator',
  lone: 'single',
  loneEvaluator: 'single-evaluator'
} as const

/** The data-dir name of the sharing collective's learner i (0-based). */
export const learnerName = (i: number): string => `learner-${i + 1}`

/** The data-dir name of the isolated collective's learner i (0-based). */
export const isolatedLearnerName = (i: number): string => `isolated-${i + 1}`

/** Matches every learner data-dir name, of either collective (the rerun guard's test). */
export const LEARNER_NAME_PATTERN = /^(learner|isolated)-[0-9]+$/

/**
 * How long a learner's round collects offers. Twelve daemons share the CPU, so an answer can
 * take a while; a missed offer makes a learner train a task a peer already knows. A round ends
 * as soon as a good offer is in, so the window costs time only when nobody has the mask.
 */
const LEARNER_QUERY_WINDOW_MS = 1000

/**
 * An evaluator's round per task and cycle: short, since it runs one for every task each cycle
 * and a missed offer only delays its measurement by a cycle.
 */
const EVALUATOR_QUERY_WINDOW_MS = 300

/**
 * Time between the starts of two evaluation cycles. Each cycle re-evaluates every held mask
 * (16 tasks × 25 episodes), so three evaluators cycling back to back would take a large share
 * of the CPU from the learners; 5 s still places a row every few hundred steps per agent.
 */
const EVALUATION_INTERVAL_MS = 5000

/** Env steps per task when --steps-per-task is not given: the reference's shell_16x16 budget for CT-graph. */
const DEFAULT_STEPS_PER_TASK = { ctgraph: 12_800, minigrid: 102_400 } as const

/** Checks the flags and works out the run; a bad flag is a usage error that names it. */
export async function planDemo(o: DemoOptions): Promise<DemoPlan> {
  const envs = await import('@l2d2c/agent/envs')
  const agents = intArg(o.agents, '--agents', 1, 16)
  const env = choiceArg(o.env, '--env', ['ctgraph', 'minigrid'] as const)
  const family = env === 'ctgraph' ? [...envs.META_CTGRAPH_TASKS] : [...envs.MINIGRID_CROSSING_TASKS]
  const k = o.tasks === undefined ? family.length : intArg(o.tasks, '--tasks', 1, family.length)
  const tasks = family.slice(0, k)
  const stepsPerTask =
    o.stepsPerTask !== undefined
      ? intArg(o.stepsPerTask, '--steps-per-task', 1, 100_000_000)
      : DEFAULT_STEPS_PER_TASK[env]
  const drop = Number(o.drop)
  if (!(drop >= 0 && drop <= 1)) throw new CliError(`--drop must be in [0, 1], got "${o.drop}"`, ExitCode.USAGE)
  const maxMs = intArg(o.maxMinutes, '--max-minutes', 1, 10_000) * 60_000
  const seed = intArg(o.seed, '--seed', 0, 1_000_000)
  const rotated = envs.rotatedCurriculum(tasks, agents, stepsPerTask)
  return {
    agents,
    env,
    tasks,
    curricula: Array.from({ length: agents }, (_, i) => [...(rotated.agents[i]?.tasks ?? tasks)]),
    stepsPerTask,
    drop,
    seed,
    maxMinutes: o.maxMinutes,
    maxMs,
    out: resolve(o.out),
    target: icrTarget(tasks.map(t => envs.taskSpec(t).optimalReturn)),
    ownTarget: ownIcrTarget(tasks.length)
  }
}

/** The daemon flags of the sharing collective's learner i (0-based): its rotated curriculum and its own seed. */
export function learnerArgs(plan: DemoPlan, i: number): string[] {
  return [
    '--tasks',
    (plan.curricula[i] ?? plan.tasks).join(','),
    '--steps-per-task',
    String(plan.stepsPerTask),
    '--seed',
    String(plan.seed + i + 1),
    '--announce-interval-ms',
    '1000',
    '--query-window-ms',
    String(LEARNER_QUERY_WINDOW_MS),
    ...(plan.drop > 0 ? ['--drop', String(plan.drop)] : [])
  ]
}

/**
 * The daemon flags of the isolated collective's learner i: those of the sharing collective's
 * learner i (same curriculum, seed and code path) with sharing off. It still answers its
 * evaluator, so the isolated collective's ICR is measured the same way.
 */
export function isolatedLearnerArgs(plan: DemoPlan, i: number): string[] {
  return [...learnerArgs(plan, i), '--no-sharing']
}

/** The daemon flags of the lone learner: the first learner's seed, the unrotated tasks, no sharing. */
export function loneLearnerArgs(plan: DemoPlan): string[] {
  return [
    '--tasks',
    plan.tasks.join(','),
    '--steps-per-task',
    String(plan.stepsPerTask),
    '--seed',
    String(plan.seed + 1),
    '--no-sharing',
    '--announce-interval-ms',
    '1000'
  ]
}

/** The daemon flags of an evaluator (either side's; its --bootstrap peers are added by the launcher). */
export function evaluatorArgs(plan: DemoPlan): string[] {
  return [
    '--role',
    'evaluator',
    '--tasks',
    plan.tasks.join(','),
    '--eval-interval-ms',
    String(EVALUATION_INTERVAL_MS),
    '--query-window-ms',
    String(EVALUATOR_QUERY_WINDOW_MS),
    '--announce-interval-ms',
    '1000'
  ]
}
