import { describe, expect, it } from 'vitest'
import { BoundedMemo } from '../../../src/util/memo.js'

describe('BoundedMemo', () => {
  it('builds each key once and returns the same value', () => {
    const memo = new BoundedMemo<{ key: string }>(4)
    let builds = 0
    const build = (key: string) => () => {
      builds++
      return { key }
    }
    const a = memo.get('a', build('a'))
    expect(memo.get('a', build('a'))).toBe(a)
    expect(builds).toBe(1)
  })

  it('evicts the least recently used entry beyond its limit', () => {
    const memo = new BoundedMemo<string>(2)
    const built: string[] = []
    const get = (k: string): string =>
      memo.get(k, () => {
        built.push(k)
        return k
      })
    get('a')
    get('b')
    get('a') // a is now more recent than b
    get('c') // evicts b
    expect(memo.size).toBe(2)
    get('a')
    get('c')
    expect(built).toEqual(['a', 'b', 'c'])
    get('b') // rebuilt, evicts a
    get('a')
    expect(built).toEqual(['a', 'b', 'c', 'b', 'a'])
  })

  it('caches nothing when the build throws, and refuses a bad limit', () => {
    const memo = new BoundedMemo<number>(2)
    expect(() =>
      memo.get('x', () => {
        throw new Error('no')
      })
    ).toThrow('no')
    expect(memo.size).toBe(0)
    expect(memo.get('x', () => 5)).toBe(5)
    expect(() => new BoundedMemo(0)).toThrow(RangeError)
  })
})
