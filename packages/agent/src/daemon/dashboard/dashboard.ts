import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  DASHBOARD_ROUTES,
  type DashboardSnapshot,
  type LinkedLoginDocument,
  type LoginCodeDocument,
  type PlayDocument
} from '@l2d2c/protocol'
import type { Logger } from '../../logging/logger.js'
import { DashboardAssets } from './assets.js'
import { EventStream, type EventStreamInit } from './event-stream.js'
import { LinkedDaemonError } from './linked-daemons.js'
import { DashboardSessions, type DashboardSessionsInit, sessionCookie, sessionFromCookie } from './sessions.js'

/** A request the play route refuses (unknown task, no mask held): 404 with the reason. */
export class PlayRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PlayRefused'
  }
}

export interface DashboardSource {
  snapshot: () => Promise<DashboardSnapshot>
  /** One episode with the best mask held for the task; null: this node cannot play (not wired). */
  play: ((taskKey: string) => Promise<PlayDocument>) | null
  /**
   * A linked daemon's one-time login URL (linked-daemons.ts; throws LinkedDaemonError); absent:
   * this daemon links to no other (no --link-dashboard).
   */
  linkedLogin?: (peerId: string) => Promise<LinkedLoginDocument>
}

/**
 * What the control server knows of a request before the dashboard sees it: whether it carried
 * the API token, and whether its Origin header names this server (a page of this dashboard
 * sent it; another site's page, or no Origin at all, does not count).
 */
export interface DashboardRequest {
  bearer: boolean
  sameOrigin: boolean
}

export interface DashboardInit {
  now: () => number
  logger: Logger
  sessions?: DashboardSessionsInit
  events?: EventStreamInit
}

/**
 * Headers of every dashboard answer. The page loads nothing from elsewhere (no CDN; the
 * connect-src 'self' keeps its event stream on this server), cannot be framed by another page,
 * and sends no Referer (a login URL in the address bar never leaves the browser).
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store'
} as const

/** The routes that change something or mint a secret: POST only, so a link or an image cannot trigger them. */
const POST_PATHS: readonly string[] = [DASHBOARD_ROUTES.loginCode, DASHBOARD_ROUTES.linkedLogin]

/** Longest task key the play route reads (task keys are short; anything longer is not one). */
const MAX_TASK_KEY = 200

/**
 * The dashboard's routes (docs/architecture.md §3, `daemon/dashboard/`): the page and its files,
 * the login (one-time code → session cookie), the event stream, the play route, and the login
 * URL of a linked daemon (linked-daemons.ts). The control server has already checked the Host
 * header; it passes whether the request carried the API token and a same-origin Origin header.
 * Nothing here logs a URL, a code or a cookie.
 */
export class Dashboard {
  readonly sessions: DashboardSessions
  readonly events: EventStream
  private readonly assets = new DashboardAssets()
  private readonly logger: Logger

  constructor(
    private readonly source: DashboardSource,
    init: DashboardInit
  ) {
    this.logger = init.logger
    this.sessions = new DashboardSessions(init.now, init.sessions)
    this.events = new EventStream(
      source.snapshot,
      err => {
        init.logger.warn({ err: err.message }, 'dashboard snapshot failed')
      },
      init.events
    )
  }

  /** Whether a path is the dashboard's (the control server passes those here). */
  static handles(path: string): boolean {
    return (
      path === DASHBOARD_ROUTES.page ||
      path === DASHBOARD_ROUTES.login ||
      path.startsWith(DASHBOARD_ROUTES.assets) ||
      path === DASHBOARD_ROUTES.loginCode ||
      path === DASHBOARD_ROUTES.events ||
      path === DASHBOARD_ROUTES.play ||
      path === DASHBOARD_ROUTES.linkedLogin
    )
  }

  stop(): void {
    this.events.stop()
  }

  async handle(req: IncomingMessage, res: ServerResponse, { bearer, sameOrigin }: DashboardRequest): Promise<void> {
    // The raw path, as the control server matched it (no normalising of dot segments here).
    const [path = '/', query = ''] = (req.url ?? '/').split('?', 2)
    const params = new URLSearchParams(query)
    const method = req.method ?? 'GET'
    const want = POST_PATHS.includes(path) ? 'POST' : 'GET'
    if (method !== want) {
      json(res, 405, { error: `use ${want} for ${path}` })
      return
    }
    if (path === DASHBOARD_ROUTES.loginCode) {
      if (!bearer) {
        json(res, 401, { error: 'missing or wrong API token (see api.token in the data dir)' })
        return
      }
      const ttl = params.get('ttl')
      if (ttl !== null && !/^[1-9][0-9]{0,6}$/.test(ttl)) {
        json(res, 400, { error: 'ttl must be a whole number of seconds' })
        return
      }
      const { code, expiresAt } = this.sessions.issueCode(ttl === null ? undefined : Number(ttl) * 1000)
      const doc: LoginCodeDocument = {
        code,
        path: `${DASHBOARD_ROUTES.login}?code=${code}`,
        expiresAt: new Date(expiresAt).toISOString()
      }
      json(res, 200, doc)
      return
    }
    if (path === DASHBOARD_ROUTES.login) {
      const granted = this.sessions.redeem(params.get('code') ?? '')
      if (granted === null) {
        await this.file(res, 'login.html', 403)
        return
      }
      res.writeHead(303, {
        ...PAGE_HEADERS,
        location: DASHBOARD_ROUTES.page,
        'set-cookie': sessionCookie(this.sessions.cookieName, granted.session, granted.maxAgeSeconds)
      })
      res.end()
      return
    }
    if (path.startsWith(DASHBOARD_ROUTES.assets)) {
      // Static files hold no data about the node: served without a session (the login page uses them).
      const name = path.slice(DASHBOARD_ROUTES.assets.length)
      if (name === 'index.html' || !(await this.file(res, name, 200))) json(res, 404, { error: `no file ${path}` })
      return
    }
    const allowed = bearer || this.sessions.valid(sessionFromCookie(req.headers.cookie, this.sessions.cookieName))
    if (path === DASHBOARD_ROUTES.page) {
      await this.file(res, allowed ? 'index.html' : 'login.html', allowed ? 200 : 401)
      return
    }
    if (!allowed) {
      json(res, 401, { error: 'not logged in: open the URL `l2d2c dashboard` prints' })
      return
    }
    if (path === DASHBOARD_ROUTES.events) {
      if (!this.events.add(res)) {
        res.setHeader('retry-after', '5')
        json(res, 503, { error: 'too many dashboards are open on this daemon; close one and reload' })
      }
      return
    }
    if (path === DASHBOARD_ROUTES.linkedLogin) {
      await this.linkedLogin(res, params, bearer || sameOrigin)
      return
    }
    // DASHBOARD_ROUTES.play
    const task = params.get('task') ?? ''
    if (task === '' || task.length > MAX_TASK_KEY) {
      json(res, 400, { error: 'give ?task=<task key>' })
      return
    }
    if (this.source.play === null) {
      json(res, 404, { error: 'this node cannot play episodes' })
      return
    }
    try {
      json(res, 200, await this.source.play(task))
    } catch (err) {
      if (err instanceof PlayRefused) json(res, 404, { error: err.message })
      else throw err
    }
  }

  /**
   * A linked daemon's login URL. With the session cookie the request must come from this
   * dashboard's own page (its Origin header): SameSite=Strict already keeps other sites' requests
   * cookieless, and the Origin check holds even where a browser does not. Logged by peer id
   * only: never the URL or its code.
   */
  private async linkedLogin(res: ServerResponse, params: URLSearchParams, fromOwnPage: boolean): Promise<void> {
    if (!fromOwnPage) {
      json(res, 403, { error: "this route answers only this dashboard's own page (Origin header)" })
      return
    }
    const peer = params.get('peer') ?? ''
    if (peer === '') {
      json(res, 400, { error: 'give ?peer=<peer id of a linked daemon>' })
      return
    }
    if (this.source.linkedLogin === undefined) {
      json(res, 404, { error: 'this daemon links to no other daemon (see --link-dashboard)' })
      return
    }
    try {
      const doc = await this.source.linkedLogin(peer)
      this.logger.info({ peerId: peer }, 'login code minted by a linked daemon')
      json(res, 200, doc)
    } catch (err) {
      if (!(err instanceof LinkedDaemonError)) throw err
      this.logger.warn({ peerId: peer.slice(0, 128), reason: err.message }, 'cannot open a linked daemon')
      if (err.code === 'rate-limited') res.setHeader('retry-after', '10')
      json(res, err.status, { error: err.message })
    }
  }

  /** Sends one of the page's files; false when there is no such file. */
  private async file(res: ServerResponse, name: string, status: number): Promise<boolean> {
    const asset = await this.assets.get(name)
    if (asset === null) return false
    res.writeHead(status, { ...PAGE_HEADERS, 'content-type': asset.type, 'content-length': String(asset.body.length) })
    res.end(asset.body)
    return true
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}
