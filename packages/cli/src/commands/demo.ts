import type { Command } from 'commander'
import { action } from '../action.js'
import { launchDemoNodes, stopDaemons, type ChildDaemon } from '../demo/launcher.js'
import { prepareOutDir, writeDemoOutputs, type DemoSummary } from '../demo/outputs.js'
import { planDemo, type DemoOptions, type DemoPlan } from '../demo/plan.js'
import { watchRun, type RunRecord } from '../demo/watch.js'
import { ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'
import { Progress } from '../progress.js'

/**
 * The one-command demo (README): N learner daemons on rotated curricula with an evaluator,
 * and a lone learner with its own evaluator as the baseline, all as child processes on
 * 127.0.0.1. Shows live progress, then a table and an SVG plot of ICR over per-agent env
 * steps, and the time-to-target ratio.
 */
export async function runDemo(o: DemoOptions, io: Io): Promise<DemoSummary> {
  const plan = await planDemo(o)
  await prepareOutDir(plan.out, io)
  const started = performance.now()
  const progress = new Progress(io, 5000)
  io.stderr.write(`${announcement(plan)}\n`)
  const interruption = new Interruption(io.signal)
  const launched: ChildDaemon[] = []
  let record: RunRecord
  try {
    const nodes = await launchDemoNodes(plan, d => launched.push(d))
    record = await watchRun(nodes, plan, progress, started, () => interruption.interrupted)
  } finally {
    interruption.dispose()
    progress.done()
    await stopDaemons(launched)
  }
  return await writeDemoOutputs(plan, record, { started, interrupted: interruption.interrupted })
}

/** The line that opens a run on stderr: what is compared, at what budget, and where the output goes. */
function announcement(p: DemoPlan): string {
  return `l2d2c demo: ${p.agents} learners + evaluator vs. a lone learner, ${p.tasks.length} ${p.env} tasks x ${p.stepsPerTask.toLocaleString('en-US')} steps, target ICR ${p.target}; output in ${p.out}`
}

/**
 * Notes the first SIGINT/SIGTERM (io.signal, owned by bin.ts) until disposed: the run then
 * stops watching, stops its daemons and still writes what it measured, marked interrupted.
 */
class Interruption {
  interrupted = false
  private readonly onAbort = (): void => {
    this.interrupted = true
  }

  constructor(private readonly signal: AbortSignal | undefined) {
    signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}

function human(d: DemoSummary): string {
  const fmt = (v: number | null): string => (v === null ? 'not reached' : `${v.toLocaleString('en-US')} steps/agent`)
  return [
    table(
      ['', `collective (${d.agents} agents)`, 'single agent'],
      [
        [`steps to ICR ${d.target}`, fmt(d.collective.stepsToTarget), fmt(d.single.stepsToTarget)],
        ['final ICR', `${d.collective.finalIcr} / ${d.tasks}`, `${d.single.finalIcr} / ${d.tasks}`]
      ]
    ),
    '',
    d.speedup !== null
      ? `speed-up: the collective reached the target ${d.speedup}x sooner (per-agent env steps); the collective's learners sent ${d.masksExchanged} masks, ${d.masksAdopted} adopted by other learners`
      : `speed-up: n/a (target not reached by ${d.collective.stepsToTarget === null ? 'the collective' : 'the single agent'}; raise --steps-per-task)`,
    `plot: ${d.plot}`,
    `logs and evaluation CSVs: ${d.out}/*/ (${d.wallSeconds} s)`
  ].join('\n')
}

export function registerDemoCommand(program: Command, io: Io): void {
  program
    .command('demo')
    .description('run N learners and an evaluator vs. a lone learner on this machine; plot ICR (the main job)')
    .option('--agents <n>', 'learner daemons in the collective', '4')
    .option('--env <family>', 'ctgraph | minigrid', 'ctgraph')
    .option('--tasks <k>', 'use the first K tasks of the family (default all: 16 CT-graph, 3 MiniGrid)')
    .option(
      '--steps-per-task <n>',
      "env steps per task (default 12800 CT-graph as the reference's shell_16x16, 102400 MiniGrid)"
    )
    .option('--drop <p>', 'drop each outbound message of the learners with probability p', '0')
    .option('--seed <s>', 'base seed of the learners', '0')
    .option('--max-minutes <m>', 'stop after this long whatever happens', '30')
    .option('--out <dir>', 'where logs, evaluation CSVs, summary.json and icr.svg go', 'demo-output')
    .option('--json', 'print one JSON summary document')
    .action(
      action(io, async (opts: DemoOptions) => {
        const data = await runDemo(opts, io)
        return { data, human, ...(data.interrupted ? { exitCode: ExitCode.INTERRUPTED, reason: 'interrupted' } : {}) }
      })
    )
}
