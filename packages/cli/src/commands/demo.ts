import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { CONTROL_ROUTES, type EvaluationDocument, type StatusDocument } from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { choiceArg, intArg } from '../args.js'
import { launchDaemon, stopDaemons, type ChildDaemon } from '../demo/launcher.js'
import { clearPreviousRun } from '../demo/outputs.js'
import { icrTarget, normaliseCurve, stepsAt, stepsToTarget, type CurvePoint } from '../demo/metrics.js'
import { renderPlot } from '../demo/plot.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'
import { Progress } from '../progress.js'

export interface DemoSummary {
  agents: number
  tasks: number
  target: number
  collective: { stepsToTarget: number | null; finalIcr: number }
  single: { stepsToTarget: number | null; finalIcr: number }
  speedup: number | null
  plot: string
  env: string
  stepsPerTask: number
  out: string
  wallSeconds: number
  /** Masks the collective's learners sent (to each other and to the evaluator). */
  masksExchanged: number
  /** Of those, masks a learner verified and adopted. */
  masksAdopted: number
  interrupted: boolean
  curves: { collective: CurvePoint[]; single: CurvePoint[] }
}

interface DemoOptions {
  agents: string
  env: string
  out: string
  stepsPerTask?: string
  tasks?: string
  drop: string
  maxMinutes: string
  seed: string
}

async function safe<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn()
  } catch {
    return null
  }
}

/**
 * The one-command demo (README): N learner daemons on rotated curricula with an evaluator,
 * and a lone learner with its own evaluator as the baseline, all as child processes on
 * 127.0.0.1. Shows live progress, then a table and an SVG plot of ICR over per-agent env
 * steps, and the time-to-target ratio.
 */
export async function runDemo(o: DemoOptions, io: Io): Promise<DemoSummary> {
  const envs = await import('@l2d2c/agent/envs')
  const agents = intArg(o.agents, '--agents', 1, 16)
  const env = choiceArg(o.env, '--env', ['ctgraph', 'minigrid'] as const)
  const family = env === 'ctgraph' ? [...envs.META_CTGRAPH_TASKS] : [...envs.MINIGRID_CROSSING_TASKS]
  const k = o.tasks === undefined ? family.length : intArg(o.tasks, '--tasks', 1, family.length)
  const tasks = family.slice(0, k)
  const stepsPerTask =
    o.stepsPerTask !== undefined
      ? intArg(o.stepsPerTask, '--steps-per-task', 1, 100_000_000)
      : env === 'ctgraph'
        ? 12_800
        : 102_400
  const drop = Number(o.drop)
  if (!(drop >= 0 && drop <= 1)) throw new CliError(`--drop must be in [0, 1], got "${o.drop}"`, ExitCode.USAGE)
  const maxMs = intArg(o.maxMinutes, '--max-minutes', 1, 10_000) * 60_000
  const seed = intArg(o.seed, '--seed', 0, 1_000_000)
  const out = resolve(o.out)
  await mkdir(out, { recursive: true })
  await clearPreviousRun(out, io)
  const target = icrTarget(tasks.map(t => envs.taskSpec(t).optimalReturn))
  const rotated = envs.rotatedCurriculum(tasks, agents, stepsPerTask)
  const evalArgs = [
    '--role',
    'evaluator',
    '--tasks',
    tasks.join(','),
    '--eval-interval-ms',
    '1500',
    '--query-window-ms',
    '300',
    '--announce-interval-ms',
    '1000'
  ]
  const learnerArgs = (i: number): string[] => [
    '--tasks',
    (rotated.agents[i]?.tasks ?? tasks).join(','),
    '--steps-per-task',
    String(stepsPerTask),
    '--seed',
    String(seed + i + 1),
    '--announce-interval-ms',
    '1000',
    '--query-window-ms',
    '300',
    ...(drop > 0 ? ['--drop', String(drop)] : [])
  ]
  const started = performance.now()
  const progress = new Progress(io, 5000)
  io.stderr.write(
    `l2d2c demo: ${agents} learners + evaluator vs. a lone learner, ${k} ${env} tasks x ${stepsPerTask.toLocaleString('en-US')} steps, target ICR ${target}; output in ${out}\n`
  )

  const all: ChildDaemon[] = []
  let interrupted = false
  const onAbort = (): void => {
    interrupted = true
  }
  io.signal?.addEventListener('abort', onAbort, { once: true })
  const collective: ChildDaemon[] = []
  let evaluator: ChildDaemon | null = null
  let single: ChildDaemon | null = null
  let singleEvaluator: ChildDaemon | null = null
  const histories = { collective: [] as EvaluationDocument['history'], single: [] as EvaluationDocument['history'] }
  // Per-agent env steps over time, polled from the learners themselves (announcements can be
  // lost under --drop; the control API cannot). Evaluator rows are placed on this clock.
  const polled = {
    collective: [] as Array<{ t: number; steps: number }>,
    single: [] as Array<{ t: number; steps: number }>
  }
  const curveOf = (rows: EvaluationDocument['history'], samples: Array<{ t: number; steps: number }>): CurvePoint[] =>
    normaliseCurve(rows.map(r => ({ icr: r.icr, meanLearnerSteps: stepsAt(samples, Date.parse(r.time)) })))
  let masksExchanged = 0
  let masksAdopted = 0
  try {
    // The first learner and the lone learner start together; everyone else bootstraps to one of them.
    const launching: Array<Promise<ChildDaemon>> = []
    const track = (p: Promise<ChildDaemon>): Promise<ChildDaemon> => {
      launching.push(p)
      return p.then(d => {
        all.push(d)
        return d
      })
    }
    const [first, lone] = await Promise.all([
      track(launchDaemon('learner-1', join(out, 'learner-1'), learnerArgs(0))),
      track(
        launchDaemon('single', join(out, 'single'), [
          '--tasks',
          tasks.join(','),
          '--steps-per-task',
          String(stepsPerTask),
          '--seed',
          String(seed + 1),
          '--no-sharing',
          '--announce-interval-ms',
          '1000'
        ])
      )
    ])
    single = lone
    collective.push(first)
    const boot = first.discovery.addrs[0] as string
    const [rest, sev] = await Promise.all([
      Promise.all(
        Array.from(
          { length: agents - 1 },
          async (_, j) =>
            await track(
              launchDaemon(`learner-${j + 2}`, join(out, `learner-${j + 2}`), [
                ...learnerArgs(j + 1),
                '--bootstrap',
                boot
              ])
            )
        )
      ),
      track(
        launchDaemon('single-evaluator', join(out, 'single-evaluator'), [
          ...evalArgs,
          '--bootstrap',
          lone.discovery.addrs[0] as string
        ])
      )
    ]).catch(async err => {
      await Promise.allSettled(launching)
      throw err
    })
    // The evaluator is given every learner: what it measures must not depend on gossip, which
    // --drop thins out (its own messages are exempt from loss, as the reference's were).
    const ev = await track(
      launchDaemon('evaluator', join(out, 'evaluator'), [
        ...evalArgs,
        ...[first, ...rest].flatMap(d => ['--bootstrap', d.discovery.addrs[0] as string])
      ])
    )
    collective.push(...rest)
    evaluator = ev
    singleEvaluator = sev

    let collectiveStopped = false
    let doneSince: number | null = null
    while (!interrupted) {
      await new Promise(resolve => setTimeout(resolve, 1000))
      const [ce, se] = await Promise.all([
        safe(async () => await evaluator!.client.get<EvaluationDocument>(CONTROL_ROUTES.evaluation)),
        safe(async () => await singleEvaluator!.client.get<EvaluationDocument>(CONTROL_ROUTES.evaluation))
      ])
      if (ce !== null) histories.collective = ce.history
      if (se !== null) histories.single = se.history
      const statuses = await Promise.all(
        collective.map(async d =>
          d.process.exitCode !== null
            ? null
            : await safe(async () => await d.client.get<StatusDocument>(CONTROL_ROUTES.status))
        )
      )
      const singleStatus =
        single.process.exitCode !== null
          ? null
          : await safe(async () => await single!.client.get<StatusDocument>(CONTROL_ROUTES.status))
      const now = Date.now()
      const live = statuses.filter((x): x is StatusDocument => x !== null)
      if (live.length === collective.length)
        polled.collective.push({ t: now, steps: live.reduce((a, x) => a + x.totalSteps, 0) / live.length })
      if (singleStatus !== null) polled.single.push({ t: now, steps: singleStatus.totalSteps })
      // Masks that crossed the wire: learner to learner (adopted) and learner to evaluator.
      const served = statuses.reduce((s, x) => s + (x?.masksServed ?? 0), 0)
      const adopted = statuses.reduce((s, x) => s + (x?.masksAdopted ?? 0), 0)
      masksExchanged = Math.max(masksExchanged, served)
      masksAdopted = Math.max(masksAdopted, adopted)
      const cIcr = histories.collective.at(-1)?.icr ?? 0
      const sIcr = histories.single.at(-1)?.icr ?? 0
      const tasksLine = statuses
        .map((s, i) =>
          s === null
            ? `L${i + 1}:-`
            : `L${i + 1}:${s.task === null ? 'done' : `${s.curriculum.index + 1}/${s.curriculum.tasks}`}`
        )
        .join(' ')
      const secs = Math.round((performance.now() - started) / 1000)
      progress.update(
        `[${secs}s] collective ICR ${cIcr.toFixed(2)}/${k} (${tasksLine}; ${masksExchanged} masks sent, ${masksAdopted} adopted by learners)  single ICR ${sIcr.toFixed(2)}/${k} (${singleStatus?.task === null || singleStatus === null ? 'done' : `${singleStatus.curriculum.index + 1}/${k}`})`
      )

      const collectiveReached = stepsToTarget(curveOf(histories.collective, polled.collective), target) !== null
      const singleReached = stepsToTarget(curveOf(histories.single, polled.single), target) !== null
      // Once the collective has reached the target, its learners are stopped to give the
      // lone baseline the CPU (the comparison is in per-agent env steps, not wall time).
      if (collectiveReached && !singleReached && !collectiveStopped) {
        collectiveStopped = true
        progress.update(
          `collective reached ICR ${target} at ${Math.round(stepsToTarget(curveOf(histories.collective, polled.collective), target) ?? 0).toLocaleString('en-US')} steps per agent; stopping its learners`,
          true
        )
        await stopDaemons([...collective, evaluator])
      }
      const done = (st: StatusDocument | null, d: ChildDaemon): boolean =>
        d.process.exitCode !== null || st?.curriculum.done === true
      const learnersDone = collective.every((d, i) => done(statuses[i] ?? null, d)) && done(singleStatus, single)
      if ((collectiveReached && singleReached) || learnersDone) {
        doneSince ??= performance.now()
        // One more evaluation after the last learner finished, so the final ICR is measured.
        if (collectiveReached && singleReached) break
        if (performance.now() - doneSince > 5000) break
      }
      if (performance.now() - started > maxMs) {
        progress.update(`stopping after --max-minutes ${o.maxMinutes}`, true)
        break
      }
    }
  } finally {
    io.signal?.removeEventListener('abort', onAbort)
    progress.done()
    await stopDaemons(all)
  }

  const curves = {
    collective: curveOf(histories.collective, polled.collective),
    single: curveOf(histories.single, polled.single)
  }
  const c = stepsToTarget(curves.collective, target)
  const s = stepsToTarget(curves.single, target)
  const plotPath = join(out, 'icr.svg')
  const { writeFileAtomic } = await import('@l2d2c/agent')
  await writeFileAtomic(
    plotPath,
    renderPlot({
      title: `L2D2-C: ${agents} agents vs one, ${k} ${env} tasks (${stepsPerTask.toLocaleString('en-US')} steps/task)`,
      series: [
        { name: `collective (${agents} agents)`, color: '#d62728', points: curves.collective },
        { name: 'single agent', color: '#1f77b4', points: curves.single }
      ],
      yMax: k,
      target,
      markers: [
        { steps: c, color: '#d62728' },
        { steps: s, color: '#1f77b4' }
      ]
    })
  )
  const summary: DemoSummary = {
    agents,
    tasks: k,
    target,
    collective: {
      stepsToTarget: c === null ? null : Math.round(c),
      finalIcr: round3(histories.collective.at(-1)?.icr ?? 0)
    },
    single: { stepsToTarget: s === null ? null : Math.round(s), finalIcr: round3(histories.single.at(-1)?.icr ?? 0) },
    speedup: c !== null && s !== null && c > 0 ? round3(s / c) : null,
    plot: plotPath,
    env,
    stepsPerTask,
    out,
    wallSeconds: Math.round((performance.now() - started) / 1000),
    masksExchanged,
    masksAdopted,
    interrupted,
    curves
  }
  await writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
  return summary
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000

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
