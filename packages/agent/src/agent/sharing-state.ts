import { readFile } from 'node:fs/promises'
import type { DataDirPaths } from '@l2d2c/protocol'
import { describeError } from '../errors.js'
import type { LearnerInfo } from '../learner/thread/learner-api.js'
import type { Logger } from '../logging/logger.js'
import { CandidateReview } from '../sharing/candidate-review.js'
import { ReputationBook } from '../sharing/policy/reputation.js'
import { DEFAULT_SITE_POLICY, SitePolicy, type SitePolicyInit } from '../sharing/policy/site-policy.js'
import { writeJsonAtomic } from '../util/atomic-file.js'
import { PeriodicSave } from '../util/periodic-save.js'

/** How often the reputation book and the held candidates are saved when they changed. */
export const SHARING_STATE_SAVE_MS = 5_000

/** What an agent keeps about sharing besides its masks: its policy, what peers did, what it holds for review. */
export interface AgentSharingState {
  readonly policy: SitePolicy
  readonly reputation: ReputationBook
  /** The candidates held for the operator (review mode only). */
  readonly review: CandidateReview | null
  /** Saves reputation.json and candidates.json when they change, and at stop. */
  readonly saves: readonly PeriodicSave[]
}

/** A JSON file of the data dir, or undefined when it is missing or unreadable (reported). */
async function readJson(path: string, log: Logger): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return undefined // first start
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    log.warn({ file: path, err: describeError(err) }, 'ignoring a damaged file; starting without it')
    return undefined
  }
}

/**
 * The policy from the configuration, and the reputation book and held candidates as the last
 * run left them (entries that are not well formed, or candidates that no longer verify, are
 * dropped with a warning). Nothing is persisted without a data dir.
 */
export async function loadSharingState(p: {
  policy?: SitePolicyInit
  paths: DataDirPaths | null
  info: LearnerInfo
  logger: Logger
}): Promise<AgentSharingState> {
  const log = p.logger
  const policy = new SitePolicy(p.policy ?? DEFAULT_SITE_POLICY)
  const reputation = new ReputationBook()
  const review = policy.adopt === 'review' ? new CandidateReview() : null
  const saves: PeriodicSave[] = []
  if (p.paths === null) return { policy, reputation, review, saves }
  const { paths } = p
  const rep = reputation.load(await readJson(paths.reputation, log))
  if (rep.peers + rep.rejected > 0) log.info(rep, 'reputation restored')
  saves.push(
    new PeriodicSave({
      version: () => reputation.version,
      save: () => writeJsonAtomic(paths.reputation, reputation.toJSON()),
      failed: err => {
        log.warn({ err: describeError(err) }, 'could not save the reputation book')
      },
      intervalMs: SHARING_STATE_SAVE_MS
    })
  )
  if (review !== null) {
    const held = review.load(await readJson(paths.candidates, log), {
      backboneId: p.info.backboneId,
      layers: p.info.layers
    })
    if (held.dropped > 0) log.warn(held, 'held candidates that no longer verify were dropped')
    saves.push(
      new PeriodicSave({
        version: () => review.version,
        save: () => writeJsonAtomic(paths.candidates, review.toJSON()),
        failed: err => {
          log.warn({ err: describeError(err) }, 'could not save the held candidates')
        },
        intervalMs: SHARING_STATE_SAVE_MS
      })
    )
  }
  return { policy, reputation, review, saves }
}
