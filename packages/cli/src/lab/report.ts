import { table } from '../output.js'
import type { LabResult } from './run.js'

/** The human rendering of a lab result: a node table, a check table, the failed checks in full. */

const MAX_VALUE_WIDTH = 100

function compact(value: unknown): string {
  const s = JSON.stringify(value) ?? '-'
  return s.length > MAX_VALUE_WIDTH ? `${s.slice(0, MAX_VALUE_WIDTH - 1)}…` : s
}

export function humanLabResult(
  r: LabResult,
  extra: { seconds: number; dir: string | null; interrupted: boolean }
): string {
  const failed = r.checks.filter(c => !c.passed)
  const lines = [
    `topology ${r.topology}: ${r.passed ? 'PASSED' : `FAILED (${failed.length} of ${r.checks.length} checks)`}${extra.interrupted ? ' (interrupted)' : ''} in ${Math.round(extra.seconds)} s`,
    '',
    table(
      [
        'node',
        'role',
        'segment',
        'address',
        'peers',
        'masks',
        'adopted',
        'served',
        'rss MB',
        'cpu %',
        'kills',
        'state'
      ],
      r.nodes.map(n => [
        `${n.name}${n.bootstrap ? '*' : ''}`,
        n.role,
        n.segment,
        n.address,
        n.peersConnected,
        n.masksHeld,
        n.masksAdopted,
        n.masksServed,
        n.rssPeakMB,
        n.cpuPercent,
        n.kills,
        n.failure === null ? n.state : `${n.state}: ${n.failure}`
      ])
    ),
    '(* bootstrap node)',
    '',
    table(
      ['check', 'result', 'value'],
      r.checks.map(c => [c.name, c.passed ? 'pass' : 'FAIL', compact(c.value)])
    )
  ]
  for (const c of failed) lines.push('', `${c.name}:`, JSON.stringify(c.value, null, 2))
  if (extra.dir !== null) lines.push('', `logs and data dirs kept in ${extra.dir}`)
  return lines.join('\n')
}
