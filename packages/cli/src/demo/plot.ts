import type { CurvePoint } from './metrics.js'
import type { DemoPlan } from './plan.js'

export interface PlotSeries {
  name: string
  color: string
  points: readonly CurvePoint[]
  /** Drawn dashed (the demo: own ICR of the mean agent, beside the solid collective ICR). */
  dashed?: boolean
}

/** A horizontal target line. */
export interface PlotTarget {
  value: number
  label: string
}

/** A dot where a series reaches a target (steps null: it never did, nothing is drawn). */
export interface PlotMarker {
  steps: number | null
  value: number
  color: string
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  const norm = raw / mag
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag
}

/**
 * A self-contained SVG line chart against per-agent env steps, one step-shaped line per series,
 * dashed target lines and markers where each series first reaches its target.
 */
export function renderPlot(opts: {
  title: string
  yLabel: string
  series: readonly PlotSeries[]
  yMax: number
  targets: readonly PlotTarget[]
  markers: readonly PlotMarker[]
}): string {
  const W = 760
  const H = 440
  const L = 70
  const R = 20
  const T = 50
  const B = 60
  const maxX = Math.max(1, ...opts.series.flatMap(s => s.points.map(p => p.steps)))
  const x = (v: number): number => L + (v / maxX) * (W - L - R)
  const y = (v: number): number => H - B - (v / opts.yMax) * (H - T - B)
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`
  )
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  parts.push(
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`
  )
  const xs = niceStep(maxX, 6)
  for (let v = 0; v <= maxX + 1e-9; v += xs) {
    parts.push(`<line x1="${x(v)}" y1="${T}" x2="${x(v)}" y2="${H - B}" stroke="#eee"/>`)
    parts.push(
      `<text x="${x(v)}" y="${H - B + 18}" text-anchor="middle">${v >= 1000 ? `${Math.round(v / 1000)}k` : Math.round(v)}</text>`
    )
  }
  const ys = niceStep(opts.yMax, 8)
  for (let v = 0; v <= opts.yMax + 1e-9; v += ys) {
    parts.push(`<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/>`)
    parts.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 10) / 10}</text>`)
  }
  parts.push(
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`
  )
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">env steps per agent</text>`)
  parts.push(
    `<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">${esc(opts.yLabel)}</text>`
  )
  opts.targets.forEach((t, i) => {
    parts.push(
      `<line x1="${L}" y1="${y(t.value)}" x2="${W - R}" y2="${y(t.value)}" stroke="#999" stroke-dasharray="6 4"/>`
    )
    // Two targets close together: the second label goes below its line.
    const dy = i === 0 ? -6 : 14
    parts.push(`<text x="${W - R - 4}" y="${y(t.value) + dy}" text-anchor="end" fill="#666">${esc(t.label)}</text>`)
  })
  const dash = (s: PlotSeries): string => (s.dashed === true ? ' stroke-dasharray="7 4"' : '')
  for (const s of opts.series) {
    if (s.points.length === 0) continue
    let d = `M ${x(0)} ${y(0)}`
    for (const p of s.points) d += ` H ${x(p.steps).toFixed(1)} V ${y(p.icr).toFixed(1)}`
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"${dash(s)}/>`)
  }
  for (const m of opts.markers) {
    if (m.steps === null) continue
    parts.push(`<circle cx="${x(m.steps)}" cy="${y(m.value)}" r="5" fill="${m.color}"/>`)
    parts.push(
      `<line x1="${x(m.steps)}" y1="${y(m.value)}" x2="${x(m.steps)}" y2="${H - B}" stroke="${m.color}" stroke-dasharray="2 3"/>`
    )
  }
  // Legend in the lower right, where curves that rise from the origin rarely are; on white, so
  // a curve that does pass there does not hide it.
  const lx = W - R - 250
  const top = H - B - 14 - (opts.series.length - 1) * 18 - 12
  parts.push(
    `<rect x="${lx - 8}" y="${top}" width="248" height="${opts.series.length * 18 + 6}" fill="white" fill-opacity="0.85"/>`
  )
  opts.series.forEach((s, i) => {
    const ly = H - B - 14 - (opts.series.length - 1 - i) * 18
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${s.color}" stroke-width="3"${dash(s)}/><text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

const SHARING_COLOR = '#d62728'
const ISOLATED_COLOR = '#ff7f0e'
const SINGLE_COLOR = '#1f77b4'

/** The demo's curves (summary.json's `curves`) and where each first reached its target. */
export interface DemoCurves<T> {
  collective: T
  single: T
  isolated: T
  agentsSharing: T
  agentsIsolated: T
}

/**
 * The demo's figure: the collective ICR of the three swarms (solid) and the own ICR of the
 * mean agent of each collective (dashed), the targets, and a marker where each curve reached
 * its target (stepsToTarget, null: never).
 */
export function demoPlot(
  plan: DemoPlan,
  curves: DemoCurves<readonly CurvePoint[]>,
  stepsToTarget: DemoCurves<number | null>
): string {
  const n = plan.agents
  const line = (key: keyof DemoCurves<unknown>, name: string, color: string, dashed: boolean) => ({
    key,
    name,
    color,
    dashed,
    points: curves[key],
    target: dashed ? plan.ownTarget : plan.target
  })
  const series = [
    line('collective', `sharing collective (${n}), ICR`, SHARING_COLOR, false),
    line('isolated', `isolated collective (${n}), ICR`, ISOLATED_COLOR, false),
    line('single', 'lone agent, ICR', SINGLE_COLOR, false),
    line('agentsSharing', 'sharing: mean agent, own ICR', SHARING_COLOR, true),
    line('agentsIsolated', 'isolated: mean agent, own ICR', ISOLATED_COLOR, true)
  ]
  const targets: PlotTarget[] =
    plan.ownTarget === plan.target
      ? [{ value: plan.target, label: `target ${plan.target}` }]
      : [
          { value: plan.target, label: `collective target ${plan.target}` },
          { value: plan.ownTarget, label: `own target ${plan.ownTarget}` }
        ]
  return renderPlot({
    title: `L2D2-C: sharing vs isolated (${n} agents each) vs one agent, ${plan.tasks.length} ${plan.env} tasks`,
    yLabel: 'ICR (collective) / own ICR (mean agent)',
    series,
    yMax: plan.tasks.length,
    targets,
    markers: series.map(s => ({ steps: stepsToTarget[s.key], value: s.target, color: s.color }))
  })
}
