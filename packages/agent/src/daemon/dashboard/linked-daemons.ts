import { readFile, stat } from 'node:fs/promises'
import {
  CONTROL_ROUTES,
  ControlClient,
  ControlError,
  DASHBOARD_ROUTES,
  dataDirPaths,
  type DashboardLinkedDaemon,
  type LinkedLoginDocument,
  type LoginCodeDocument
} from '@l2d2c/protocol'
import { errorCode } from '../../errors.js'
import { withDefaults } from '../../util/defaults.js'
import { PeerRateLimiter, type RateLimit } from '../../util/rate-limiter.js'

/** Data dirs a daemon may link to: a site's machine runs a handful of daemons; a page lists them all. */
export const MAX_LINKED_DAEMONS = 64

/** A discovery file is a few hundred bytes; anything far larger is not one (and is not read into memory). */
const MAX_DISCOVERY_BYTES = 64 * 1024

/** A peer id as a discovery file holds it (base58 or base32 text): anything else is not looked up. */
const PEER_ID_TEXT = /^[0-9A-Za-z]{16,128}$/

/** A login code as the sibling's sessions.ts makes it: 32 random bytes in hex. */
const LOGIN_CODE = /^[0-9a-f]{64}$/

export interface LinkedDaemonsOptions {
  /** How long a sibling's control API may take to answer (a health probe, a login code). */
  readonly timeoutMs: number
  /** How long a listing stays fresh: the page's snapshot asks every second, the siblings are probed less often. */
  readonly listTtlMs: number
  /** Logins per sibling: a person clicks a link now and then; a page that loops must not flush the sibling's codes. */
  readonly loginRate: RateLimit
}

export const DEFAULT_LINKED_DAEMONS: LinkedDaemonsOptions = {
  timeoutMs: 3_000,
  listTtlMs: 5_000,
  // A burst of 5, then one every 10 s (the sibling keeps 16 unused codes: sessions.ts).
  loginRate: { burst: 5, perSecond: 0.1 }
}

export type LinkedDaemonsInit = Partial<LinkedDaemonsOptions>

/** Why a linked daemon's page cannot be opened now. */
export type LinkedDaemonErrorCode =
  | 'unknown-peer'
  | 'not-running'
  | 'bad-discovery'
  | 'no-token'
  | 'not-loopback'
  | 'unix-socket'
  | 'unreachable'
  | 'timeout'
  | 'refused'
  | 'rate-limited'

/** The HTTP status the linked-login route answers each failure with. */
const HTTP_STATUS: Readonly<Record<LinkedDaemonErrorCode, number>> = {
  'unknown-peer': 404,
  'not-running': 503,
  'bad-discovery': 502,
  'no-token': 502,
  'not-loopback': 502,
  'unix-socket': 409,
  unreachable: 502,
  timeout: 504,
  refused: 502,
  'rate-limited': 429
}

/** A linked daemon that cannot be reached or read, with its code and the HTTP status to answer. */
export class LinkedDaemonError extends Error {
  readonly status: number
  constructor(
    readonly code: LinkedDaemonErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'LinkedDaemonError'
    this.status = HTTP_STATUS[code]
  }
}

/** What a sibling's discovery file says about it (the fields this module uses, checked). */
interface Sibling {
  dataDir: string
  peerId: string
  role: 'learner' | 'evaluator' | null
  /** Its control API's origin, `http://<loopback host>:<port>`, or the raw value when it is not one. */
  api: string
}

/**
 * The dashboards of other daemons on this machine (`--link-dashboard DATA_DIR`), opened from
 * this daemon's page without the browser ever holding a token: their discovery file and API
 * token are read from their data dirs here, on the server, when the page asks, and the sibling
 * is asked for a one-time login code, the same one `l2d2c dashboard` gets. Only siblings whose
 * control API is on a loopback address are contacted (the token goes nowhere else), logins are
 * rate-limited per sibling, and a sibling that is missing, stopped or unreadable is reported as
 * such, never an error of this daemon. Nothing here logs or returns a token.
 */
export class LinkedDaemons {
  private readonly opts: LinkedDaemonsOptions
  private readonly logins: PeerRateLimiter
  /** The latest listing, when the one under way started (ms), and the one under way. */
  private last: DashboardLinkedDaemon[] | null = null
  private listedAt = Number.NEGATIVE_INFINITY
  private refreshing: Promise<DashboardLinkedDaemon[]> | null = null

  constructor(
    /** Absolute data dirs, as the configuration resolved them (daemon-config.ts `dashboard.links`). */
    readonly dataDirs: readonly string[],
    private readonly now: () => number,
    init: LinkedDaemonsInit = {}
  ) {
    this.opts = withDefaults(DEFAULT_LINKED_DAEMONS, init)
    this.logins = new PeerRateLimiter(this.opts.loginRate, MAX_LINKED_DAEMONS)
  }

  /**
   * Each linked data dir and whether its daemon's page can be opened now, probed at most every
   * listTtlMs. Once there is a listing, a stale one is answered while the next is made: a sibling
   * that hangs until the timeout never holds up this daemon's snapshots.
   */
  async list(): Promise<DashboardLinkedDaemon[]> {
    if (this.dataDirs.length === 0) return []
    const t = this.now()
    if (this.refreshing === null && t - this.listedAt >= this.opts.listTtlMs) {
      this.listedAt = t
      this.refreshing = Promise.all(this.dataDirs.map(async dir => await this.probe(dir))).then(list => {
        this.last = list
        this.refreshing = null
        return list
      })
    }
    return this.last ?? (await (this.refreshing as Promise<DashboardLinkedDaemon[]>))
  }

  /**
   * A one-time login URL of the linked daemon with this peer id, minted by that daemon: the code
   * works once, for its default minute. Throws LinkedDaemonError (unknown peer, not loopback,
   * token unreadable, does not answer, refused, too many logins).
   */
  async login(peerId: string): Promise<LinkedLoginDocument> {
    const siblings = PEER_ID_TEXT.test(peerId)
      ? await Promise.all(this.dataDirs.map(async dir => await readSibling(dir).catch(() => null)))
      : []
    const sibling = siblings.find(s => s?.peerId === peerId) ?? null
    if (sibling === null)
      throw new LinkedDaemonError(
        'unknown-peer',
        `no linked daemon runs with peer id ${peerId.slice(0, 128)} (this daemon links to ${this.dataDirs.length} data dir${this.dataDirs.length === 1 ? '' : 's'} with --link-dashboard)`
      )
    if (!this.logins.take(sibling.dataDir, this.now()))
      throw new LinkedDaemonError(
        'rate-limited',
        `too many logins to the daemon of ${sibling.dataDir}; wait a few seconds`
      )
    const origin = loopbackOrigin(sibling)
    const client = new ControlClient({
      url: origin,
      token: await readToken(sibling.dataDir),
      timeoutMs: this.opts.timeoutMs
    })
    let doc: LoginCodeDocument
    try {
      doc = await client.post<LoginCodeDocument>(DASHBOARD_ROUTES.loginCode)
    } catch (err) {
      throw fromControlError(err, sibling)
    }
    if (typeof doc?.code !== 'string' || !LOGIN_CODE.test(doc.code) || !Number.isFinite(Date.parse(doc.expiresAt)))
      throw new LinkedDaemonError('refused', `the daemon of ${sibling.dataDir} sent no valid login code`)
    return { url: `${origin}${DASHBOARD_ROUTES.login}?code=${doc.code}`, expiresAt: doc.expiresAt }
  }

  /** One linked dir as the page lists it: read its files, then ask its /health (no token needed). */
  private async probe(dataDir: string): Promise<DashboardLinkedDaemon> {
    let sibling: Sibling
    try {
      sibling = await readSibling(dataDir)
    } catch (err) {
      return { dataDir, peerId: null, role: null, available: false, reason: (err as Error).message }
    }
    const known = { dataDir, peerId: sibling.peerId, role: sibling.role }
    try {
      const origin = loopbackOrigin(sibling)
      await readToken(dataDir)
      await new ControlClient({ url: origin, timeoutMs: this.opts.timeoutMs }).get(CONTROL_ROUTES.health)
    } catch (err) {
      const e = err instanceof LinkedDaemonError ? err : fromControlError(err, sibling)
      return { ...known, available: false, reason: e.message }
    }
    return { ...known, available: true, reason: null }
  }
}

/** Reads and checks a sibling's discovery file. */
async function readSibling(dataDir: string): Promise<Sibling> {
  const path = dataDirPaths(dataDir).discovery
  let text: string
  try {
    const st = await stat(path)
    if (!st.isFile() || st.size > MAX_DISCOVERY_BYTES)
      throw new LinkedDaemonError('bad-discovery', `${path} is not a daemon's discovery file`)
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (err instanceof LinkedDaemonError) throw err
    const code = errorCode(err)
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new LinkedDaemonError('not-running', `not running (no daemon has written ${path})`)
    throw new LinkedDaemonError('bad-discovery', `cannot read ${path}: ${code ?? (err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new LinkedDaemonError('bad-discovery', `${path} is not valid JSON`)
  }
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>
  if (typeof d.peerId !== 'string' || !PEER_ID_TEXT.test(d.peerId) || typeof d.api !== 'string')
    throw new LinkedDaemonError('bad-discovery', `${path} has no valid peerId and api`)
  return {
    dataDir,
    peerId: d.peerId,
    role: d.role === 'learner' || d.role === 'evaluator' ? d.role : null,
    api: d.api
  }
}

/** The sibling's API token (read only to be sent to the sibling itself). */
async function readToken(dataDir: string): Promise<string> {
  const path = dataDirPaths(dataDir).token
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new LinkedDaemonError('no-token', `cannot read ${path}: ${errorCode(err) ?? (err as Error).message}`)
  }
  const token = text.trim()
  if (token === '') throw new LinkedDaemonError('no-token', `${path} is empty`)
  return token
}

/**
 * The sibling's control API as an origin on a loopback address; a Unix socket (which a browser
 * cannot open) or any other host is refused: its token would leave the machine's loopback.
 */
function loopbackOrigin(s: Sibling): string {
  if (s.api.startsWith('unix:'))
    throw new LinkedDaemonError(
      'unix-socket',
      `the daemon of ${s.dataDir} serves its control API on a Unix socket, which a browser cannot open (run it with --api 127.0.0.1:PORT)`
    )
  let u: URL | null = null
  try {
    u = new URL(s.api)
  } catch {
    /* refused below */
  }
  const loopback =
    u !== null &&
    u.protocol === 'http:' &&
    u.port !== '' &&
    u.username === '' &&
    u.password === '' &&
    (u.pathname === '/' || u.pathname === '') &&
    u.search === '' &&
    (/^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(u.hostname) || u.hostname === 'localhost' || u.hostname === '[::1]')
  if (!loopback || u === null)
    throw new LinkedDaemonError(
      'not-loopback',
      `the daemon of ${s.dataDir} names a control API that is not on a loopback address (${s.api.slice(0, 100)}); it is not contacted`
    )
  return u.origin
}

/** A failed call to the sibling, as this module's error (the message names the sibling, never its token). */
function fromControlError(err: unknown, s: Sibling): LinkedDaemonError {
  if (err instanceof LinkedDaemonError) return err
  if (err instanceof ControlError) {
    if (err.kind === 'unreachable')
      return new LinkedDaemonError('unreachable', `the daemon of ${s.dataDir} does not answer at ${s.api} (stopped?)`)
    if (err.kind === 'timeout')
      return new LinkedDaemonError('timeout', `the daemon of ${s.dataDir} did not answer in time: ${err.message}`)
    if (err.kind === 'unauthorized')
      return new LinkedDaemonError(
        'refused',
        `the daemon of ${s.dataDir} refused the API token found in its data dir (restarted with a new one?)`
      )
    return new LinkedDaemonError('refused', `the daemon of ${s.dataDir}: ${err.message}`)
  }
  return new LinkedDaemonError('unreachable', `the daemon of ${s.dataDir}: ${(err as Error).message}`)
}
