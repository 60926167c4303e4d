import { assertPeerIdText } from '@l2d2c/protocol'
import { matchesAny, parseTaskGlob, type TaskGlob } from './task-glob.js'

/**
 * What a site shares and takes, decided by its operator (not by the L2D2-C rules, which the
 * SharingStrategy keeps): which tasks it serves masks for, which tasks it accepts masks for,
 * from which peers, and whether a verified, locally evaluated candidate is adopted at once or
 * held for the operator's review. Pure: no I/O.
 */

/** How a verified candidate that does at least as well as the current mask is taken. */
export const ADOPT_MODES = ['auto', 'review'] as const
export type AdoptMode = (typeof ADOPT_MODES)[number]

export interface SitePolicyInit {
  /** Task-key patterns (task-glob.ts) this node answers queries and fetches for; others are refused. */
  readonly serve: readonly string[]
  /** Task-key patterns this node asks peers for; no round runs for another task. */
  readonly accept: readonly string[]
  /** Peer ids this node takes masks from; empty: any peer. */
  readonly acceptFrom: readonly string[]
  /** 'auto': adopt after local evaluation (the L2D2-C behaviour); 'review': hold for the operator. */
  readonly adopt: AdoptMode
}

/** Serve and accept everything, from anyone, and adopt after local evaluation: the L2D2-C behaviour. */
export const DEFAULT_SITE_POLICY: SitePolicyInit = {
  serve: ['**'],
  accept: ['**'],
  acceptFrom: [],
  adopt: 'auto'
}

export class SitePolicy {
  private readonly serveGlobs: readonly TaskGlob[]
  private readonly acceptGlobs: readonly TaskGlob[]
  private readonly from: ReadonlySet<string>

  /** Throws TaskGlobError for a bad pattern, ProtocolError for a malformed peer id. */
  constructor(readonly init: SitePolicyInit = DEFAULT_SITE_POLICY) {
    this.serveGlobs = init.serve.map(parseTaskGlob)
    this.acceptGlobs = init.accept.map(parseTaskGlob)
    for (const id of init.acceptFrom) {
      if (id === '') throw new RangeError('an empty peer id in acceptFrom')
      assertPeerIdText(id, 'acceptFrom peer id')
    }
    this.from = new Set(init.acceptFrom)
  }

  get adopt(): AdoptMode {
    return this.init.adopt
  }

  /** Whether this node answers queries and fetches for the task. */
  serves(taskKey: string): boolean {
    return matchesAny(this.serveGlobs, taskKey)
  }

  /** Whether this node asks peers for masks of the task. */
  accepts(taskKey: string): boolean {
    return matchesAny(this.acceptGlobs, taskKey)
  }

  /** Whether this node asks this peer, and takes its masks. */
  acceptsFrom(peerId: string): boolean {
    return this.from.size === 0 || this.from.has(peerId)
  }

  /** The policy as configured (status documents). */
  describe(): { serve: string[]; accept: string[]; acceptFrom: string[]; adopt: AdoptMode } {
    return {
      serve: [...this.init.serve],
      accept: [...this.init.accept],
      acceptFrom: [...this.init.acceptFrom],
      adopt: this.init.adopt
    }
  }
}
