import { Pcg64 } from '../../rng/pcg64.js'
import { generateCrossingLayout } from './crossing.js'
import { generateDoorKeyLayout } from './doorkey.js'
import type { Layout } from './layout.js'
import type { MiniGridSpec } from './spec.js'

/**
 * Layouts by (task name, seed). L2D2-C re-seeds every reset with the task's seed, so every
 * episode of a task replays one layout: generate it once (BigInt RNG) and share it. Bounded,
 * oldest-first eviction, so callers that sweep many seeds cannot grow it without limit.
 */
const MAX_CACHED_LAYOUTS = 1024
const cache = new Map<string, Layout>()

/** Generates a task's layout for a seed exactly as gym 0.24 `reset(seed=s)` + gym-minigrid 1.1.0 would. */
export function generateLayout (spec: MiniGridSpec, seed: number | bigint): Layout {
  const rng = Pcg64.fromSeed(seed)
  return spec.kind === 'crossing' ? generateCrossingLayout(spec, rng) : generateDoorKeyLayout(spec, rng)
}

/** The cached layout of (spec, seed), generating it on first use. */
export function layoutFor (spec: MiniGridSpec, seed: number | bigint): Layout {
  const key = `${spec.name}/${seed}`
  let layout = cache.get(key)
  if (layout === undefined) {
    layout = generateLayout(spec, seed)
    if (cache.size >= MAX_CACHED_LAYOUTS) {
      const oldest = cache.keys().next()
      if (oldest.done !== true) cache.delete(oldest.value)
    }
    cache.set(key, layout)
  }
  return layout
}
