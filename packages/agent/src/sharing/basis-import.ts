import {
  parseContentId,
  parseContentIdString,
  type DecodedMask,
  type LayerSpec,
  type MaskEncoding,
  type MaskSummary
} from '@l2d2c/protocol'
import type { PeerId } from '@libp2p/interface'
import { describeError } from '../errors.js'
import type { Logger } from '../logging/logger.js'
import type { DeltaBaseProvider } from '../masks/initial-mask.js'
import { DEFAULT_CLIENT, type MaskExchangeClient } from '../network/mask-exchange/client.js'
import { DEFAULT_PEER_DIRECTORY, type PeerDirectory } from '../network/peer-directory.js'
import { fetchCandidate } from './candidate-fetch.js'
import {
  DEFAULT_BASIS_SELECTION,
  selectBasis,
  type AnnouncedMask,
  type BasisSelectionInit
} from './policy/basis-selection.js'
import type { ReputationBook } from './policy/reputation.js'
import type { SitePolicy } from './policy/site-policy.js'

/**
 * Imports peers' masks of OTHER tasks as the BLC basis of a task no peer holds (transfer:
 * docs/architecture.md §4, "Imported basis"). The choice is `selectBasis`'s (announced masks in
 * the peer directory, reputation and site policy applied); each mask is fetched by its content
 * id through the exchange's client (the holder's per-peer limits and transfer slots apply as to
 * any fetch) and verified like a round's candidate (CID, backbone, task, layer table, finite).
 * A fetch that contradicts its announcement costs the peer reputation as in a round; a failed
 * fetch tries the task's next holder. The masks are returned to the caller only: they are not
 * stored, announced, served or counted as this node's capability, and no task adopts them.
 */
export interface BasisImportComponents {
  readonly client: Pick<MaskExchangeClient, 'fetch' | 'inventory'>
  /**
   * The peers connected now: their inventories are asked for too, so a node that has just
   * joined (before the first announcements reached it) still sees what its peers hold.
   */
  readonly connected?: () => PeerId[]
  readonly directory: Pick<PeerDirectory, 'list'>
  readonly reputation: ReputationBook
  readonly policy: Pick<SitePolicy, 'accepts' | 'acceptsFrom'>
  readonly backboneId: string
  readonly now: () => number
  readonly logger: Logger
  readonly deltaBase?: DeltaBaseProvider
}

/** Masks read from one peer's inventory at most (the directory keeps as many per peer). */
const MAX_MASKS_PER_INVENTORY = DEFAULT_PEER_DIRECTORY.maxMasksPerPeer

export interface BasisImportInit extends BasisSelectionInit {
  /** Connected peers whose inventory is asked for, at most. */
  readonly maxInventories: number
  readonly inventoryTimeoutMs: number
  /** Encoding requested ('delta': DELTA or BITS, as a round's fetches). */
  readonly encoding: MaskEncoding
  readonly fetchTimeoutMs: number
}

export const DEFAULT_BASIS_IMPORT: Omit<BasisImportInit, 'k'> = {
  ...DEFAULT_BASIS_SELECTION,
  maxInventories: 16,
  inventoryTimeoutMs: DEFAULT_CLIENT.inventoryTimeoutMs,
  encoding: 'delta',
  fetchTimeoutMs: DEFAULT_CLIENT.fetchTimeoutMs
}

export interface ImportedBasis {
  readonly masks: DecodedMask[]
  /** One line per imported mask: its task, holder and content id (for the log and tests). */
  readonly from: ReadonlyArray<{ taskKey: string; peerId: string; cid: string }>
}

export class BasisImport {
  constructor(
    private readonly c: BasisImportComponents,
    readonly init: BasisImportInit
  ) {}

  /**
   * What peers hold: every announced mask in the directory, and the inventories of connected
   * peers (at most maxInventories, asked at once), on this backbone; the inventory wins for a peer
   * that answered (it is the newer).
   */
  private async announced(signal?: AbortSignal): Promise<AnnouncedMask[]> {
    const summary = (peerId: string, m: MaskSummary): AnnouncedMask => ({
      peerId,
      taskKey: m.taskKey,
      cid: parseContentId(m.cid).toString(),
      claimedReward: m.reward,
      encodedSize: m.encodedSize
    })
    const byPeer = new Map<string, AnnouncedMask[]>()
    // An evaluator's masks are copies of learners' (it learns nothing itself).
    for (const r of this.c.directory.list())
      if (r.backboneId === this.c.backboneId && r.role !== 'evaluator')
        byPeer.set(
          r.peerId,
          r.masks.map(m => summary(r.peerId, m))
        )
    const peers = (this.c.connected?.() ?? []).slice(0, this.init.maxInventories)
    await Promise.all(
      peers.map(async peer => {
        const id = peer.toString()
        try {
          const inv = await this.c.client.inventory(peer, {
            timeoutMs: this.init.inventoryTimeoutMs,
            ...(signal !== undefined ? { signal } : {})
          })
          if (inv.role === 'learner' && inv.backboneId === this.c.backboneId)
            byPeer.set(
              id,
              inv.masks.slice(0, MAX_MASKS_PER_INVENTORY).map(m => summary(id, m))
            )
        } catch (err) {
          this.c.logger.debug({ peer: id, err: describeError(err) }, 'no inventory for the basis')
        }
      })
    )
    return [...byPeer.values()].flat()
  }

  /**
   * The verified basis for `targetTask` (empty if a peer announced a mask for it, or with k = 0).
   * `held`: the tasks this node has masks for; `layers`: its backbone's layer table.
   */
  async importFor(
    targetTask: string,
    held: ReadonlySet<string>,
    layers: readonly LayerSpec[],
    signal?: AbortSignal
  ): Promise<ImportedBasis> {
    const { reputation, policy, now } = this.c
    const announced = await this.announced(signal)
    const choices = selectBasis(
      announced,
      {
        targetTask,
        held,
        standing: p => reputation.standing(p, now()),
        isRejected: cid => reputation.isRejected(cid),
        accepts: (t, p) => policy.accepts(t) && policy.acceptsFrom(p)
      },
      this.init
    )
    const masks: DecodedMask[] = []
    const from: Array<{ taskKey: string; peerId: string; cid: string }> = []
    const never = new AbortController().signal
    for (const choice of choices) {
      for (const h of choice.holders) {
        if (signal?.aborted === true) return { masks, from }
        const cidBytes = parseContentIdString(h.cid).bytes
        const f = await fetchCandidate(
          this.c,
          {
            peerId: h.peerId,
            offer: {
              requestId: 0,
              status: 'has-mask',
              taskKey: h.taskKey,
              reward: h.claimedReward,
              stepsTrained: 0,
              cid: cidBytes,
              encodedSize: h.encodedSize,
              encodings: [],
              backboneId: this.c.backboneId,
              origin: ''
            }
          },
          {
            cid: h.cid,
            taskKey: h.taskKey,
            layers,
            encoding: this.init.encoding,
            timeoutMs: this.init.fetchTimeoutMs,
            cut: signal ?? never,
            ...(signal !== undefined ? { signal } : {})
          }
        )
        if (f.kind === 'verified') {
          masks.push(f.mask)
          from.push({ taskKey: h.taskKey, peerId: h.peerId, cid: h.cid })
          break
        }
        if (f.cause === 'lie') {
          reputation.record(h.peerId, 'verification-failed', now())
          if (f.contentVerified) reputation.reject(h.cid, `invalid mask: ${f.reason}`, now())
        } else if (f.cause === 'failure') reputation.record(h.peerId, 'fetch-failed', now())
        this.c.logger.debug({ task: h.taskKey, peer: h.peerId, reason: f.reason }, 'basis mask not imported')
        if (f.contentVerified) break
      }
    }
    return { masks, from }
  }
}
