import { describe, expect, it } from 'vitest'
import { DEFAULT_SITE_POLICY, SitePolicy } from '../../../../src/sharing/policy/site-policy.js'
import { TaskGlobError } from '../../../../src/sharing/policy/task-glob.js'

const CT = 'ctgraph/d2b2/img3/leaf10'
const MG = 'minigrid/SimpleCrossingS9N2/seed9157'
const P1 = '12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'
const P2 = '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM'

describe('site policy', () => {
  it('by default serves and accepts every task, from any peer, and adopts automatically', () => {
    const p = new SitePolicy()
    expect([p.serves(CT), p.serves(MG), p.accepts(CT), p.accepts(MG)]).toEqual([true, true, true, true])
    expect(p.acceptsFrom(P1)).toBe(true)
    expect(p.adopt).toBe('auto')
    expect(p.describe()).toEqual(DEFAULT_SITE_POLICY)
  })

  it('serves, accepts and takes from what it lists only', () => {
    const p = new SitePolicy({ serve: ['ctgraph/**'], accept: ['minigrid/**'], acceptFrom: [P1], adopt: 'review' })
    expect(p.serves(CT)).toBe(true)
    expect(p.serves(MG)).toBe(false)
    expect(p.accepts(CT)).toBe(false)
    expect(p.accepts(MG)).toBe(true)
    expect(p.acceptsFrom(P1)).toBe(true)
    expect(p.acceptsFrom(P2)).toBe(false)
    expect(p.adopt).toBe('review')
  })

  it('an empty serve or accept list serves or accepts nothing', () => {
    const p = new SitePolicy({ ...DEFAULT_SITE_POLICY, serve: [], accept: [] })
    expect(p.serves(CT)).toBe(false)
    expect(p.accepts(CT)).toBe(false)
  })

  it('refuses a bad pattern or peer id', () => {
    expect(() => new SitePolicy({ ...DEFAULT_SITE_POLICY, serve: ['a**'] })).toThrow(TaskGlobError)
    expect(() => new SitePolicy({ ...DEFAULT_SITE_POLICY, acceptFrom: ['not a peer id!'] })).toThrow('acceptFrom')
    expect(() => new SitePolicy({ ...DEFAULT_SITE_POLICY, acceptFrom: [''] })).toThrow('empty')
  })
})
