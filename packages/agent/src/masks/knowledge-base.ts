/**
 * What a node knows about each task it met or received: the reward of its current mask as it
 * measured it, how long it trained it, and where the mask came from (provenance). Plain data
 * with small, explicit updates; persisted by AgentStateFile.
 */

export interface AdoptionRecord {
  readonly at: number
  /** Peer the mask was fetched from. */
  readonly from: string
  /** Peer that trained it (as claimed by the holder). */
  readonly origin: string
  /** BITS CID of the adopted mask. */
  readonly cid: string
  /** Reward the holder claimed. */
  readonly claimedReward: number
  /** Our own evaluation of the received mask. */
  readonly verifiedReward: number
  /** Our evaluation of the mask it replaced (null: none). */
  readonly previousReward: number | null
}

/**
 * How a task came to be mastered by this node: 'learned' (its own training reached the
 * threshold, confirmed by a second evaluation) or 'adopted' (a peer's mask, verified here at the
 * threshold); `steps` is the env steps this node had trained on the task by then.
 */
export interface TaskMastery {
  readonly by: 'learned' | 'adopted'
  readonly steps: number
}

export interface KnowledgeEntry {
  readonly taskKey: string
  /** Latest reward of the current mask, measured by this node (null: never evaluated). */
  readonly reward: number | null
  /** Env steps this node trained on the task. */
  readonly stepsTrained: number
  /** 'trained': grown here from the task's initial mask; 'received': started from a peer's mask. */
  readonly source: 'trained' | 'received'
  /** Peer id of the node that trained the mask this one started from ('' = this node). */
  readonly origin: string
  /** BITS CID of the mask last stored for this task. */
  readonly cid: string | null
  /** Last adoptions, newest last (bounded). */
  readonly adoptions: readonly AdoptionRecord[]
  /** When and how the task was mastered (absent or null: not yet; states saved before mastery was recorded have none). */
  readonly mastery?: TaskMastery | null
  readonly updatedAt: number
}

const MAX_ADOPTIONS_KEPT = 20

export class KnowledgeBase {
  private readonly entries = new Map<string, KnowledgeEntry>()

  constructor(entries: Iterable<KnowledgeEntry> = []) {
    for (const e of entries) this.entries.set(e.taskKey, e)
  }

  get(taskKey: string): KnowledgeEntry | null {
    return this.entries.get(taskKey) ?? null
  }

  list(): KnowledgeEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0))
  }

  private base(taskKey: string, now: number): KnowledgeEntry {
    return (
      this.entries.get(taskKey) ?? {
        taskKey,
        reward: null,
        stepsTrained: 0,
        source: 'trained',
        origin: '',
        cid: null,
        adoptions: [],
        updatedAt: now
      }
    )
  }

  /** Records local training progress and/or a fresh local evaluation. */
  recordTraining(
    taskKey: string,
    update: { steps?: number; reward?: number; cid?: string },
    now: number
  ): KnowledgeEntry {
    const e = this.base(taskKey, now)
    const next: KnowledgeEntry = {
      ...e,
      stepsTrained: e.stepsTrained + (update.steps ?? 0),
      reward: update.reward ?? e.reward,
      cid: update.cid ?? e.cid,
      updatedAt: now
    }
    this.entries.set(taskKey, next)
    return next
  }

  /** Records that a peer's mask, verified locally, replaced this node's mask for the task. */
  recordAdoption(
    taskKey: string,
    adoption: Omit<AdoptionRecord, 'at' | 'previousReward'>,
    now: number
  ): KnowledgeEntry {
    const e = this.base(taskKey, now)
    const full: AdoptionRecord = { ...adoption, at: now, previousReward: e.reward }
    const next: KnowledgeEntry = {
      ...e,
      reward: adoption.verifiedReward,
      source: 'received',
      origin: adoption.origin,
      cid: adoption.cid,
      adoptions: [...e.adoptions, full].slice(-MAX_ADOPTIONS_KEPT),
      updatedAt: now
    }
    this.entries.set(taskKey, next)
    return next
  }

  /** Records that the task was mastered (the first mastery stands). */
  recordMastery(taskKey: string, mastery: TaskMastery, now: number): KnowledgeEntry {
    const e = this.base(taskKey, now)
    if (e.mastery != null) return e
    const next: KnowledgeEntry = { ...e, mastery, updatedAt: now }
    this.entries.set(taskKey, next)
    return next
  }

  /** Replaces an entry as persisted (restart). */
  restore(entry: KnowledgeEntry): void {
    this.entries.set(entry.taskKey, entry)
  }
}
