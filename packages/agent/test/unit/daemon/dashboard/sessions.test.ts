import { describe, expect, it } from 'vitest'
import {
  DashboardSessions,
  DEFAULT_DASHBOARD_SESSIONS,
  MAX_CODE_TTL_MS,
  sessionCookie,
  sessionFromCookie
} from '../../../../src/daemon/dashboard/sessions.js'

/** A clock the test moves by hand. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return {
    now: () => t,
    advance: ms => {
      t += ms
    }
  }
}

describe('DashboardSessions (one-time login codes → sessions)', () => {
  it('a code opens one session, once; the session is then valid and a second redeem fails', () => {
    const c = clock()
    const s = new DashboardSessions(c.now)
    const { code, expiresAt } = s.issueCode()
    expect(code).toMatch(/^[0-9a-f]{64}$/)
    expect(expiresAt).toBe(c.now() + DEFAULT_DASHBOARD_SESSIONS.codeTtlMs)
    const granted = s.redeem(code)
    expect(granted).not.toBeNull()
    expect(granted?.session).toMatch(/^[0-9a-f]{64}$/)
    expect(granted?.session).not.toBe(code)
    expect(s.valid(granted?.session ?? null)).toBe(true)
    expect(s.redeem(code)).toBeNull()
    expect(s.counts).toEqual({ codes: 0, sessions: 1 })
  })

  it('refuses unknown, empty and expired codes; an expired code is gone even if tried late', () => {
    const c = clock()
    const s = new DashboardSessions(c.now, { codeTtlMs: 1_000 })
    expect(s.redeem('')).toBeNull()
    expect(s.redeem('f'.repeat(64))).toBeNull()
    const { code } = s.issueCode()
    c.advance(1_000)
    expect(s.redeem(code)).toBeNull()
    const fresh = s.issueCode().code
    c.advance(999)
    expect(s.redeem(fresh)).not.toBeNull()
  })

  it('a code may be asked to live longer, up to an hour', () => {
    const c = clock()
    const s = new DashboardSessions(c.now)
    expect(s.issueCode(600_000).expiresAt).toBe(c.now() + 600_000)
    expect(s.issueCode(24 * 3_600_000).expiresAt).toBe(c.now() + MAX_CODE_TTL_MS)
    const { code } = s.issueCode(600_000)
    c.advance(599_999)
    expect(s.redeem(code)).not.toBeNull()
  })

  it('a session expires after its time to live; unknown or missing sessions are not valid', () => {
    const c = clock()
    const s = new DashboardSessions(c.now, { sessionTtlMs: 5_000 })
    const granted = s.redeem(s.issueCode().code)
    expect(granted?.maxAgeSeconds).toBe(5)
    c.advance(4_999)
    expect(s.valid(granted?.session ?? null)).toBe(true)
    c.advance(1)
    expect(s.valid(granted?.session ?? null)).toBe(false)
    expect(s.valid(null)).toBe(false)
    expect(s.valid('nope')).toBe(false)
  })

  it('both tables are bounded: the oldest code and the oldest session go first', () => {
    const c = clock()
    const s = new DashboardSessions(c.now, { maxCodes: 3, maxSessions: 2 })
    const codes = Array.from({ length: 5 }, () => s.issueCode().code)
    expect(s.counts.codes).toBe(3)
    expect(s.redeem(codes[0] as string)).toBeNull() // dropped
    const a = s.redeem(codes[2] as string)
    const b = s.redeem(codes[3] as string)
    const d = s.redeem(codes[4] as string)
    expect(s.counts.sessions).toBe(2)
    expect(s.valid(a?.session ?? null)).toBe(false) // the oldest session went
    expect(s.valid(b?.session ?? null)).toBe(true)
    expect(s.valid(d?.session ?? null)).toBe(true)
  })
})

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site, with a max age', () => {
    const cookie = sessionCookie('l2d2c_session_00ff', 'abc', 60)
    const attrs = cookie.split(';').map(p => p.trim())
    expect(attrs[0]).toBe('l2d2c_session_00ff=abc')
    expect(attrs).toContain('HttpOnly')
    expect(attrs).toContain('SameSite=Strict')
    expect(attrs).toContain('Path=/')
    expect(attrs).toContain('Max-Age=60')
  })

  it('is found among other cookies, and not found when absent', () => {
    const name = 'l2d2c_session_00ff'
    expect(sessionFromCookie('a=1; l2d2c_session_00ff=xyz; b=2', name)).toBe('xyz')
    expect(sessionFromCookie('l2d2c_session_00ff=xyz', name)).toBe('xyz')
    expect(sessionFromCookie('a=1; b=2', name)).toBeNull()
    expect(sessionFromCookie('xl2d2c_session_00ff=xyz', name)).toBeNull()
    expect(sessionFromCookie('l2d2c_session_11ee=xyz', name)).toBeNull() // another daemon's
    expect(sessionFromCookie(undefined, name)).toBeNull()
  })

  it('has a name of its own per daemon: browsers share cookies between the ports of one host', () => {
    const a = new DashboardSessions(Date.now)
    const b = new DashboardSessions(Date.now)
    expect(a.cookieName).toMatch(/^l2d2c_session_[0-9a-f]{8}$/)
    expect(a.cookieName).not.toBe(b.cookieName)
  })
})
