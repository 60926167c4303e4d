import type { CurvePoint } from './metrics.js'
import type { DemoPlan } from './plan.js'

export interface PlotSeries {
  name: string
  color: string
  points: readonly CurvePoint[]
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  const norm = raw / mag
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag
}

/**
 * A self-contained SVG line chart of ICR against per-agent env steps, one step-shaped line per
 * series, a dashed target line and markers where each series first reaches it.
 */
export function renderPlot(opts: {
  title: string
  series: readonly PlotSeries[]
  yMax: number
  target: number
  markers: ReadonlyArray<{ steps: number | null; color: string }>
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
    `<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">ICR (sum over tasks of the best return)</text>`
  )
  parts.push(
    `<line x1="${L}" y1="${y(opts.target)}" x2="${W - R}" y2="${y(opts.target)}" stroke="#999" stroke-dasharray="6 4"/>`
  )
  parts.push(
    `<text x="${W - R - 4}" y="${y(opts.target) - 6}" text-anchor="end" fill="#666">target ${opts.target}</text>`
  )
  for (const s of opts.series) {
    if (s.points.length === 0) continue
    let d = `M ${x(0)} ${y(0)}`
    for (const p of s.points) d += ` H ${x(p.steps).toFixed(1)} V ${y(p.icr).toFixed(1)}`
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"/>`)
  }
  for (const m of opts.markers) {
    if (m.steps === null) continue
    parts.push(`<circle cx="${x(m.steps)}" cy="${y(opts.target)}" r="5" fill="${m.color}"/>`)
    parts.push(
      `<line x1="${x(m.steps)}" y1="${y(opts.target)}" x2="${x(m.steps)}" y2="${H - B}" stroke="${m.color}" stroke-dasharray="2 3"/>`
    )
  }
  // Legend in the lower right, where ICR curves (which rise from the origin) rarely are.
  const lx = W - R - 190
  opts.series.forEach((s, i) => {
    const ly = H - B - 14 - (opts.series.length - 1 - i) * 18
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${s.color}" stroke-width="3"/><text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

const COLLECTIVE_COLOR = '#d62728'
const SINGLE_COLOR = '#1f77b4'

/**
 * The demo's figure: both sides' ICR curves, the target, and a marker where each side reached
 * it (stepsToTarget, null: never).
 */
export function demoPlot(
  plan: DemoPlan,
  curves: { collective: readonly CurvePoint[]; single: readonly CurvePoint[] },
  stepsToTarget: { collective: number | null; single: number | null }
): string {
  return renderPlot({
    title: `L2D2-C: ${plan.agents} agents vs one, ${plan.tasks.length} ${plan.env} tasks (${plan.stepsPerTask.toLocaleString('en-US')} steps/task)`,
    series: [
      { name: `collective (${plan.agents} agents)`, color: COLLECTIVE_COLOR, points: curves.collective },
      { name: 'single agent', color: SINGLE_COLOR, points: curves.single }
    ],
    yMax: plan.tasks.length,
    target: plan.target,
    markers: [
      { steps: stepsToTarget.collective, color: COLLECTIVE_COLOR },
      { steps: stepsToTarget.single, color: SINGLE_COLOR }
    ]
  })
}
