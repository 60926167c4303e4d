import type { MiniGridEnv } from '../../../../src/envs/minigrid/env.js'

export const sum = (obs: Uint8Array): number => obs.reduce((s, v) => s + v, 0)

/** L/R/F (and P pickup, D drop, T toggle, N done) to action ids. */
export function actions(letters: string): number[] {
  const ids: Record<string, number> = { L: 0, R: 1, F: 2, P: 3, D: 4, T: 5, N: 6 }
  return [...letters]
    .filter(c => c !== ' ')
    .map(c => {
      const id = ids[c]
      if (id === undefined) throw new Error(`unknown action letter ${c}`)
      return id
    })
}

/** The observation as the doc prints it: rows j = 0..6, each cell i = 0..6 as `tcs` digits. */
export function viewRows(obs: Uint8Array): string[] {
  const rows: string[] = []
  for (let j = 0; j < 7; j++) {
    const cells: string[] = []
    for (let i = 0; i < 7; i++) {
      const p = (i * 7 + j) * 3
      cells.push(`${obs[p]}${obs[p + 1]}${obs[p + 2]}`)
    }
    rows.push(cells.join(' '))
  }
  return rows
}

/** Interior rows in the notation of docs/environments.md §3.7 (agent at the start drawn as `A`). */
export function interiorRows(env: MiniGridEnv): string {
  const lines = env.renderText().split('\n')
  return lines
    .slice(1, -1)
    .map(l => l.slice(1, -1).replace(/[>v<^]/, 'A'))
    .join(' ')
}
