import { CT_GRAPH_HIGH_VALUE, CT_GRAPH_IMAGE_SIDE } from './ct-graph-images.js'
import { CtGraphEnv } from './ct-graph.js'
import type { Env } from './env.js'
import { MiniGridEnv } from './minigrid/env.js'

/**
 * One drawable state of an environment, for people: the CT-graph's image (grey levels) or the
 * MiniGrid's text grid, and a one-line caption. `l2d2c env render` prints it as text; the
 * daemon's dashboard draws it in the page.
 */
export interface EnvFrame {
  /** The CT-graph image, row-major, `side`×`side` grey levels; null for other families. */
  readonly image: number[] | null
  readonly side: number | null
  /** The MiniGrid grid as text (agent included); null for other families. */
  readonly grid: string | null
  readonly caption: string
}

const DIRECTIONS = ['east', 'south', 'west', 'north']
// The centre pixel lies in the reward cue block an end state's image carries.
const CUE_PIXEL = (CT_GRAPH_IMAGE_SIDE / 2) * CT_GRAPH_IMAGE_SIDE + CT_GRAPH_IMAGE_SIDE / 2

/** The state `env` is in, whose observation is `obs` (what reset or the last step returned). */
export function describeFrame(env: Env, obs: Uint8Array): EnvFrame {
  if (env instanceof CtGraphEnv) {
    const d = env.describe()
    const where =
      d.stateType === 'home' || d.stateType === 'crash'
        ? d.stateType
        : `${d.stateType} (decisions taken: ${d.depthIndex}${d.path.length > 0 ? `, path ${d.path.join('')}` : ''})`
    const cue = d.stateType === 'end' ? (obs[CUE_PIXEL] === CT_GRAPH_HIGH_VALUE ? ', goal cue' : ', no-goal cue') : ''
    return {
      image: Array.from(obs.subarray(0, CT_GRAPH_IMAGE_SIDE * CT_GRAPH_IMAGE_SIDE)),
      side: CT_GRAPH_IMAGE_SIDE,
      grid: null,
      caption: `state ${where}, image ${d.imageIndex}${cue}`
    }
  }
  if (env instanceof MiniGridEnv) {
    const d = env.describe()
    return {
      image: null,
      side: null,
      grid: env.renderText(),
      caption: `agent at (${d.agentX},${d.agentY}) facing ${DIRECTIONS[d.direction] ?? '?'}, step ${d.stepCount}/${d.maxSteps}${d.carrying !== null ? `, carrying ${d.carrying}` : ''}`
    }
  }
  let sum = 0
  for (const v of obs) sum += v
  return { image: null, side: null, grid: null, caption: `observation sum ${sum}` }
}
