import { MAX_UINT32 } from '../rng/errors.js'
import { checkCtGraphShape, CtGraphConfigError } from './ct-graph.js'
import { MiniGridNameError, parseMiniGridName } from './minigrid/spec.js'

/**
 * Canonical task keys (docs/protocol.md §2.1). The key alone defines the task on every node,
 * so parsing is strict and canonical: one task has exactly one key (no leading zeros, no
 * aliases), and two nodes mean the same task iff their keys are equal.
 *
 *   ctgraph/d{D}b{B}/img{imageSeed}/leaf{path}   path = the D goal branches as digits 0..B-1
 *   minigrid/{EnvName}/seed{layoutSeed}          EnvName = SimpleCrossingS{S}N{N} | LavaCrossingS{S}N{N} | DoorKey-{n}x{n}
 */

export interface CtGraphTaskDescriptor {
  readonly family: 'ctgraph'
  readonly key: string
  readonly depth: number
  readonly branching: number
  readonly imageSeed: number
  /** Goal branch at each of the D decisions. */
  readonly goalPath: readonly number[]
}

export interface MiniGridTaskDescriptor {
  readonly family: 'minigrid'
  readonly key: string
  readonly envName: string
  readonly layoutSeed: number
}

export type TaskDescriptor = CtGraphTaskDescriptor | MiniGridTaskDescriptor

/** A task key that does not parse, with the reason in the message. */
export class TaskKeyError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string
  ) {
    super(`invalid task key ${JSON.stringify(key)}: ${reason}`)
    this.name = 'TaskKeyError'
  }
}

/** Bounds that keep CT-graph datasets small (B^D leaves) and digits single characters. */
export const CTGRAPH_MAX_DEPTH = 8
export const CTGRAPH_MAX_BRANCHING = 9
/** numpy accepts any non-negative integer seed; we keep seeds within 32 bits for both families. */
export const MAX_SEED = MAX_UINT32

const CANONICAL_UINT = /^(0|[1-9][0-9]*)$/

function parseUint(text: string, key: string, what: string, max: number): number {
  if (!CANONICAL_UINT.test(text))
    throw new TaskKeyError(key, `${what} must be a non-negative integer without leading zeros, got "${text}"`)
  const n = Number(text)
  if (n > max) throw new TaskKeyError(key, `${what} ${n} exceeds ${max}`)
  return n
}

export function parseTaskKey(key: string): TaskDescriptor {
  if (typeof key !== 'string' || key.length === 0) throw new TaskKeyError(String(key), 'empty')
  const parts = key.split('/')
  const family = parts[0]
  if (family === 'ctgraph') return parseCtGraphKey(key, parts)
  if (family === 'minigrid') return parseMiniGridKey(key, parts)
  throw new TaskKeyError(key, `unknown family "${family ?? ''}" (expected ctgraph or minigrid)`)
}

function parseCtGraphKey(key: string, parts: string[]): CtGraphTaskDescriptor {
  if (parts.length !== 4) throw new TaskKeyError(key, 'expected ctgraph/d{D}b{B}/img{imageSeed}/leaf{path}')
  const shape = /^d([0-9]+)b([0-9]+)$/.exec(parts[1] ?? '')
  if (shape === null) throw new TaskKeyError(key, `graph shape "${parts[1] ?? ''}" must look like d2b2`)
  const depth = parseUint(shape[1] ?? '', key, 'depth', CTGRAPH_MAX_DEPTH)
  const branching = parseUint(shape[2] ?? '', key, 'branching', CTGRAPH_MAX_BRANCHING)
  if (depth < 1) throw new TaskKeyError(key, 'depth must be at least 1')
  if (branching < 2) throw new TaskKeyError(key, 'branching must be at least 2')
  try {
    // The key alone defines the task, so a key that parses must be one the env can build.
    checkCtGraphShape(depth, branching)
  } catch (err) {
    if (err instanceof CtGraphConfigError) throw new TaskKeyError(key, err.message)
    throw err
  }
  const img = /^img(.+)$/.exec(parts[2] ?? '')
  if (img === null) throw new TaskKeyError(key, `image part "${parts[2] ?? ''}" must look like img1`)
  const imageSeed = parseUint(img[1] ?? '', key, 'image seed', MAX_SEED)
  const leaf = /^leaf([0-9]+)$/.exec(parts[3] ?? '')
  if (leaf === null) throw new TaskKeyError(key, `leaf part "${parts[3] ?? ''}" must look like leaf01`)
  const digits = leaf[1] ?? ''
  if (digits.length !== depth)
    throw new TaskKeyError(key, `leaf path needs exactly ${depth} digits (one per decision), got "${digits}"`)
  const goalPath = [...digits].map(Number)
  if (goalPath.some(d => d >= branching))
    throw new TaskKeyError(key, `leaf digits must be below the branching factor ${branching}`)
  return { family: 'ctgraph', key, depth, branching, imageSeed, goalPath }
}

function parseMiniGridKey(key: string, parts: string[]): MiniGridTaskDescriptor {
  if (parts.length !== 3) throw new TaskKeyError(key, 'expected minigrid/{EnvName}/seed{layoutSeed}')
  const envName = parts[1] ?? ''
  try {
    // Bare names only (no gym `MiniGrid-...-v0` form), so the key stays canonical.
    const canonical = parseMiniGridName(envName).name
    if (canonical !== envName)
      throw new TaskKeyError(key, `non-canonical MiniGrid name "${envName}": use the bare name ${canonical}`)
  } catch (err) {
    // MiniGridNameError messages already say which names exist.
    if (err instanceof MiniGridNameError) throw new TaskKeyError(key, `unknown MiniGrid environment: ${err.message}`)
    throw err
  }
  const seed = /^seed(.+)$/.exec(parts[2] ?? '')
  if (seed === null) throw new TaskKeyError(key, `seed part "${parts[2] ?? ''}" must look like seed9157`)
  return { family: 'minigrid', key, envName, layoutSeed: parseUint(seed[1] ?? '', key, 'layout seed', MAX_SEED) }
}

export function ctGraphTaskKey(
  depth: number,
  branching: number,
  imageSeed: number,
  goalPath: readonly number[]
): string {
  return `ctgraph/d${depth}b${branching}/img${imageSeed}/leaf${goalPath.join('')}`
}

export function miniGridTaskKey(envName: string, layoutSeed: number): string {
  return `minigrid/${envName}/seed${layoutSeed}`
}

/**
 * The 16-task meta CT-graph of L2D2-C (`meta_ctgraph.json`): image seeds 1..4 x the 4 leaves
 * of D2B2 in lexicographic order, i.e. task t = image seed floor(t/4)+1, leaf t mod 4.
 */
export const META_CTGRAPH_TASKS: readonly string[] = Array.from({ length: 16 }, (_, t) =>
  ctGraphTaskKey(2, 2, Math.floor(t / 4) + 1, [Math.floor((t % 4) / 2), t % 2])
)

/** The MiniGrid curriculum of the paper: SimpleCrossing S9N1..N3 with the default layout seed 9157. */
export const MINIGRID_CROSSING_TASKS: readonly string[] = [1, 2, 3].map(n =>
  miniGridTaskKey(`SimpleCrossingS9N${n}`, 9157)
)
