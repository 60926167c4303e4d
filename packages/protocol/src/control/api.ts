import { DATA_DIR_FILES } from './data-dir.js'

/**
 * The daemon's control API (JSON over HTTP on 127.0.0.1 or a Unix socket): the documents
 * `l2d2c status | peers | masks` print with --json. Every route except /health (which only
 * says the daemon answers) needs `Authorization: Bearer <token>` (the token is in the data dir,
 * mode 0600), and over TCP the Host header must name the daemon's own address (421 otherwise).
 */
export const CONTROL_ROUTES = {
  health: '/health',
  metrics: '/metrics',
  status: '/v1/status',
  peers: '/v1/peers',
  masks: '/v1/masks',
  knowledge: '/v1/knowledge',
  evaluation: '/v1/evaluation',
  stop: '/v1/stop',
  /** Experiment pacing (POST ?until=N): a --paced learner trains only below N training steps. */
  pace: '/v1/pace',
  ownIcr: '/v1/own-icr',
  /** Review mode: the held candidates (GET), and the operator's decisions (POST ?task=KEY&cid=CID). */
  candidates: '/v1/candidates',
  adopt: '/v1/candidates/adopt',
  reject: '/v1/candidates/reject'
} as const

/** The routes that change something: POST only (every other route is GET). */
export const CONTROL_POST_ROUTES: readonly string[] = [
  CONTROL_ROUTES.stop,
  CONTROL_ROUTES.pace,
  CONTROL_ROUTES.adopt,
  CONTROL_ROUTES.reject
]

/** Name of the discovery file a running daemon writes in its data dir. */
export const DAEMON_FILE = DATA_DIR_FILES.discovery
/** Name of the control-API token file in the data dir. */
export const TOKEN_FILE = DATA_DIR_FILES.token

export interface DaemonDiscovery {
  pid: number
  peerId: string
  /** `http://127.0.0.1:PORT` or `unix:/path`. */
  api: string
  addrs: string[]
  role: 'learner' | 'evaluator'
  startedAt: string
  version: string
}

export interface StatusDocument {
  peerId: string
  addrs: string[]
  role: 'learner' | 'evaluator'
  backend: string
  backboneId: string
  task: { key: string; steps: number; budget: number } | null
  masksHeld: number
  peersConnected: number
  uptimeSeconds: number
  version: string
  curriculum: { tasks: number; index: number; done: boolean }
  totalSteps: number
  stepsPerSecond: number
  dataDir: string
  /** Masks this node sent to peers / received, verified and adopted, since it started. */
  masksServed: number
  masksAdopted: number
  /** How a learner moves on: at mastery (default) or after the fixed step budget of each task. */
  budget: 'mastery' | 'fixed'
  /**
   * This agent's own ICR: the sum over its curriculum of its own current return (its learned or
   * adopted masks, evaluated by itself; 0 for a task it holds no mask for), from its latest
   * sample; null before the first and for evaluators.
   */
  ownIcr: number | null
  /** Curriculum tasks mastered by its own training, and by adopting a peer's mask at the threshold. */
  tasksLearned: number
  tasksAdopted: number
  /**
   * Estimated env steps adoption saved: per adopted task, the mean steps it needed to master the
   * tasks it learned itself, less the steps it had trained on the adopted one (0 while it has
   * learned none, and under fixed budgets).
   */
  stepsSaved: number
  /** Env steps spent in evaluations (not part of totalSteps, which counts training steps). */
  evalSteps: number
  /** Bytes this node sent and received on the l2d2c protocols and announcements since it started. */
  bytesSent: number
  bytesReceived: number
  /**
   * Of those, the query and mask bytes that ran over relayed connections (Circuit Relay v2:
   * masks cross a relay only when they fit its limits, docs/protocol.md §5.6).
   */
  relayedBytes?: { sent: number; received: number }
  /** Who can reach this node and join its swarm (README, "Daemon: Security"). */
  exposure?: ExposureDocument
  /** What admission control refused since the node started, by reason. */
  admission?: { refused: Record<string, number> }
  /** The site's sharing policy (--serve, --accept, --accept-from, --adopt). */
  policy?: SharingPolicyDocument
  /** What the node remembers of misbehaving peers, and what it refused and rate-limited. */
  defence?: DefenceDocument
  /**
   * Whether other hosts can dial this node: public (a confirmed public address, or a peer
   * dialled it directly from one), private (behind a NAT or loopback only), unknown (not yet
   * confirmed). README, "Daemon: Sites behind NAT".
   */
  reachability?: 'public' | 'private' | 'unknown'
  /** The evidence for `reachability`, one sentence. */
  reachabilityReason?: string
  /** This node's addresses through Circuit Relay v2 relays it holds a reservation on. */
  relayAddrs?: string[]
  /** This node relays for NAT'd peers (`--relay-server`). */
  relayServer?: boolean
}

export interface SharingPolicyDocument {
  /** Task-key patterns served; the rest is refused (OFFER_STATUS_REFUSED, TRANSFER_STATUS_REFUSED). */
  serve: string[]
  /** Task-key patterns this node asks peers for. */
  accept: string[]
  /** Peer ids it takes masks from; empty: any peer. */
  acceptFrom: string[]
  /** 'auto': adopt after local evaluation; 'review': hold candidates for `l2d2c candidates`. */
  adopt: 'auto' | 'review'
}

export interface DefenceDocument {
  /** Peers with a reputation record, and those ignored now. */
  peersRemembered: number
  peersIgnored: number
  /** Content ids rejected (never fetched or evaluated again). */
  rejectedContent: number
  /** Requests refused since start: by the per-peer rate limits, by the sharing policy. */
  refused: { queries: number; fetches: number; inventory: number; policy: number }
  /** Announcements dropped before decoding (rate limits, stale, decode budget) and rejected (malformed). */
  announcements: { ignored: number; rejected: number }
  /** Peers and announced masks the directory keeps (bounded), and what it turned away when full. */
  directory: { peers: number; masks: number; turnedAway: number }
  /**
   * Peers banned for flooding or a graylisting gossip score: their connections closed and
   * refused until the ban ends (1 min, doubling on repeats up to 1 h). Optional: absent from
   * nodes older than bans.
   */
  bans?: BansDocument
}

export interface BansDocument {
  /** Peers and addresses banned now. */
  active: number
  activeIps: number
  /** Bans since start (repeats included), and bans asked for trusted peers (allowlist, bootstrap) and not made. */
  total: number
  spared: number
  /** The bans in force, most recent first (at most 32). */
  peers: Array<{ peer: string; reason: string; since: string; until: string; strikes: number }>
  /** The addresses banned now, most recent first (at most 32). */
  ips: Array<{ ip: string; until: string }>
}

/** One candidate held for review (`GET /v1/candidates`). */
export interface CandidateEntry {
  taskKey: string
  /** The offered (BITS) content id: what `l2d2c adopt TASK CID` names. */
  cid: string
  /** The peer that served it and the peer that trained it. */
  from: string
  origin: string
  /** What the holder claimed, what this node measured with it, and with its own mask then. */
  claimedReward: number
  verifiedReward: number
  currentReward: number | null
  stepsTrained: number
  heldAt: string
  encoding: string
  bytes: number
}

export interface CandidatesDocument {
  adopt: 'auto' | 'review'
  candidates: CandidateEntry[]
}

/** The answer to `POST /v1/candidates/adopt` and `/reject`. */
export interface CandidateDecisionDocument {
  taskKey: string
  cid: string
  decision: 'adopted' | 'rejected'
  /** Adopted: 'now', or 'next-iteration' when the task is being trained (installed between two iterations). */
  installed: 'now' | 'next-iteration' | null
}

export interface ExposureDocument {
  /** The node listens on an address other hosts can reach (not loopback; 0.0.0.0 counts). */
  publicListen: boolean
  /** A swarm key is set (a private swarm); its fingerprint, safe to compare between nodes. */
  swarmKey: boolean
  swarmKeyFingerprint: string | null
  /** A peer allowlist is set. */
  allowlist: boolean
  /** The node runs with a peer key committed to the repository for the compose demo. */
  demoPeerKey: boolean
  /** Set when anyone who reaches the node can join: public listen, no swarm key, no allowlist. */
  warning: string | null
}

/**
 * One own-ICR sample: after a sweep (the agent evaluated every task of its curriculum it holds a
 * mask for) or at a task's end (its latest measurements).
 */
export interface OwnIcrPoint {
  /** The agent's training env steps when the sweep ran (the clock of every comparison). */
  steps: number
  time: string
  ownIcr: number
  /** Return per curriculum task (0 for a task it holds no mask for). */
  perTask: Record<string, number>
}

/** `GET /v1/own-icr`: the agent's own-ICR samples, oldest first (bounded; evaluators: none). */
export interface OwnIcrDocument {
  tasks: string[]
  history: OwnIcrPoint[]
}

export interface PeerEntry {
  peerId: string
  connected: boolean
  addrs: string[]
  role: string | null
  masks: number
  totalSteps: number
  lastSeen: string
  failures: number
  /** What this node remembers of the peer: trusted (verified deliveries), neutral, deprioritised or ignored. */
  standing?: 'trusted' | 'neutral' | 'deprioritised' | 'ignored'
  /**
   * How a connected peer is connected: direct, or relayed through a Circuit Relay v2 relay (a
   * limited connection: only queries and DELTA/BITS transfers that fit its limits run on it); null when not connected.
   */
  connection?: 'direct' | 'relayed' | null
}

export interface PeersDocument {
  peers: PeerEntry[]
}

export interface MaskEntry {
  taskKey: string
  cid: string
  reward: number
  steps: number
  /** Size of the BITS encoding (what is sent by default). */
  bytes: number
  /** Peer id of the node that trained it. */
  origin: string
  /** The encodings the holder serves this mask in. */
  encodings?: string[]
  /**
   * Bytes of the mask in each encoding the holder can serve it in (a local daemon's masks;
   * absent from a remote node's inventory, which states the BITS size only). DELTA is left out
   * where the holder cannot produce it (no base, or larger than BITS).
   */
  sizes?: Partial<Record<string, number>>
}

export interface MasksDocument {
  peer: string
  backboneId: string
  masks: MaskEntry[]
}

export interface EvaluationRow {
  time: string
  icr: number
  /** Per task, the return of the mask the evaluator holds, measured this cycle with fresh episodes. */
  perTask: Record<string, number>
  /**
   * Total env steps of each learner the evaluator knows, as the learner announced them:
   * self-reported figures the evaluator cannot check.
   */
  learners: Record<string, number>
  meanLearnerSteps: number
  /** Own ICR of each learner that announces one (self-reported, like `learners`). */
  learnersOwnIcr?: Record<string, number>
}

export interface EvaluationDocument {
  tasks: string[]
  latest: EvaluationRow | null
  history: EvaluationRow[]
}

/** POST /v1/pace?until=N: the limit now, the learner's training steps, and whether and how long training waited. */
export interface PaceDocument {
  untilSteps: number
  totalSteps: number
  waiting: boolean
  /** Milliseconds training has waited at the limit since the daemon started. */
  waitedMs: number
}
