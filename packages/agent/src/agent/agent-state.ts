import { readFile, rename } from 'node:fs/promises'
import { errorCode } from '../errors.js'
import { writeJsonAtomic } from '../util/atomic-file.js'
import type { KnowledgeEntry } from '../masks/knowledge-base.js'
import type { CurriculumPosition } from './curriculum-driver.js'

/**
 * An agent's durable state besides its masks and key (state.json): where it is in its
 * curriculum and its knowledge base. Written atomically; validated field by field when read,
 * so a damaged file is reported (and moved aside) instead of silently resetting progress or
 * crashing.
 */
export interface AgentState {
  readonly version: 1
  /** Fingerprint of the curriculum the position refers to (a changed curriculum restarts it). */
  readonly curriculumId: string
  readonly position: CurriculumPosition
  readonly totalSteps: number
  /** Env steps spent in evaluations (not training steps); absent in states saved before it was counted. */
  readonly evalSteps?: number
  readonly knowledge: readonly KnowledgeEntry[]
  readonly savedAt: number
}

/** Fingerprint of a curriculum (its tasks and budget): a saved position only applies to the same one. */
export function curriculumId(tasks: readonly string[], stepsPerTask: number): string {
  let h = 0x811c9dc5
  for (const ch of `${stepsPerTask}|${tasks.join(',')}`) {
    h ^= ch.charCodeAt(0)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

export class AgentStateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AgentStateError'
  }
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isNat = (v: unknown): v is number => isNum(v) && Number.isInteger(v) && v >= 0

function validateAdoption(a: unknown, where: string): void {
  if (typeof a !== 'object' || a === null) throw new AgentStateError(`${where} is not an object`)
  const o = a as Record<string, unknown>
  if (!isNum(o.at)) throw new AgentStateError(`${where}.at is not a number`)
  for (const field of ['from', 'origin', 'cid'] as const)
    if (typeof o[field] !== 'string') throw new AgentStateError(`${where}.${field} is not a string`)
  if (!isNum(o.claimedReward) || !isNum(o.verifiedReward)) throw new AgentStateError(`${where} rewards are not numbers`)
  if (o.previousReward !== null && !isNum(o.previousReward))
    throw new AgentStateError(`${where}.previousReward is not a number`)
}

function validateEntry(e: unknown, i: number): KnowledgeEntry {
  const where = `knowledge[${i}]`
  if (typeof e !== 'object' || e === null) throw new AgentStateError(`${where} is not an object`)
  const o = e as Record<string, unknown>
  if (typeof o.taskKey !== 'string' || o.taskKey === '') throw new AgentStateError(`${where}.taskKey is missing`)
  if (o.reward !== null && !isNum(o.reward)) throw new AgentStateError(`${where}.reward is not a number`)
  if (!isNat(o.stepsTrained)) throw new AgentStateError(`${where}.stepsTrained is not a natural number`)
  if (o.source !== 'trained' && o.source !== 'received') throw new AgentStateError(`${where}.source is invalid`)
  if (typeof o.origin !== 'string') throw new AgentStateError(`${where}.origin is not a string`)
  if (o.cid !== null && typeof o.cid !== 'string') throw new AgentStateError(`${where}.cid is invalid`)
  if (!Array.isArray(o.adoptions)) throw new AgentStateError(`${where}.adoptions is not an array`)
  o.adoptions.forEach((a, j) => {
    validateAdoption(a, `${where}.adoptions[${j}]`)
  })
  if (o.mastery !== undefined && o.mastery !== null) {
    const m = o.mastery as Record<string, unknown>
    if (typeof m !== 'object' || (m.by !== 'learned' && m.by !== 'adopted') || !isNat(m.steps))
      throw new AgentStateError(`${where}.mastery is invalid`)
  }
  if (!isNum(o.updatedAt)) throw new AgentStateError(`${where}.updatedAt is not a number`)
  return o as unknown as KnowledgeEntry
}

export function validateAgentState(doc: unknown): AgentState {
  if (typeof doc !== 'object' || doc === null) throw new AgentStateError('state is not an object')
  const o = doc as Record<string, unknown>
  if (o.version !== 1) throw new AgentStateError(`unsupported state version ${JSON.stringify(o.version)}`)
  if (typeof o.curriculumId !== 'string') throw new AgentStateError('curriculumId is missing')
  const p = o.position as Record<string, unknown> | undefined
  if (typeof p !== 'object' || p === null || !isNat(p.taskIndex) || !isNat(p.stepsOnTask))
    throw new AgentStateError('position is invalid')
  if (!isNat(o.totalSteps)) throw new AgentStateError('totalSteps is invalid')
  if (o.evalSteps !== undefined && !isNat(o.evalSteps)) throw new AgentStateError('evalSteps is invalid')
  if (!Array.isArray(o.knowledge)) throw new AgentStateError('knowledge is not an array')
  return {
    version: 1,
    curriculumId: o.curriculumId,
    position: { taskIndex: p.taskIndex, stepsOnTask: p.stepsOnTask },
    totalSteps: o.totalSteps,
    ...(o.evalSteps !== undefined ? { evalSteps: o.evalSteps } : {}),
    knowledge: o.knowledge.map(validateEntry),
    savedAt: isNum(o.savedAt) ? o.savedAt : 0
  }
}

export class AgentStateFile {
  constructor(readonly path: string) {}

  /** Reads the state; null when there is none yet. A damaged file is moved to `<path>.corrupt-<time>`. */
  async load(now: number): Promise<{ state: AgentState | null; problem: string | null }> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return { state: null, problem: null }
      throw err
    }
    try {
      return { state: validateAgentState(JSON.parse(text)), problem: null }
    } catch (err) {
      const aside = `${this.path}.corrupt-${now}`
      await rename(this.path, aside)
      return { state: null, problem: `${(err as Error).message}; moved to ${aside}` }
    }
  }

  async save(state: AgentState): Promise<void> {
    await writeJsonAtomic(this.path, state)
  }
}
