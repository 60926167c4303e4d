/**
 * The results document (docs/results.md) and its figures, from analysed experiments (pure: the
 * command writes the files). Every number comes from the runs' result files; a figure that a
 * seed never reached is counted, not hidden ("k/n seeds").
 */
import { isPaced } from './pace.js'
import { colorAt, lineChart, barChart, type ChartSeries, type ReferenceLine } from './charts.js'
import type { ConditionSummary, ExperimentAnalysis, Summary } from './aggregate.js'
import { OWN_ICR_FRACTION } from './aggregate.js'
import { TA_FRACTIONS } from './metrics.js'
import type { RunResult } from './results.js'
import { analyseTransfer, isTransferSpec, type TransferAnalysis } from './transfer.js'

/** One experiment's section and its figures (file name → SVG), the names relative to the document's figure folder. */
export interface ReportSection {
  markdown: string
  figures: Record<string, string>
}

const num = (v: number, digits: number): string =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits)

/** "mean [low, high]", "mean (1 seed)", or "n/a"; "k/n seeds" when only some seeds have the figure. */
export function cell(s: Summary, digits = 2): string {
  if (s.mean === null) return s.runs > 0 ? `not reached (0/${s.runs})` : 'n/a (not run)'
  const band = s.low !== null && s.high !== null ? ` [${num(s.low, digits)}, ${num(s.high, digits)}]` : ''
  const part = s.n < s.runs ? ` (${s.n}/${s.runs} seeds)` : s.n === 1 ? ' (1 seed)' : ''
  return `${num(s.mean, digits)}${band}${part}`
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${r.join(' | ')} |`)
  ].join('\n')
}

function settingsTable(a: ExperimentAnalysis): string {
  return table(
    [
      'condition',
      'learners',
      'sharing',
      'curriculum',
      'budget',
      'steps/task',
      'encoding',
      'loss',
      'mask init',
      'pacing',
      'seeds run',
      'wall (all seeds)'
    ],
    a.conditions.map(c => {
      const k = c.condition
      return [
        k.name,
        String(k.learners),
        k.learners === 1 && (k.teachers ?? 0) === 0 ? '(lone)' : k.sharing ? 'on' : 'off',
        k.curriculum,
        k.budget,
        k.stepsPerTask.toLocaleString('en-US'),
        k.encoding,
        k.drop === 0 ? '0' : `${Math.round(k.drop * 100)} % (${k.dropMode})`,
        k.maskInit,
        // (Runs recorded before pacing existed have no paceSteps: they ran unpaced.)
        isPaced({ learners: k.learners, paceSteps: k.paceSteps ?? 0 })
          ? `≤ ${k.paceSteps.toLocaleString('en-US')} steps ahead`
          : 'off',
        `${c.seeds.join(', ')}${c.timeLimited > 0 ? ` (${c.timeLimited} hit the time limit)` : ''}`,
        `${Math.round(c.wallSeconds)} s`
      ]
    })
  )
}

function collectiveTable(a: ExperimentAnalysis): string {
  const hasBaseline = a.spec.baseline !== null
  return table(
    [
      'condition',
      'final ICR',
      `steps/agent to ICR ${a.target}`,
      'steps/agent at end',
      `TPOT at ${a.horizon.toLocaleString('en-US')}`,
      ...(hasBaseline
        ? ['TLA (end)', 'ILA (peak)', ...TA_FRACTIONS.map(f => `TA ${Math.round(f * 100)} %`), '0.5·N']
        : [])
    ],
    a.conditions.map(c => [
      c.condition.name,
      cell(c.finalIcr),
      cell(c.stepsToTarget, 0),
      cell(c.stepsPerAgent, 0),
      cell(c.tpot, 1),
      ...(hasBaseline
        ? c.condition.name === a.spec.baseline
          ? ['(baseline)', '', '', '', '', '', '']
          : [cell(c.tla), cell(c.ilaPeak), ...c.ta.map(t => cell(t)), String(0.5 * c.condition.learners)]
        : [])
    ])
  )
}

function agentsTable(a: ExperimentAnalysis): string {
  const level = Math.round(OWN_ICR_FRACTION * a.optimal * 100) / 100
  return table(
    [
      'condition',
      'final own ICR (mean agent)',
      `steps/agent until every agent's own ICR ≥ ${level}`,
      'speed-up vs its isolated twin',
      '0.8·N',
      'adoptions/agent',
      'bytes sent/agent',
      'bytes received/agent'
    ],
    a.conditions.map(c => [
      c.condition.name,
      cell(c.finalOwnIcr),
      cell(c.stepsEveryAgentOwn90, 0),
      c.condition.compareTo === null ? '' : `${cell(c.ownSpeedup)} vs ${c.condition.compareTo}`,
      // Tenths, computed in integers: 0.8 × 12 is 9.600000000000001 in floating point.
      c.condition.compareTo === null ? '' : String((8 * c.condition.learners) / 10),
      cell(c.adoptionsPerAgent, 1),
      cell(c.bytesSentPerAgent, 0),
      cell(c.bytesReceivedPerAgent, 0)
    ])
  )
}

function perSeedTable(a: ExperimentAnalysis): string {
  const fmt = (v: number | null, d = 0): string => (v === null ? '—' : num(v, d))
  return table(
    [
      'condition',
      'seed',
      'final ICR',
      'steps to target',
      'TA 90 %',
      'final own ICR',
      'every agent own 90 %',
      'bytes sent/agent',
      'wall s'
    ],
    a.runs.map(r => [
      r.condition,
      String(r.seed),
      r.finalIcr.toFixed(2),
      fmt(r.stepsToTarget),
      fmt(r.ta[2] ?? null, 2),
      r.finalOwnIcr.toFixed(2),
      fmt(r.stepsEveryAgentOwn90),
      fmt(r.bytesSentPerAgent),
      `${Math.round(r.wallSeconds)}${r.timeLimited ? ' (limit)' : ''}`
    ])
  )
}

function icrFigure(a: ExperimentAnalysis): string {
  const series: ChartSeries[] = a.conditions.map((c, i) => ({
    name: `${c.condition.name} (${c.seeds.length} seed${c.seeds.length === 1 ? '' : 's'})`,
    color: colorAt(i),
    points: c.icrCurve,
    step: true,
    dashed: c.condition.learners > 1 && !c.condition.sharing
  }))
  return lineChart({
    title: `${a.spec.name}: collective ICR (mean, 95 % band)`,
    xLabel: 'env steps per agent',
    yLabel: 'ICR',
    series,
    references: [{ y: a.target, label: `target ${a.target}`, color: '#666' }],
    yMax: Math.max(1, a.optimal),
    legendAt: 'bottom'
  })
}

function taFigure(a: ExperimentAnalysis): string | null {
  const withTa = a.conditions.filter(c => c.taCurve.length > 0)
  if (withTa.length === 0) return null
  const ns = [...new Set(withTa.map(c => c.condition.learners))].sort((x, y) => x - y)
  const references: ReferenceLine[] = ns.map((n, i) => ({
    y: 0.5 * n,
    label: `0.5·N, N = ${n}`,
    color: colorAt(i + 5)
  }))
  return lineChart({
    title: `${a.spec.name}: time advantage over the lone agent (mean, 95 % band)`,
    xLabel: '% of target',
    yLabel: 'TA',
    series: withTa.map(c => ({
      name: c.condition.name,
      color: colorAt(a.conditions.indexOf(c)),
      points: c.taCurve
    })),
    references
  })
}

/** Final ICR, mean final own ICR and TA at 90 % against the loss probability (loss experiments). */
function lossFigure(a: ExperimentAnalysis): string | null {
  const lossy = a.conditions.filter(c => c.condition.learners > 1 && c.condition.dropMode === 'all')
  if (new Set(lossy.map(c => c.condition.drop)).size < 2) return null
  const sorted = [...lossy].sort((x, y) => x.condition.drop - y.condition.drop)
  const pt = (c: ConditionSummary, s: Summary) =>
    s.mean === null ? null : { x: c.condition.drop * 100, y: s.mean, low: s.low, high: s.high }
  const line = (name: string, i: number, pick: (c: ConditionSummary) => Summary): ChartSeries => ({
    name,
    color: colorAt(i),
    points: sorted.map(c => pt(c, pick(c))).filter((p): p is NonNullable<typeof p> => p !== null)
  })
  return lineChart({
    title: `${a.spec.name}: against the loss probability (all message types)`,
    xLabel: 'loss probability (%)',
    yLabel: 'ICR / own ICR / TA',
    series: [
      line('final ICR', 0, c => c.finalIcr),
      line('final own ICR (mean agent)', 1, c => c.finalOwnIcr),
      line('TA at 90 % of target', 2, c => c.ta[2] as Summary)
    ]
  })
}

/** A summary as a bar in thousands (kB, k steps), or null when no seed has a value. */
function inThousands(s: Summary): { x: number; y: number; low: number | null; high: number | null } | null {
  if (s.mean === null) return null
  return {
    x: 0,
    y: s.mean / 1000,
    low: s.low === null ? null : s.low / 1000,
    high: s.high === null ? null : s.high / 1000
  }
}

/** Bytes each agent sent, per condition (the encodings experiment's figure; drawn for every experiment). */
function bytesFigure(a: ExperimentAnalysis): string | null {
  const shared = a.conditions.filter(c => c.condition.learners > 1)
  if (shared.length === 0) return null

  return barChart({
    title: `${a.spec.name}: kilobytes per agent (mean, 95 % band)`,
    yLabel: 'kB per agent',
    categories: shared.map(c => c.condition.name),
    series: [
      { name: 'sent', color: colorAt(0), values: shared.map(c => inThousands(c.bytesSentPerAgent)) },
      { name: 'received', color: colorAt(3), values: shared.map(c => inThousands(c.bytesReceivedPerAgent)) }
    ]
  })
}

/** Steps to mastery per task of the learners' curriculum, per condition (transfer experiments). */
function transferTable(t: TransferAnalysis): string {
  const short = (key: string): string => key.split('/').slice(-2).join('/')
  return table(
    [
      'condition',
      'mask init',
      'basis imported',
      'teachers',
      ...t.tasks.map(short),
      'all tasks',
      'speed-up (paired)',
      'tasks adopted/learner',
      'basis masks imported/task'
    ],
    t.conditions.map(c => [
      c.condition.name,
      c.condition.maskInit,
      (c.condition.importBasis ?? 0) > 0 ? `up to ${c.condition.importBasis}` : 'no',
      String(c.condition.teachers ?? 0),
      ...c.perTask.map(s => cell(s, 0)),
      cell(c.total, 0),
      c.condition.compareTo === null ? '' : `${cell(c.speedup)} vs ${c.condition.compareTo}`,
      cell(c.adoptedTasks, 1),
      (c.condition.importBasis ?? 0) > 0 ? cell(c.basisPerTask, 1) : ''
    ])
  )
}

function transferFigure(name: string, t: TransferAnalysis): string {
  return barChart({
    title: `${name}: training steps to mastery per task, thousands (mean, 95 % band)`,
    yLabel: 'k steps to mastery',
    categories: t.tasks.map(k => k.split('/').slice(-2).join('/')),
    series: t.conditions.map((c, i) => ({
      name: c.condition.name,
      color: colorAt(i),
      values: c.perTask.map(inThousands)
    }))
  })
}

/** One experiment's section of the results document; figures are linked as `<figureDir>/<name>`. */
export function experimentSection(
  a: ExperimentAnalysis,
  figureDir: string,
  command: string,
  results: readonly RunResult[] = []
): ReportSection {
  const name = a.spec.name
  const transfer = isTransferSpec(a.spec) ? analyseTransfer(a.spec, results) : null
  const figures: Record<string, string> = {}
  if (transfer !== null) figures[`${name}-transfer.svg`] = transferFigure(name, transfer)
  figures[`${name}-icr.svg`] = icrFigure(a)
  const ta = taFigure(a)
  if (ta !== null) figures[`${name}-ta.svg`] = ta
  const loss = lossFigure(a)
  if (loss !== null) figures[`${name}-loss.svg`] = loss
  const bytes = bytesFigure(a)
  if (bytes !== null) figures[`${name}-bytes.svg`] = bytes
  const lines = [
    `## ${name}`,
    '',
    a.spec.description,
    '',
    `Reproduce: \`${command}\`. ${a.tasks.length} tasks (${a.tasks.length <= 4 ? a.tasks.join(', ') : `${a.tasks[0]} … ${a.tasks.at(-1)}`}); best achievable ICR ${num(a.optimal, 2)}, target ${a.target} (15/16 of it); evaluator cycle ${a.spec.evalIntervalMs} ms; TPOT grid every ${a.spec.gridSteps.toLocaleString('en-US')} steps per agent${a.spec.baseline !== null ? `; TA, TLA and ILA against \`${a.spec.baseline}\` with the same seed` : ''}.`,
    '',
    settingsTable(a),
    '',
    ...(transfer === null
      ? []
      : [
          `**Transfer** (training env steps each learner needed to master each task of its curriculum, from its own knowledge record; mean [95 % Student-t band] over seeds; "all tasks": their sum; speed-up: the compared condition's sum over this one's, seed by seed${a.spec.teacherTasks === null ? '' : `; teachers learned ${a.spec.teacherTasks.join(', ')} first`}):`,
          '',
          transferTable(transfer),
          ''
        ]),
    "**Collective** (the evaluator's ICR over mean env steps per learner; mean [95 % Student-t band] over seeds):",
    '',
    collectiveTable(a),
    '',
    "**Agents** (each learner's own ICR from its own sweeps; bytes: every l2d2c protocol and announcement, to peers and the evaluator):",
    '',
    agentsTable(a),
    '',
    ...Object.keys(figures).map(f => `![${f}](${figureDir}/${f})`),
    '',
    '<details><summary>Per seed</summary>',
    '',
    perSeedTable(a),
    '',
    '</details>',
    ''
  ]
  return { markdown: lines.join('\n'), figures }
}
