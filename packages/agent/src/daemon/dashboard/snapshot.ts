import type {
  DashboardLinkedDaemon,
  DashboardPeer,
  DashboardSnapshot,
  EvaluationDocument,
  DashboardMask,
  LogLine,
  OwnIcrDocument,
  StatusDocument,
  TrainingPoint
} from '@l2d2c/protocol'
import type { KnowledgeEntry } from '../../masks/knowledge-base.js'
import type { PeerRecord } from '../../network/peer-directory.js'

/** Rows of each history a snapshot carries: enough for the charts, small enough to send every second. */
export const SNAPSHOT_HISTORY = 300

/** What a snapshot is made of: the daemon's documents and the agent's tables, read at one moment. */
export interface SnapshotParts {
  now: number
  status: StatusDocument
  peers: readonly PeerRecord[]
  connected: ReadonlySet<string>
  /** How each connected peer is connected (direct or through a relay). */
  connectionKinds: ReadonlyMap<string, 'direct' | 'relayed'>
  masks: DashboardMask[]
  knowledge: readonly KnowledgeEntry[]
  training: TrainingPoint[]
  ownIcr: OwnIcrDocument
  evaluation: EvaluationDocument
  logs: LogLine[]
  /** The linked daemons of the site (linked-daemons.ts). */
  linked: DashboardLinkedDaemon[]
}

/** The dashboard's snapshot (docs/architecture.md §3): the parts, joined the way the page shows them. */
export function dashboardSnapshot(p: SnapshotParts): DashboardSnapshot {
  const self = p.status.peerId
  const peers: DashboardPeer[] = p.peers.map(r => ({
    peerId: r.peerId,
    connected: p.connected.has(r.peerId),
    addrs: [...r.addrs],
    role: r.role,
    masks: r.masks.length,
    totalSteps: r.totalSteps,
    lastSeen: new Date(r.lastSeen).toISOString(),
    failures: r.failures,
    ownIcr: r.ownIcr,
    // An announcement leaves the origin empty for a mask its sender trained.
    announced: r.masks.map(m => ({
      taskKey: m.taskKey,
      reward: m.reward,
      origin: m.origin === '' ? r.peerId : m.origin
    })),
    connection: p.connectionKinds.get(r.peerId) ?? null
  }))
  const adoptedFromUs = peers.flatMap(peer =>
    peer.announced.filter(m => m.origin === self).map(m => ({ peerId: peer.peerId, taskKey: m.taskKey }))
  )
  const adoptions = p.knowledge
    .flatMap(e =>
      e.adoptions.map(a => ({
        taskKey: e.taskKey,
        at: new Date(a.at).toISOString(),
        from: a.from,
        origin: a.origin,
        verifiedReward: a.verifiedReward,
        previousReward: a.previousReward
      }))
    )
    .sort((a, b) => a.at.localeCompare(b.at))
  return {
    time: new Date(p.now).toISOString(),
    status: p.status,
    peers,
    masks: p.masks,
    adoptions: adoptions.slice(-SNAPSHOT_HISTORY),
    adoptedFromUs,
    training: p.training.slice(-SNAPSHOT_HISTORY),
    ownIcr: p.ownIcr.history.slice(-SNAPSHOT_HISTORY),
    evaluation: p.evaluation.history.slice(-SNAPSHOT_HISTORY),
    tasks: p.evaluation.tasks,
    logs: p.logs,
    linked: p.linked
  }
}
