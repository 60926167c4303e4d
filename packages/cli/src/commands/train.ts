import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { CORRUPT_MASKS_DIR, SUPPORTED_ENCODINGS } from '@l2d2c/protocol'
import { action } from '../action.js'
import { choiceArg, intArg, numberArg } from '../args.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'
import { Progress } from '../progress.js'

export interface TrainResult {
  backend: string
  backboneId: string
  /** 'mastery': each task ends once mastered (the step budget is a cap); 'fixed': --fixed-budget. */
  budget: 'mastery' | 'fixed'
  /** Training env steps. */
  totalSteps: number
  /** Env steps spent in evaluations (progress, mastery checks, own-ICR sweeps, the final check): not training steps. */
  evalSteps: number
  /** The agent's own ICR at the end: the sum of its returns after the curriculum. */
  ownIcr: number | null
  wallSeconds: number
  stepsPerSecond: number
  completed: boolean
  tasks: Array<{
    key: string
    stepsTrained: number
    /** Task steps at the first evaluation reaching 0.9 · optimal return. */
    stepsToThreshold: number | null
    /** The reference's measure: task steps at the first PPO iteration whose training reward reached it. */
    stepsToThresholdTrain: number | null
    /** Task steps when mastery was confirmed (a second evaluation at the threshold). */
    stepsToMastery: number | null
    /** Env steps of this task's evaluations while it trained. */
    evalSteps: number
    finalReturn: number | null
    returnAfterCurriculum: number | null
  }>
}

interface TrainOptions {
  taskSet?: string
  curriculum?: string
  agentIndex: string
  stepsPerTask?: string
  /** Absent unless given: a curriculum agent's own seed then applies, else DEFAULT_SEED. */
  seed?: string
  backend: string
  maskInit: string
  preset: string
  /** Absent unless given: the preset's value then applies. */
  closeToInit?: string
  evalEpisodes: string
  evalEverySteps: string
  saveMasks?: string
  encoding: string
  fixedBudget?: boolean
}

/** The learner seed when neither --seed nor the curriculum agent gives one. */
const DEFAULT_SEED = 1

/** Single-agent lifelong training, no network: the learner's own benchmark and a user tool. */
export async function train(opts: TrainOptions, io: Io): Promise<TrainResult> {
  const agent = await import('@l2d2c/agent')
  if ((opts.taskSet === undefined) === (opts.curriculum === undefined))
    throw new CliError('give exactly one of --task-set KEYS or --curriculum FILE', ExitCode.USAGE)
  const backend = choiceArg(opts.backend, '--backend', agent.BACKEND_CHOICES)
  const maskInit = choiceArg(opts.maskInit, '--mask-init', agent.NEW_MASK_MODES)
  const preset = choiceArg(opts.preset, '--preset', agent.PPO_PRESET_NAMES)
  const encoding = choiceArg(opts.encoding, '--encoding', SUPPORTED_ENCODINGS)
  const seedFlag = opts.seed !== undefined ? intArg(opts.seed, '--seed', 0, 0xffffffff) : undefined
  const closeToInit = opts.closeToInit !== undefined ? numberArg(opts.closeToInit, '--close-to-init', 0, 1) : undefined
  const evalEpisodes = intArg(opts.evalEpisodes, '--eval-episodes', 1, 10_000)
  const evalEverySteps = intArg(opts.evalEverySteps, '--eval-every-steps', 1, 1_000_000_000)
  const budget = opts.fixedBudget === true ? 'fixed' : 'mastery'
  let tasks: string[]
  let stepsPerTask: number
  let seed = seedFlag ?? DEFAULT_SEED
  try {
    if (opts.taskSet !== undefined) {
      tasks = agent.expandTaskList(
        opts.taskSet
          .split(',')
          .map(s => s.trim())
          .filter(s => s !== '')
      )
      if (tasks.length === 0) throw new CliError('--task-set is empty', ExitCode.USAGE)
      if (opts.stepsPerTask === undefined)
        throw new CliError('--steps-per-task is required with --task-set', ExitCode.USAGE)
      stepsPerTask = intArg(opts.stepsPerTask, '--steps-per-task', 1, 1_000_000_000)
      agent.parseCurriculum({ version: 1, stepsPerTask, agents: [{ tasks }] }, agent.taskShape)
    } else {
      const text = await readFile(opts.curriculum as string, 'utf8').catch((err: Error) => {
        throw new CliError(`cannot read ${opts.curriculum as string}: ${err.message}`, ExitCode.USAGE)
      })
      const c = agent.parseCurriculumJson(text, agent.taskShape)
      const index = intArg(opts.agentIndex, '--agent-index', 0, c.agents.length - 1)
      const a = c.agents[index]!
      tasks = [...a.tasks]
      stepsPerTask =
        opts.stepsPerTask !== undefined
          ? intArg(opts.stepsPerTask, '--steps-per-task', 1, 1_000_000_000)
          : a.stepsPerTask
      seed = seedFlag ?? a.seed ?? DEFAULT_SEED
    }
  } catch (err) {
    if (err instanceof agent.CurriculumError || err instanceof agent.TaskKeyError)
      throw new CliError(err.message, ExitCode.USAGE)
    throw err
  }

  const learner = new agent.InProcessLearner()
  const info = await learner
    .init({
      shapeTask: tasks[0]!,
      seed,
      backend,
      newMaskMode: maskInit,
      preset,
      ...(closeToInit !== undefined ? { ppo: { closeToInit } } : {})
    })
    .catch((err: unknown) => {
      // A backend that cannot load here (e.g. tfjs-node without its native addon) is not a bug.
      if (err instanceof agent.TfBackendError)
        throw new CliError(`--backend ${backend} is unavailable on this machine: ${err.message}`, ExitCode.UNAVAILABLE)
      throw err
    })
  for (const s of info.backendSkipped) io.stderr.write(`l2d2c train: backend ${s.backend} skipped: ${s.reason}\n`)
  io.stderr.write(
    `l2d2c train: backend ${info.backend}, seed ${seed}, backbone ${info.backboneId}, ${tasks.length} tasks x ${budget === 'fixed' ? '' : 'at most '}${stepsPerTask.toLocaleString('en-US')} steps, PPO ${preset} (${info.ppo.numEnvs} envs x ${info.ppo.rolloutLength} steps/iteration, close-to-init ${info.ppo.closeToInit})\n`
  )
  // Saved masks use the daemon's store layout (one verified mask file per task), so a data dir can be seeded with them.
  const saved = opts.saveMasks !== undefined ? new agent.FileMaskStore(opts.saveMasks, info.backboneId) : null
  const { encodeMask } = await import('@l2d2c/protocol')
  const progress = new Progress(io)
  const t0 = performance.now()
  let lastReward: number | null = null
  const driver = new agent.CurriculumDriver(
    learner,
    {
      ...agent.DEFAULT_DRIVER_CONFIG,
      budget,
      tasks,
      stepsPerTask,
      evalEpisodes,
      evalEverySteps,
      commPerTask: 0
    },
    {
      onEvaluation: (_key, reward) => {
        lastReward = reward
      },
      onIteration: (stats, ctx) => {
        const secs = (performance.now() - t0) / 1000
        progress.update(
          `[task ${ctx.taskIndex + 1}/${tasks.length}] ${stats.taskKey}  ${ctx.stepsOnTask.toLocaleString('en-US')}/${stepsPerTask.toLocaleString('en-US')} steps  eval ${lastReward?.toFixed(3) ?? '-'}  ${Math.round(ctx.totalSteps / secs).toLocaleString('en-US')} steps/s`
        )
      },
      onTaskEnd: async report => {
        if (saved !== null) {
          const mask = await learner.exportMask(report.key)
          await saved.put(encodeMask(mask, encoding), {
            reward: report.finalReturn ?? 0,
            stepsTrained: report.stepsTrained,
            origin: '',
            createdAtMs: Date.now()
          })
        }
        progress.update(
          `task ${report.key}: ${report.stepsToThreshold === null ? 'threshold not reached' : `threshold at ${report.stepsToThreshold.toLocaleString('en-US')} steps`}${report.mastery === null ? '' : `, mastered at ${report.mastery.steps.toLocaleString('en-US')}`}, final ${report.finalReturn?.toFixed(3) ?? '-'}`,
          true
        )
        if (!(io.stderr as { isTTY?: boolean }).isTTY) return
        io.stderr.write('\n')
      }
    }
  )
  let result: Awaited<ReturnType<typeof driver.run>>
  try {
    if (saved !== null) {
      await saved.open().catch((err: Error) => {
        throw new CliError(`cannot open --save-masks ${saved.dir}: ${err.message}`, ExitCode.UNAVAILABLE)
      })
      for (const q of saved.quarantined)
        io.stderr.write(`l2d2c train: moved unreadable ${q.file} to ${saved.dir}/${CORRUPT_MASKS_DIR}/ (${q.reason})\n`)
    }
    result = await driver.run(undefined, io.signal)
  } finally {
    await learner.dispose()
  }
  progress.done()
  const wallSeconds = (performance.now() - t0) / 1000
  return {
    backend: info.backend,
    backboneId: info.backboneId,
    budget,
    totalSteps: result.totalSteps,
    evalSteps: result.evalSteps,
    ownIcr: result.ownIcr?.ownIcr ?? null,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    stepsPerSecond: Math.round(result.totalSteps / wallSeconds),
    completed: result.completed,
    tasks: result.tasks.map(t => ({
      key: t.key,
      stepsTrained: t.stepsTrained,
      stepsToThreshold: t.stepsToThreshold,
      stepsToThresholdTrain: t.stepsToThresholdTrain,
      stepsToMastery: t.mastery?.steps ?? null,
      evalSteps: t.evalSteps,
      finalReturn: t.finalReturn,
      returnAfterCurriculum: t.returnAfterCurriculum
    }))
  }
}

/** Mean of the non-null values, rounded (null if none). */
function meanOf(values: ReadonlyArray<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null)
  return v.length > 0 ? Math.round(v.reduce((s, x) => s + x, 0) / v.length) : null
}

function human(r: TrainResult): string {
  const reached = r.tasks.filter(t => t.stepsToThreshold !== null)
  const mean = meanOf(r.tasks.map(t => t.stepsToThreshold))
  const meanTrain = meanOf(r.tasks.map(t => t.stepsToThresholdTrain))
  const n = (v: number | null): string => (v === null ? '-' : v.toLocaleString('en-US'))
  return [
    table(
      ['task', 'steps', 'steps to 0.9', 'train reward 0.9', 'mastered', 'final', 'after curriculum'],
      r.tasks.map(t => [
        t.key,
        t.stepsTrained,
        t.stepsToThreshold,
        t.stepsToThresholdTrain,
        t.stepsToMastery,
        t.finalReturn?.toFixed(3),
        t.returnAfterCurriculum?.toFixed(3)
      ])
    ),
    '',
    `${r.completed ? 'done' : 'stopped early'} (${r.budget === 'fixed' ? 'fixed budgets' : 'each task until mastered'}): ${r.totalSteps.toLocaleString('en-US')} training env steps and ${r.evalSteps.toLocaleString('en-US')} evaluation steps in ${r.wallSeconds} s (${r.stepsPerSecond.toLocaleString('en-US')} steps/s, backend ${r.backend}); ` +
      `${reached.length}/${r.tasks.length} tasks reached the threshold${mean !== null ? `, mean ${n(mean)} steps (training reward: ${n(meanTrain)})` : ''}` +
      `${r.ownIcr !== null ? `; own ICR ${r.ownIcr.toFixed(2)}` : ''}`
  ].join('\n')
}

export function registerTrainCommand(program: Command, io: Io): void {
  program
    .command('train')
    .description('single-agent lifelong training without network (progress on stderr, result on stdout)')
    .option('--task-set <keys>', 'comma-separated task keys or catalogue groups (e.g. meta-ctgraph)')
    .option('--curriculum <file>', 'a curriculum JSON document')
    .option('--agent-index <i>', 'which agent of the curriculum to train', '0')
    .option('--steps-per-task <n>', "env steps per task at most: a task ends once mastered (default: the curriculum's)")
    .option('--fixed-budget', 'train every task for its whole --steps-per-task (the reference), not until mastered')
    .option('--seed <s>', `learner seed (default: the curriculum agent's "seed", else ${DEFAULT_SEED})`)
    .option('--backend <b>', 'auto | wasm | cpu | node', 'auto')
    .option('--mask-init <m>', 'new-task mask: random | lc | blc', 'random')
    .option('--preset <p>', 'PPO hyper-parameters: default | reference', 'default')
    .option(
      '--close-to-init <lambda>',
      "weight of the penalty keeping each mask near its task's initial mask (smaller DELTA masks); 0: off (default: the preset's)"
    )
    .option('--eval-episodes <n>', 'episodes per evaluation', '25')
    .option('--eval-every-steps <n>', 'env steps between evaluations (resolution of steps-to-threshold)', '1280')
    .option('--save-masks <dir>', "write each task's final mask there (mask file format)")
    .option('--encoding <e>', `encoding of saved masks: ${SUPPORTED_ENCODINGS.join(' | ')}`, 'f32')
    .option('--json', 'print one JSON document')
    .action(action(io, async (opts: TrainOptions) => ({ data: await train(opts, io), human })))
}
