import { randomBytes } from 'node:crypto'
import { DASHBOARD_COOKIE } from '@l2d2c/protocol'
import { withDefaults } from '../../util/defaults.js'

export interface DashboardSessionsOptions {
  readonly codeTtlMs: number
  readonly sessionTtlMs: number
  readonly maxCodes: number
  readonly maxSessions: number
}

export const DEFAULT_DASHBOARD_SESSIONS: DashboardSessionsOptions = {
  /** A login code is typed or clicked right after `l2d2c dashboard` prints it: a minute is plenty. */
  codeTtlMs: 60_000,
  /** A working day: an operator keeps the tab open; a new code opens a new session after that. */
  sessionTtlMs: 12 * 3_600_000,
  /** Codes not yet used: each `l2d2c dashboard` adds one; the oldest goes first beyond this. */
  maxCodes: 16,
  /** Sessions alive at once: a few browsers on one machine; the oldest goes first beyond this. */
  maxSessions: 32
}

export type DashboardSessionsInit = Partial<DashboardSessionsOptions>

/** The longest a login code may stay valid, whatever is asked: an unused code is a standing key to the page. */
export const MAX_CODE_TTL_MS = 3_600_000

/** 32 random bytes as hex: unguessable, and safe in a URL and a cookie without escaping. */
const secret = (): string => randomBytes(32).toString('hex')

/**
 * The dashboard's logins: one-time codes (from a holder of the API token) exchanged for session
 * ids (the cookie a browser keeps). A code works once and expires; a session expires too. Both
 * tables are bounded (the oldest entry is dropped), so no client can grow them without limit.
 */
export class DashboardSessions {
  /** This daemon's session cookie name (see DASHBOARD_COOKIE): random, so two daemons never share one. */
  readonly cookieName = `${DASHBOARD_COOKIE}_${randomBytes(4).toString('hex')}`
  private readonly codes = new Map<string, number>()
  private readonly sessions = new Map<string, number>()
  private readonly opts: DashboardSessionsOptions

  constructor(
    private readonly now: () => number,
    init: DashboardSessionsInit = {}
  ) {
    this.opts = withDefaults(DEFAULT_DASHBOARD_SESSIONS, init)
  }

  /**
   * A new one-time code and when it expires (ms since the epoch): after the default time, or
   * after `ttlMs` (a launcher that prints links for later), at most MAX_CODE_TTL_MS.
   */
  issueCode(ttlMs?: number): { code: string; expiresAt: number } {
    this.prune()
    const code = secret()
    const expiresAt = this.now() + Math.min(ttlMs ?? this.opts.codeTtlMs, MAX_CODE_TTL_MS)
    this.codes.set(code, expiresAt)
    dropOldest(this.codes, this.opts.maxCodes)
    return { code, expiresAt }
  }

  /** Exchanges a code for a new session id; null when the code is unknown, used or expired. */
  redeem(code: string): { session: string; maxAgeSeconds: number } | null {
    const expiresAt = this.codes.get(code)
    this.codes.delete(code) // once, whatever the outcome
    if (expiresAt === undefined || expiresAt <= this.now()) return null
    this.prune()
    const session = secret()
    this.sessions.set(session, this.now() + this.opts.sessionTtlMs)
    dropOldest(this.sessions, this.opts.maxSessions)
    return { session, maxAgeSeconds: Math.floor(this.opts.sessionTtlMs / 1000) }
  }

  /** Whether a session id (from a cookie) is live. */
  valid(session: string | null): boolean {
    if (session === null) return false
    const expiresAt = this.sessions.get(session)
    if (expiresAt === undefined) return false
    if (expiresAt > this.now()) return true
    this.sessions.delete(session)
    return false
  }

  /** Sizes, for tests and the bound checks. */
  get counts(): { codes: number; sessions: number } {
    return { codes: this.codes.size, sessions: this.sessions.size }
  }

  private prune(): void {
    const t = this.now()
    for (const table of [this.codes, this.sessions])
      for (const [k, expiresAt] of table) if (expiresAt <= t) table.delete(k)
  }
}

/** Maps keep insertion order: the first keys are the oldest. */
function dropOldest(table: Map<string, number>, max: number): void {
  for (const k of table.keys()) {
    if (table.size <= max) return
    table.delete(k)
  }
}

/**
 * The Set-Cookie value of a session: HttpOnly (the page's script cannot read it), SameSite=Strict
 * (no other site's page can make the browser send it), Path=/ (the page and its API). Not
 * Secure: the control API is plain HTTP on loopback, where browsers would drop a Secure cookie.
 */
export function sessionCookie(name: string, session: string, maxAgeSeconds: number): string {
  return `${name}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`
}

/** The session id the cookie `name` holds in a Cookie header, or null. */
export function sessionFromCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}
