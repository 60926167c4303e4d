import type { EvaluationRow, OwnIcrPoint, PeerEntry, StatusDocument } from './api.js'

/**
 * The daemon's dashboard (README, "Dashboard"): a page served by the control API at `/`, its
 * static files under `/dashboard/`, and the routes it reads. A browser never sees the API token:
 * `POST /v1/dashboard/login-code[?ttl=SECONDS]` (bearer token, what `l2d2c dashboard` calls)
 * returns a one-time code, valid for a minute or `ttl` seconds (at most an hour); opening `/login?code=…` exchanges it for an HttpOnly, SameSite=Strict session cookie and
 * redirects to `/`. The page then reads `/v1/dashboard/events` (Server-Sent Events, one
 * `snapshot` event at most once a second) and `/v1/dashboard/play` with that cookie.
 *
 * A daemon told about sibling daemons on its machine (`--link-dashboard DATA_DIR`) lists them in
 * its snapshot (`linked`), and `POST /v1/dashboard/linked-login?peer=PEER_ID` (its session
 * cookie and a same-origin Origin header) answers with a one-time login URL of that sibling's
 * own dashboard: the daemon reads the sibling's address and token from its data dir and asks it
 * for the code, so neither token ever reaches the browser.
 */
export const DASHBOARD_ROUTES = {
  page: '/',
  login: '/login',
  /** Prefix of the page's static files (script, style, the charting library). */
  assets: '/dashboard/',
  loginCode: '/v1/dashboard/login-code',
  events: '/v1/dashboard/events',
  play: '/v1/dashboard/play',
  /**
   * POST ?peer=PEER_ID: a linked sibling's one-time login URL (LinkedLoginDocument). The peer id
   * is a query argument, as the play route's task: the routes are matched as exact paths.
   */
  linkedLogin: '/v1/dashboard/linked-login'
} as const

/**
 * Prefix of the session cookie's name; each daemon adds an id of its own (`l2d2c_session_1a2b3c4d`).
 * Browsers keep cookies per host, not per port: with one name, logging in to a second daemon on
 * 127.0.0.1 (the demo runs eight) would replace the first one's session.
 */
export const DASHBOARD_COOKIE = 'l2d2c_session'

/** `POST /v1/dashboard/login-code`: a code that opens one session, once, before it expires. */
export interface LoginCodeDocument {
  code: string
  /** Path and query to open on the control API's address: `/login?code=…`. */
  path: string
  expiresAt: string
}

/** `POST /v1/dashboard/linked-login?peer=…`: where the browser goes to open a linked daemon's page, logged in. */
export interface LinkedLoginDocument {
  /** `http://<the sibling's loopback address>/login?code=…`: works once, for a minute. */
  url: string
  expiresAt: string
}

/**
 * A daemon of the same site whose dashboard this one links to (`--link-dashboard DATA_DIR`), as
 * its data dir shows it now: running (its discovery file names a control API that answers) or
 * not, and why.
 */
export interface DashboardLinkedDaemon {
  dataDir: string
  /** From its discovery file; null while it has none (not started, or stopped). */
  peerId: string | null
  role: 'learner' | 'evaluator' | null
  /** Whether its page can be opened now: it runs and answers on a loopback address. */
  available: boolean
  /** Why not, when not available (not started, does not answer, no token readable...). */
  reason: string | null
}

/** A peer as the dashboard shows it: the peers document's entry and what it announced. */
export interface DashboardPeer extends PeerEntry {
  ownIcr: number | null
  /** Masks it announced: task, reward, and who trained it (its own peer id when it did). */
  announced: Array<{ taskKey: string; reward: number; origin: string }>
  /** How this node is connected to it (the peers document's `connection`); null: not connected or not known. */
  connection: 'direct' | 'relayed' | null
}

/** One training iteration's mean episode return (null when no episode finished in it). */
export interface TrainingPoint {
  taskKey: string
  /** The agent's training env steps after the iteration. */
  steps: number
  meanReturn: number | null
}

/** One line of the daemon's log (the pino fields the page shows). */
export interface LogLine {
  time: number
  level: number
  msg: string
  /** The line's other fields, as compact JSON (bounded). */
  fields: string
}

/** An adoption this node made: which task, whose mask, from which peer, at what reward. */
export interface DashboardAdoption {
  taskKey: string
  at: string
  from: string
  origin: string
  verifiedReward: number
  previousReward: number | null
}

/**
 * A mask the node holds, as the page lists it: a learner's from its store; an evaluator's are
 * the ones it keeps in memory (reward: measured in its latest cycle; steps not known to it).
 */
export interface DashboardMask {
  taskKey: string
  cid: string
  reward: number | null
  steps: number | null
  /** Peer id of the node that trained it (an evaluator: the peer it fetched it from). */
  origin: string
}

/** What one `snapshot` event of `/v1/dashboard/events` carries: everything the page draws. */
export interface DashboardSnapshot {
  time: string
  status: StatusDocument
  peers: DashboardPeer[]
  masks: DashboardMask[]
  adoptions: DashboardAdoption[]
  /** Peers that announce a mask this node trained: who adopted (or re-serves) its work. */
  adoptedFromUs: Array<{ peerId: string; taskKey: string }>
  /** A learner's per-iteration training returns, oldest first (bounded). */
  training: TrainingPoint[]
  /** A learner's own-ICR samples (bounded). */
  ownIcr: OwnIcrPoint[]
  /** An evaluator's cycles, oldest first (bounded). */
  evaluation: EvaluationRow[]
  tasks: string[]
  logs: LogLine[]
  /** The site's daemons this one links to (`--link-dashboard`), in the order given; empty: none. */
  linked: DashboardLinkedDaemon[]
}

/** One drawn state of `GET /v1/dashboard/play?task=…`. */
export interface PlayFrame {
  /** null for the reset state. */
  action: number | null
  reward: number
  done: boolean
  /** A CT-graph image (row-major grey levels, `side`×`side`), or null. */
  image: number[] | null
  /** A MiniGrid's text grid (the CLI's `env render`), or null. */
  grid: string | null
  /** One line on the state (the CLI's `env render` header). */
  caption: string
}

/** `GET /v1/dashboard/play?task=…`: one episode with the best mask this node holds for the task. */
export interface PlayDocument {
  taskKey: string
  /** Content id and origin of the mask played. */
  cid: string
  origin: string
  side: number | null
  totalReward: number
  frames: PlayFrame[]
}
