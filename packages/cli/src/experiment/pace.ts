/**
 * The step limit of a run's paced learners (pure; docs/reference-fidelity.md §9 D32): the
 * slowest learner still training, plus the slack. Learners that finished their curriculum or
 * exited no longer hold the others back; once none trains, the limit is lifted.
 */

import type { Condition } from './spec.js'

/** Whether a condition's learners are paced: a lone learner has nobody to keep in step with. */
export const isPaced = (c: Pick<Condition, 'paceSteps' | 'learners'>): boolean => c.paceSteps > 0 && c.learners > 1

/** The limit that lifts pacing (the control API's largest). */
export const PACE_LIFTED = Number.MAX_SAFE_INTEGER

export interface PacedLearner {
  /** Its training steps as last read (a learner that did not answer keeps its latest reading). */
  steps: number
  /** Still in its curriculum (not done, not exited). */
  training: boolean
}

export function paceLimit(learners: readonly PacedLearner[], slackSteps: number): number {
  const training = learners.filter(l => l.training)
  if (training.length === 0) return PACE_LIFTED
  return Math.min(...training.map(l => l.steps)) + slackSteps
}
