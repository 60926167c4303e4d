import type { Command } from 'commander'
import { action } from '../action.js'
import { launchDemoNodes, stopDaemons, type ChildDaemon } from '../demo/launcher.js'
import {
  learnerReports,
  prepareOutDir,
  writeDemoOutputs,
  type DemoSummary,
  type LearnerReport
} from '../demo/outputs.js'
import { speedup } from '../demo/metrics.js'
import { planDemo, type DemoOptions, type DemoPlan } from '../demo/plan.js'
import { RunRecord, watchRun } from '../demo/watch.js'
import { ExitCode } from '../exit-codes.js'
import { dashboardLink } from './dashboard.js'
import { table, type Io } from '../output.js'
import { Interruption } from '../interruption.js'
import { Progress } from '../progress.js'

/**
 * The one-command demo (README): three swarms side by side as child processes on 127.0.0.1,
 * with the same code, seeds and curricula: N learners that share (and an evaluator), the same
 * N learners with sharing off (and an evaluator), and a lone learner (and an evaluator). Shows
 * live progress, then a table and an SVG plot: how much sooner every agent can do all but one
 * task itself with sharing than without (own ICR of the mean agent, per-agent env steps), and
 * the collective ICR of the three swarms.
 */
export async function runDemo(o: DemoOptions, io: Io): Promise<DemoSummary> {
  // Listening first: a signal during planning or launching must not be missed.
  const interruption = new Interruption(io.signal)
  const launched: ChildDaemon[] = []
  try {
    const plan = await planDemo(o)
    await prepareOutDir(plan.out, io)
    const started = performance.now()
    const progress = new Progress(io, 5000)
    io.stderr.write(`${announcement(plan)}\n`)
    let record = new RunRecord(plan.agents)
    try {
      if (!interruption.interrupted) {
        const nodes = await launchDemoNodes(plan, d => launched.push(d))
        io.stderr.write(`${await dashboardLinks(nodes.sharing.evaluator, nodes.sharing.learners)}\n`)
        record = await watchRun(nodes, plan, progress, started, () => interruption.interrupted)
      }
    } finally {
      progress.done()
      await stopDaemons(launched)
    }
    if (launched.length > 0) io.stderr.write(`${learnerTable(learnerReports(record))}\n\n`)
    return await writeDemoOutputs(plan, record, { started, interrupted: interruption.interrupted })
  } finally {
    interruption.dispose()
  }
}

/** How long the demo's dashboard links stay valid: long enough to open one after a coffee. */
const DEMO_LINK_TTL_SECONDS = 1_800

/**
 * The dashboards of the sharing swarm, on stderr while the demo runs: its evaluator's page (the
 * swarm as it sees it, with an "open dashboard" link to each learner's page: the launcher links
 * them) and each learner's own. Each link logs one browser in, once. A link that cannot be made
 * is reported, and the demo goes on.
 */
async function dashboardLinks(evaluator: ChildDaemon, learners: readonly ChildDaemon[]): Promise<string> {
  const link = async (d: ChildDaemon): Promise<string> =>
    await dashboardLink(d.client, DEMO_LINK_TTL_SECONDS).then(
      l => l.url,
      (err: Error) => `(no dashboard: ${err.message})`
    )
  const lines = [
    `dashboards (each link logs in one browser, once, within ${DEMO_LINK_TTL_SECONDS / 60} min):`,
    `  sharing swarm, its evaluator: ${await link(evaluator)}`,
    "  each learner's page opens from the evaluator's (its swarm and site daemons), or directly:"
  ]
  for (const d of learners) lines.push(`  ${d.name}: ${await link(d)}`)
  return lines.join('\n')
}

/** The line that opens a run on stderr: what is compared, at what budget, and where the output goes. */
function announcement(p: DemoPlan): string {
  return `l2d2c demo: ${p.agents} sharing learners vs. the same ${p.agents} isolated vs. one lone learner (each with an evaluator), ${p.tasks.length} ${p.env} tasks (at most ${p.stepsPerTask.toLocaleString('en-US')} steps each), targets: own ICR ${p.ownTarget} for the mean agent, collective ICR ${p.target}; output in ${p.out}`
}

/** Each learner as it last reported (stderr: the result on stdout stays one table or one JSON document). */
function learnerTable(rows: readonly LearnerReport[]): string {
  const n = (v: number | null): string | null => (v === null ? null : v.toLocaleString('en-US'))
  return table(
    [
      'learner',
      'steps',
      'eval steps',
      'own ICR',
      'learned',
      'adopted',
      'steps saved',
      'masks adopted',
      'bytes sent',
      'bytes received'
    ],
    rows.map(r => [
      r.name,
      n(r.steps),
      n(r.evalSteps),
      r.ownIcr?.toFixed(2),
      r.tasksLearned,
      r.tasksAdopted,
      n(r.stepsSaved),
      r.masksAdopted,
      n(r.bytesSent),
      n(r.bytesReceived)
    ])
  )
}

const fmtSteps = (v: number | null): string => (v === null ? 'not reached' : `${v.toLocaleString('en-US')} steps/agent`)
const times = (v: number | null): string => (v === null ? 'n/a' : `${v}x`)

function human(d: DemoSummary): string {
  const n = d.agents.count
  const own = d.tasks - 1
  const effect =
    d.agents.speedup !== null
      ? `sharing effect: every agent could do ${own} of ${d.tasks} tasks itself ${d.agents.speedup}x sooner with sharing than isolated (per-agent env steps)`
      : `sharing effect: n/a (own ICR ${own} not reached by the ${d.agents.sharing.stepsToTarget === null ? 'sharing' : 'isolated'} collective's mean agent)`
  const adoptions = Object.entries(d.adoptions)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ')
  return [
    table(
      ['', `sharing (${n} agents)`, `isolated (${n} agents)`, 'lone agent'],
      [
        [
          `mean agent: steps to own ICR ${own}`,
          fmtSteps(d.agents.sharing.stepsToTarget),
          fmtSteps(d.agents.isolated.stepsToTarget),
          '-'
        ],
        [
          'mean agent: final own ICR',
          `${d.agents.sharing.finalOwnIcr} / ${d.tasks}`,
          `${d.agents.isolated.finalOwnIcr} / ${d.tasks}`,
          '-'
        ],
        [
          `collective: steps to ICR ${d.target}`,
          fmtSteps(d.collective.stepsToTarget),
          fmtSteps(d.isolatedCollective.stepsToTarget),
          fmtSteps(d.single.stepsToTarget)
        ],
        [
          'collective: final ICR',
          `${d.collective.finalIcr} / ${d.tasks}`,
          `${d.isolatedCollective.finalIcr} / ${d.tasks}`,
          `${d.single.finalIcr} / ${d.tasks}`
        ]
      ]
    ),
    '',
    effect,
    `collective ICR ${d.target}: sharing ${times(speedup(d.isolatedCollective.stepsToTarget, d.collective.stepsToTarget))} sooner than isolated, ${times(d.speedup)} sooner than the lone agent`,
    `adoptions (masks verified and adopted, sharing learners): ${adoptions}; ${d.masksExchanged} masks sent, ${d.bytesSent.toLocaleString('en-US')} bytes sent by the sharing learners`,
    `plot: ${d.plot}`,
    `logs and evaluation CSVs: ${d.out}/*/ (${d.wallSeconds} s)`
  ].join('\n')
}

export function registerDemoCommand(program: Command, io: Io): void {
  program
    .command('demo')
    .description(
      'run N sharing learners vs. the same N isolated vs. a lone learner on this machine; plot own and collective ICR (the main job)'
    )
    .option('--agents <n>', 'learner daemons in each collective', '4')
    .option('--env <family>', 'ctgraph | minigrid', 'ctgraph')
    .option('--tasks <k>', 'use the first K tasks of the family (default all: 16 CT-graph, 3 MiniGrid)')
    .option(
      '--steps-per-task <n>',
      "env steps per task at most (default 12800 CT-graph as the reference's shell_16x16, 102400 MiniGrid)"
    )
    .option('--drop <p>', 'drop each outbound message of the learners with probability p', '0')
    .option('--seed <s>', 'base seed: learner i of each collective gets s + i, the lone learner s + 1', '0')
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
