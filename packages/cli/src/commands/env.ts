import type { Env, StepResult } from '@l2d2c/agent/envs'
import type { Command } from 'commander'
import { action } from '../action.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'

// Environments are pure code without the ML stack, so this imports only @l2d2c/agent/envs.
type Envs = typeof import('@l2d2c/agent/envs')
const loadEnvs = async (): Promise<Envs> => await import('@l2d2c/agent/envs')

async function specOrUsage(envs: Envs, key: string): Promise<ReturnType<Envs['taskSpec']>> {
  try {
    return envs.taskSpec(key)
  } catch (err) {
    // parseTaskKey already refuses unbuildable CT-graph shapes; the second test is a belt.
    if (err instanceof envs.TaskKeyError || err instanceof envs.CtGraphConfigError)
      throw new CliError(err.message, ExitCode.USAGE)
    throw err
  }
}

function parseActions(text: string | undefined, numActions: number): number[] {
  if (text === undefined || text.trim() === '') return []
  return text.split(',').map((s, i) => {
    const t = s.trim()
    if (!/^[0-9]+$/.test(t) || Number(t) >= numActions) {
      throw new CliError(`--actions: item ${i + 1} ("${t}") is not an action in 0..${numActions - 1}`, ExitCode.USAGE)
    }
    return Number(t)
  })
}

const sum = (o: Uint8Array): number => {
  let s = 0
  for (const v of o) s += v
  return s
}

export interface TraceStep {
  action: number | null
  obsSum: number
  reward: number
  done: boolean
}
export interface Trace {
  task: string
  obsSize: number
  numActions: number
  steps: TraceStep[]
}

/**
 * The walk `trace` and `render` share: reset, then each action in turn; an action that follows a
 * done step first resets the env (onReset with first = false), as an auto-resetting runner would.
 */
function walk(
  env: Env,
  actions: readonly number[],
  onReset: (obs: Uint8Array, first: boolean) => void,
  onStep: (action: number, result: StepResult, done: boolean) => void
): void {
  onReset(env.reset(), true)
  let needsReset = false
  for (const a of actions) {
    if (needsReset) onReset(env.reset(), false)
    const r = env.step(a)
    const done = r.terminated || r.truncated
    onStep(a, r, done)
    needsReset = done
  }
}

/** Raw environment trace: reset, then each action; a done step shows the terminal observation. */
export async function traceTask(key: string, actionsText: string | undefined): Promise<Trace> {
  const envs = await loadEnvs()
  const spec = await specOrUsage(envs, key)
  const actions = parseActions(actionsText, spec.numActions)
  const steps: TraceStep[] = []
  // Only the first reset is a row: the trace's documented shape has one row per action after it.
  walk(
    spec.createEnv(),
    actions,
    (obs, first) => {
      if (first) steps.push({ action: null, obsSum: sum(obs), reward: 0, done: false })
    },
    (action, r, done) => {
      steps.push({ action, obsSum: sum(r.observation), reward: r.reward, done })
    }
  )
  return { task: spec.key, obsSize: spec.observationSize, numActions: spec.numActions, steps }
}

const SHADES = ' .:-=+*#%@'

function imageArt(obs: ArrayLike<number>, side: number): string {
  const rows: string[] = []
  for (let r = 0; r < side; r++) {
    let line = ''
    for (let c = 0; c < side; c++) {
      const v = obs[r * side + c] ?? 0
      const ch = SHADES[Math.min(SHADES.length - 1, Math.floor((v / 256) * SHADES.length))] ?? ' '
      line += ch + ch
    }
    rows.push(`    |${line}|`)
  }
  return rows.join('\n')
}

/** One drawn state; `step` is the 1-based index of the action that led to it, null for a reset. */
interface RenderFrame {
  step: number | null
  action: number | null
  reward: number
  done: boolean
  text: string
}

export async function renderTask(
  key: string,
  actionsText: string | undefined
): Promise<{ task: string; frames: RenderFrame[] }> {
  const envs = await loadEnvs()
  const spec = await specOrUsage(envs, key)
  const actions = parseActions(actionsText, spec.numActions)
  const env = spec.createEnv()
  const frames: RenderFrame[] = []
  const describe = (obs: Uint8Array): string => {
    const f = envs.describeFrame(env, obs)
    if (f.image !== null && f.side !== null) return `${f.caption}\n${imageArt(f.image, f.side)}`
    if (f.grid !== null) return `${f.caption}\n${f.grid}`
    return f.caption
  }
  let step = 0
  walk(
    env,
    actions,
    obs => {
      frames.push({ step: null, action: null, reward: 0, done: false, text: describe(obs) })
    },
    (action, r, done) => {
      frames.push({ step: ++step, action, reward: r.reward, done, text: describe(r.observation) })
    }
  )
  return { task: spec.key, frames }
}

export function registerEnvCommands(program: Command, io: Io): void {
  const env = program.command('env').description('list, trace and render the benchmark tasks')

  env
    .command('list')
    .description('list the named tasks (any valid task key also works; see README "Task keys")')
    .option('--family <family>', 'only ctgraph or minigrid tasks')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: { family?: string }) => {
        if (opts.family !== undefined && opts.family !== 'ctgraph' && opts.family !== 'minigrid') {
          throw new CliError(`--family must be ctgraph or minigrid, got "${opts.family}"`, ExitCode.USAGE)
        }
        const envs = await loadEnvs()
        const tasks = envs
          .catalogue()
          .filter(e => opts.family === undefined || e.family === opts.family)
          .map(e => {
            const s = envs.taskSpec(e.key)
            return {
              ...e,
              observationSize: s.observationSize,
              numActions: s.numActions,
              optimalReturn: Math.round(s.optimalReturn * 1e6) / 1e6
            }
          })
        return {
          data: { tasks },
          human: (d: { tasks: typeof tasks }) =>
            table(
              ['task key', 'group', 'obs', 'actions', 'optimal', 'description'],
              d.tasks.map(t => [
                t.key,
                t.group,
                t.observationSize,
                t.numActions,
                t.optimalReturn.toFixed(4),
                t.description
              ])
            )
        }
      })
    )

  env
    .command('trace')
    .description('step a task with given actions; one line per step with the observation checksum')
    .requiredOption('--task <key>', 'task key, e.g. ctgraph/d2b2/img1/leaf00')
    .option('--actions <list>', 'comma-separated actions, e.g. 0,0,1,0,1,0,0')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: { task: string; actions?: string }) => ({
        data: await traceTask(opts.task, opts.actions),
        human: (t: Trace) =>
          [
            `${t.task}: ${t.obsSize} observation values, ${t.numActions} actions`,
            table(
              ['step', 'action', 'obs sum', 'reward', 'done'],
              t.steps.map((s, i) => [
                i,
                s.action ?? 'reset',
                s.obsSum,
                Number(s.reward.toFixed(6)),
                s.done ? 'yes' : ''
              ])
            )
          ].join('\n')
      }))
    )

  env
    .command('render')
    .description('draw a task as text: MiniGrid grid with the agent, CT-graph state and image')
    .requiredOption('--task <key>', 'task key')
    .option('--actions <list>', 'comma-separated actions to apply, drawing each step')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: { task: string; actions?: string }) => ({
        data: await renderTask(opts.task, opts.actions),
        human: (d: { task: string; frames: RenderFrame[] }) =>
          d.frames
            .map(
              f =>
                `${f.step === null ? 'reset' : `step ${f.step}: action ${f.action ?? '-'}`}${f.reward !== 0 ? `, reward ${Number(f.reward.toFixed(6))}` : ''}${f.done ? ', done' : ''}\n${f.text}`
            )
            .join('\n\n')
      }))
    )
}
