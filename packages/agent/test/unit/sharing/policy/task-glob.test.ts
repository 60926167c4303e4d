import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchesAny, parseTaskGlob, TaskGlobError } from '../../../../src/sharing/policy/task-glob.js'

const CT = 'ctgraph/d2b2/img3/leaf10'
const MG = 'minigrid/SimpleCrossingS9N2/seed9157'

describe('task-key patterns', () => {
  it.each([
    ['**', CT, true],
    ['**', MG, true],
    ['ctgraph/**', CT, true],
    ['ctgraph/**', MG, false],
    ['ctgraph/d2b2/*', CT, false], // * stays inside one segment
    ['ctgraph/d2b2/*/*', CT, true],
    ['ctgraph/*/img3/**', CT, true],
    ['ctgraph/**/leaf10', CT, true],
    ['ctgraph/**/leaf1?', CT, true],
    ['ctgraph/**/leaf0?', CT, false],
    ['**/leaf10', CT, true],
    ['ctgraph/d2b2/img3/leaf10', CT, true], // a plain key matches itself only
    ['ctgraph/d2b2/img3/leaf1', CT, false],
    ['ctgraph/d2b2/img3/leaf10/**', CT, false], // ** at the end needs at least one more segment
    ['minigrid/*Crossing*/**', MG, true],
    ['minigrid/Lava*/**', MG, false],
    ['ctgraph/d2b2/img3/leaf1.', CT, false], // "." is a literal, not "any character"
    ['c*', CT, false], // a pattern matches the whole key, and * never crosses a /
    ['*', 'solo', true]
  ])('%s against %s: %s', (pattern, key, want) => {
    expect(parseTaskGlob(pattern).matches(key)).toBe(want)
  })

  it.each([
    ['', 'empty'],
    ['ctgraph//x', 'empty segment'],
    ['/ctgraph', 'empty segment'],
    ['ctgraph/', 'empty segment'],
    ['ctgraph/a**b', '** must be a whole segment'],
    ['ctgraph/[ab]', 'only task-key characters'],
    ['ctgraph d2b2', 'only task-key characters'],
    ['x'.repeat(257), 'longer than 256'],
    ['*'.repeat(3) + '/?'.repeat(14), 'more than 16 wildcards']
  ])('refuses %j (%s)', (pattern, reason) => {
    expect(() => parseTaskGlob(pattern)).toThrow(TaskGlobError)
    expect(() => parseTaskGlob(pattern)).toThrow(reason)
  })

  it('a pattern without wildcards matches exactly the equal key; ** matches every key', () => {
    const seg = fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/)
    const key = fc.array(seg, { minLength: 1, maxLength: 5 }).map(s => s.join('/'))
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(parseTaskGlob(a).matches(b)).toBe(a === b)
        expect(parseTaskGlob('**').matches(b)).toBe(true)
      })
    )
  })

  it('matchesAny: any of the list, none for an empty list', () => {
    const globs = ['ctgraph/**', 'minigrid/Lava*/**'].map(parseTaskGlob)
    expect(matchesAny(globs, CT)).toBe(true)
    expect(matchesAny(globs, MG)).toBe(false)
    expect(matchesAny([], CT)).toBe(false)
  })
})
