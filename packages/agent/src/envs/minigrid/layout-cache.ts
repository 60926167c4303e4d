import { Pcg64 } from '../../rng/pcg64.js'
import { BoundedMemo } from '../../util/memo.js'
import { generateCrossingLayout } from './crossing.js'
import { generateDoorKeyLayout } from './doorkey.js'
import type { Layout } from './layout.js'
import type { MiniGridSpec } from './spec.js'

/**
 * Layouts by (task name, seed). L2D2-C re-seeds every reset with the task's seed, so every
 * episode of a task replays one layout: generate it once (BigInt RNG) and share it. Bounded,
 * so callers that sweep many seeds cannot grow it without limit.
 */
const layouts = new BoundedMemo<Layout>(1024)

/** Generates a task's layout for a seed exactly as gym 0.24 `reset(seed=s)` + gym-minigrid 1.1.0 would. */
export function generateLayout(spec: MiniGridSpec, seed: number | bigint): Layout {
  const rng = Pcg64.fromSeed(seed)
  return spec.kind === 'crossing' ? generateCrossingLayout(spec, rng) : generateDoorKeyLayout(spec, rng)
}

/** The cached layout of (spec, seed), generating it on first use. */
export function layoutFor(spec: MiniGridSpec, seed: number | bigint): Layout {
  return layouts.get(`${spec.name}/${seed}`, () => generateLayout(spec, seed))
}
