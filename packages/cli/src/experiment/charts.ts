/**
 * Self-contained SVG charts for the experiment report (pure): lines with a shaded 95 % band,
 * dashed reference lines, and bar groups. No fonts or scripts are referenced, so the files
 * render the same on GitHub and in a browser.
 */

export interface ChartPoint {
  x: number
  y: number
  low?: number | null
  high?: number | null
}

export interface ChartSeries {
  name: string
  color: string
  points: readonly ChartPoint[]
  dashed?: boolean
  /** Draw as a step function (ICR holds its value until the next measurement). */
  step?: boolean
}

export interface ReferenceLine {
  y: number
  label: string
  color: string
}

/** A colour per series, in order (matplotlib's tab10, readable on white). */
export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
] as const

export const colorAt = (i: number): string => PALETTE[i % PALETTE.length] as string

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks
  if (!(raw > 0)) return 1
  const mag = 10 ** Math.floor(Math.log10(raw))
  const norm = raw / mag
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag
}

const tick = (v: number): string =>
  Math.abs(v) >= 1000 ? `${Math.round(v / 100) / 10}k`.replace('.0k', 'k') : `${Math.round(v * 100) / 100}`

const W = 760
const H = 440
const L = 70
const R = 20
const T = 50
const B = 60

function frame(
  title: string,
  xLabel: string,
  yLabel: string,
  xMax: number,
  yMax: number,
  xMin = 0
): {
  parts: string[]
  x: (v: number) => number
  y: (v: number) => number
} {
  const x = (v: number): number => L + ((v - xMin) / (xMax - xMin || 1)) * (W - L - R)
  const y = (v: number): number => H - B - (v / (yMax || 1)) * (H - T - B)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    // the title element names the chart for screen readers (and Biome's a11y lint)
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`
  ]
  const xs = niceStep(xMax - xMin, 6)
  for (let v = Math.ceil(xMin / xs) * xs; v <= xMax + 1e-9; v += xs) {
    parts.push(`<line x1="${x(v).toFixed(1)}" y1="${T}" x2="${x(v).toFixed(1)}" y2="${H - B}" stroke="#eee"/>`)
    parts.push(`<text x="${x(v).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${tick(v)}</text>`)
  }
  const ys = niceStep(yMax, 8)
  for (let v = 0; v <= yMax + 1e-9; v += ys) {
    parts.push(`<line x1="${L}" y1="${y(v).toFixed(1)}" x2="${W - R}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`)
    parts.push(`<text x="${L - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${tick(v)}</text>`)
  }
  parts.push(
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">${esc(yLabel)}</text>`
  )
  return { parts, x, y }
}

/** The legend in the upper or lower right corner, on white so that a curve passing under it does not hide it. */
function legend(
  parts: string[],
  series: ReadonlyArray<{ name: string; color: string; dashed?: boolean }>,
  at: 'top' | 'bottom' = 'top'
): void {
  const lx = W - R - 260
  const top = at === 'top' ? T + 8 : H - B - 12 - series.length * 18
  parts.push(
    `<rect x="${lx - 8}" y="${top}" width="258" height="${series.length * 18 + 8}" fill="white" fill-opacity="0.85"/>`
  )
  series.forEach((s, i) => {
    const ly = top + 14 + i * 18
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${s.color}" stroke-width="3"${s.dashed === true ? ' stroke-dasharray="7 4"' : ''}/><text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`
    )
  })
}

/** Lines (optionally stepped) with a shaded band where points carry low/high, and horizontal reference lines. */
export function lineChart(o: {
  title: string
  xLabel: string
  yLabel: string
  series: readonly ChartSeries[]
  references?: readonly ReferenceLine[]
  yMax?: number
  xMin?: number
  /** Where the legend goes: 'bottom' for curves that rise from the origin (ICR), which leave the lower right empty. */
  legendAt?: 'top' | 'bottom'
}): string {
  const pts = o.series.flatMap(s => s.points)
  const xMin = o.xMin ?? 0
  const xMax = Math.max(xMin + 1, ...pts.map(p => p.x))
  // Scaled to the means and reference lines, not the bands: a band over 2 seeds can be ten
  // times wider than the mean and would flatten every line (bands are clipped at the frame).
  const yMax = o.yMax ?? niceCeil(Math.max(1, ...pts.map(p => p.y), ...(o.references ?? []).map(r => r.y)) * 1.15)
  const { parts, x, y } = frame(o.title, o.xLabel, o.yLabel, xMax, yMax, xMin)
  const cy = (v: number): number => y(Math.min(yMax, Math.max(0, v)))
  for (const s of o.series) {
    const banded = s.points.filter(
      p => p.low !== null && p.low !== undefined && p.high !== null && p.high !== undefined
    )
    if (banded.length >= 2) {
      const upper = banded.map(p => `${x(p.x).toFixed(1)},${cy(p.high as number).toFixed(1)}`)
      const lower = [...banded].reverse().map(p => `${x(p.x).toFixed(1)},${cy(p.low as number).toFixed(1)}`)
      parts.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`
      )
    }
  }
  for (const r of o.references ?? []) {
    parts.push(
      `<line x1="${L}" y1="${cy(r.y).toFixed(1)}" x2="${W - R}" y2="${cy(r.y).toFixed(1)}" stroke="${r.color}" stroke-dasharray="6 4"/>`,
      `<text x="${L + 6}" y="${(cy(r.y) - 5).toFixed(1)}" fill="${r.color}">${esc(r.label)}</text>`
    )
  }
  for (const s of o.series) {
    if (s.points.length === 0) continue
    const [first, ...rest] = s.points as [ChartPoint, ...ChartPoint[]]
    let d = `M ${x(first.x).toFixed(1)} ${cy(first.y).toFixed(1)}`
    for (const p of rest)
      d +=
        s.step === true
          ? ` H ${x(p.x).toFixed(1)} V ${cy(p.y).toFixed(1)}`
          : ` L ${x(p.x).toFixed(1)} ${cy(p.y).toFixed(1)}`
    if (s.points.length === 1)
      parts.push(`<circle cx="${x(first.x).toFixed(1)}" cy="${cy(first.y).toFixed(1)}" r="4" fill="${s.color}"/>`)
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed === true ? ' stroke-dasharray="7 4"' : ''}/>`
    )
  }
  legend(parts, o.series, o.legendAt)
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

/** Grouped bars: one group per category, one bar per series, with the band as an error bar. */
export function barChart(o: {
  title: string
  yLabel: string
  categories: readonly string[]
  series: ReadonlyArray<{ name: string; color: string; values: ReadonlyArray<ChartPoint | null> }>
}): string {
  const all = o.series.flatMap(s => s.values.filter((v): v is ChartPoint => v !== null))
  const yMax = niceCeil(Math.max(1, ...all.map(p => Math.max(p.y, p.high ?? 0))) * 1.1)
  const { parts, y } = frame(o.title, '', o.yLabel, 1, yMax)
  // The frame drew x ticks for 0..1; categories replace them.
  const kept = parts.filter(p => !/text-anchor="middle">[0-9.]+<\/text>$/.test(p) || p.includes('font-weight'))
  const groupW = (W - L - R) / Math.max(1, o.categories.length)
  const barW = Math.min(40, (groupW * 0.8) / Math.max(1, o.series.length))
  o.categories.forEach((cat, ci) => {
    const gx = L + ci * groupW + groupW / 2
    kept.push(`<text x="${gx.toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${esc(cat)}</text>`)
    o.series.forEach((s, si) => {
      const v = s.values[ci]
      if (v === null || v === undefined) return
      const bx = gx - (o.series.length * barW) / 2 + si * barW
      kept.push(
        `<rect x="${bx.toFixed(1)}" y="${y(v.y).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(H - B - y(v.y)).toFixed(1)}" fill="${s.color}"/>`
      )
      if (v.low !== null && v.low !== undefined && v.high !== null && v.high !== undefined) {
        const cx = bx + (barW - 2) / 2
        kept.push(
          `<line x1="${cx.toFixed(1)}" y1="${y(Math.max(0, v.low)).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${y(v.high).toFixed(1)}" stroke="#000"/>`
        )
      }
    })
  })
  legend(kept, o.series)
  kept.push('</svg>')
  return `${kept.join('\n')}\n`
}

/** A round upper bound for an axis: 1, 2, 2.5, 5 or 10 times a power of ten. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1
  const mag = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= v - 1e-12) return m * mag
  return 10 * mag
}
