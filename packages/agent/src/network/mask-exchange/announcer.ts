import {
  ANNOUNCE_TOPIC,
  decodeAnnouncement,
  encodeAnnouncement,
  MAX_ANNOUNCED_ADDRS,
  MAX_ANNOUNCED_MASKS,
  taskContentId,
  type InventoryAnnouncement,
  type NodeRole
} from '@l2d2c/protocol'
import { withDeadline } from '@l2d2c/protocol/framing'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../../logging/logger.js'
import type { PeerBanner } from '../peer-banner.js'
import type { PeerDirectory } from '../peer-directory.js'
import type { ServedMasks } from '../../masks/store/served-masks.js'
import type { SitePolicy } from '../../sharing/policy/site-policy.js'
import { withDefaults } from '../../util/defaults.js'
import { AnnouncementGate } from './announcement-gate.js'
import type { AnnouncerNode } from './components.js'
import type { LossInjector } from './loss.js'
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './peer-limits.js'
import type { Traffic } from './traffic.js'

export interface AnnouncerTimings {
  /** Re-announce this often even without change: gossip loses messages sent before a mesh graft. */
  readonly intervalMs: number
  /** Coalesce bursts of changes into one announcement. */
  readonly debounceMs: number
  /** Deadline of one DHT provide. */
  readonly provideTimeoutMs: number
}

export const DEFAULT_ANNOUNCER: AnnouncerTimings = {
  intervalMs: 10_000,
  debounceMs: 50,
  provideTimeoutMs: 30_000
}

export interface AnnouncerInit extends Partial<AnnouncerTimings> {
  readonly role: NodeRole
  /** Rate limits and decode budget of received announcements. */
  readonly limits?: PeerLimits
}

export interface AnnouncerComponents {
  node: AnnouncerNode
  masks: Pick<ServedMasks, 'backboneId' | 'list'>
  directory: PeerDirectory
  loss: Pick<LossInjector, 'shouldDrop'>
  traffic: Traffic
  logger: Logger
  totalSteps: () => number
  /** This node's own ICR as last measured (null: none, and the field is left out). */
  ownIcr?: () => number | null
  now: () => number
  /** Only the tasks the site serves are announced and provided. */
  policy: Pick<SitePolicy, 'serves'>
  /** Bans a flooding forwarder, and says who is banned (absent: nobody is ever banned). */
  bans?: Pick<PeerBanner, 'ban' | 'banned'>
}

/**
 * Publishes this node's inventory on the gossipsub topic (on change, debounced, and
 * periodically) and as DHT provider records keyed by task (so nodes that are not connected can
 * find holders); consumes other nodes' announcements into the peer directory after
 * validating them (malformed ones are rejected and not forwarded).
 */
export class Announcer {
  private sequence = 0
  private timer: ReturnType<typeof setInterval> | null = null
  private debounce: ReturnType<typeof setTimeout> | null = null
  private readonly provided = new Set<string>()
  private readonly providing = new Set<string>()
  private controller = new AbortController()
  private started = false
  /** The announcement as of the last change or tick (inventory answers reuse it). */
  private current: InventoryAnnouncement | null = null
  /** Announcements the topic validator decoded, for the message handler (same Message object). */
  private readonly validated = new WeakMap<Message, InventoryAnnouncement>()
  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    this.receive(evt.detail)
  }

  private readonly opts: AnnouncerTimings & { readonly role: NodeRole }
  /** The checks received announcements pass before they are decoded. */
  readonly gate: AnnouncementGate
  /** Received announcements rejected because they did not decode (or were unsigned). */
  rejected = 0

  constructor(
    private readonly c: AnnouncerComponents,
    init: AnnouncerInit
  ) {
    const { limits, ...timings } = init
    this.opts = { ...withDefaults(DEFAULT_ANNOUNCER, timings), role: init.role }
    this.gate = new AnnouncementGate(
      {
        lastSequence: p => c.directory.lastSequence(p),
        now: c.now,
        ...(c.bans !== undefined ? { banned: (p: string) => c.bans?.banned(p) ?? false } : {})
      },
      limits ?? DEFAULT_PEER_LIMITS
    )
  }

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    this.controller = new AbortController()
    const pubsub = this.c.node.pubsub
    pubsub.topicValidators.set(ANNOUNCE_TOPIC, (peer, msg) => this.validate(peer.toString(), msg))
    pubsub.addEventListener('message', this.onMessage)
    pubsub.subscribe(ANNOUNCE_TOPIC)
    this.timer = setInterval(() => {
      this.publish()
      this.provideAll()
    }, this.opts.intervalMs)
    this.timer.unref?.()
    this.changed()
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.controller.abort()
    if (this.timer !== null) clearInterval(this.timer)
    if (this.debounce !== null) clearTimeout(this.debounce)
    this.timer = null
    this.debounce = null
    const pubsub = this.c.node.pubsub
    pubsub.removeEventListener('message', this.onMessage)
    try {
      pubsub.unsubscribe(ANNOUNCE_TOPIC)
    } catch {
      /* already stopped */
    }
    pubsub.topicValidators.delete(ANNOUNCE_TOPIC)
  }

  /** The inventory changed: announce soon and provide any new task. */
  changed(): void {
    this.current = null
    if (!this.started) return
    if (this.debounce !== null) return
    this.debounce = setTimeout(() => {
      this.debounce = null
      this.publish()
      this.provideAll()
    }, this.opts.debounceMs)
    this.debounce.unref?.()
  }

  /**
   * The announcement this node publishes: rebuilt (with a new sequence number) after a change
   * and on every periodic tick, otherwise the last one.
   */
  announcement(): InventoryAnnouncement {
    this.current ??= this.build()
    return this.current
  }

  private build(): InventoryAnnouncement {
    // Wall-clock based so a restarted node's announcements are not ignored as stale.
    this.sequence = Math.max(this.sequence + 1, this.c.now())
    const masks = this.served()
      .sort((a, b) => b.reward - a.reward)
      .slice(0, MAX_ANNOUNCED_MASKS)
      .map(m => ({
        taskKey: m.taskKey,
        cid: m.cid,
        reward: m.reward,
        stepsTrained: m.stepsTrained,
        encodedSize: m.encodedSize,
        encodings: [...m.encodings],
        origin: m.origin
      }))
    const addrs = this.c.node
      .getMultiaddrs()
      .slice(0, MAX_ANNOUNCED_ADDRS)
      .map(a => a.bytes)
    const ownIcr = this.c.ownIcr?.() ?? null
    return {
      backboneId: this.c.masks.backboneId,
      masks,
      sequence: this.sequence,
      timestampMs: this.c.now(),
      role: this.opts.role,
      addrs,
      totalSteps: this.c.totalSteps(),
      ...(ownIcr !== null ? { ownIcr } : {})
    }
  }

  private publish(): void {
    if (!this.started) return
    this.current = null // publishing follows a change or a tick: the inventory or the step count moved
    if (this.c.loss.shouldDrop('announce')) return
    let data: Uint8Array
    try {
      data = encodeAnnouncement(this.announcement())
    } catch (err) {
      this.c.logger.warn({ err: (err as Error).message }, 'cannot encode announcement')
      return
    }
    this.c.traffic.sent('announce', data.length)
    this.c.node.pubsub.publish(ANNOUNCE_TOPIC, data).catch((err: Error) => {
      this.c.logger.debug({ err: err.message }, 'announcement not published')
    })
  }

  private receive(msg: Message): void {
    if (msg.topic !== ANNOUNCE_TOPIC || msg.type !== 'signed') return
    const from = msg.from.toString()
    if (from === this.c.node.peerId.toString()) return
    try {
      // Only what the validator accepted (and decoded): nothing reaches the directory past the gate.
      const a = this.validated.get(msg)
      if (a === undefined) return
      this.c.traffic.received('announce', msg.data.length)
      const multiaddrs = a.addrs.flatMap(b => {
        try {
          return [multiaddr(b)]
        } catch {
          return []
        }
      })
      // Stale, or turned away by a directory full of more valuable peers: nothing more to learn.
      if (!this.c.directory.announced(from, a, this.c.now())) return
      this.c.logger.debug({ peer: from, masks: a.masks.length, role: a.role }, 'announcement')
      // libp2p's peer store is where dials (rounds, redials) look for addresses. The directory
      // mirrors it through peer:update (the merged set, identify's addresses included): the
      // announced list is not written there a second time. Merged after `announced`, so the
      // record exists when the event arrives (and only for peers the directory keeps: it
      // removes them from the peer store again when it drops them).
      // (A failed merge only loses these addresses: identify and later announcements bring them again.)
      if (multiaddrs.length > 0) this.c.node.peerStore.merge(msg.from, { multiaddrs }).catch(() => {})
    } catch (err) {
      this.c.logger.debug({ peer: from, err: (err as Error).message }, 'ignored invalid announcement')
    }
  }

  /** The held masks of tasks the site serves (the rest is neither announced nor provided). */
  private served(): ReturnType<ServedMasks['list']> {
    return this.c.masks.list().filter(m => this.c.policy.serves(m.taskKey))
  }

  /**
   * Topic validator: the gate's cheap checks first (a banned forwarder or publisher, rate
   * limits, a stale sequence, the decode budget: ignored, no penalty for the forwarder; a
   * flood: rejected, and the forwarder banned), then the decode:
   * malformed announcements are rejected (not forwarded, and gossipsub's scoring penalises the
   * peer that sent them).
   */
  private validate(forwarder: string, msg: Message): TopicValidatorResult {
    if (msg.type !== 'signed') {
      this.rejected++
      return TopicValidatorResult.Reject
    }
    const refusal = this.gate.check(forwarder, msg.from.toString(), msg.data)
    if (refusal === 'peer-flood') {
      this.c.bans?.ban(forwarder, 'announcement-flood')
      return TopicValidatorResult.Reject
    }
    if (refusal !== null) return TopicValidatorResult.Ignore
    try {
      this.validated.set(msg, decodeAnnouncement(msg.data))
      return TopicValidatorResult.Accept
    } catch {
      this.rejected++
      return TopicValidatorResult.Reject
    }
  }

  /** Provides a DHT record for every held task not provided yet (in the background, bounded). */
  private provideAll(): void {
    if (!this.started) return
    for (const m of this.served()) {
      if (this.provided.has(m.taskKey) || this.providing.has(m.taskKey)) continue
      this.providing.add(m.taskKey)
      // A strongly held timer (not AbortSignal.timeout inside AbortSignal.any, which Node 20 may collect).
      const deadline = withDeadline(this.opts.provideTimeoutMs, this.controller.signal)
      this.c.node.contentRouting
        .provide(taskContentId(m.taskKey), { signal: deadline.signal })
        .then(() => {
          this.provided.add(m.taskKey)
        })
        .catch((err: Error) => {
          this.c.logger.debug({ task: m.taskKey, err: err.message }, 'DHT provide failed; will retry')
        })
        .finally(() => {
          deadline.clear()
          this.providing.delete(m.taskKey)
        })
    }
  }
}
