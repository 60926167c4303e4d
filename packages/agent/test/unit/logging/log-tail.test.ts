import { describe, expect, it } from 'vitest'
import { LogTail } from '../../../src/logging/log-tail.js'

describe('LogTail (the dashboard log tail)', () => {
  it('keeps the last lines of pino JSON, with their level, message and other fields', () => {
    const tail = new LogTail({ lines: 3 })
    for (let i = 0; i < 5; i++) tail.write(`{"level":30,"time":${i},"pid":1,"msg":"line ${i}","task":"t${i}"}\n`)
    const lines = tail.lines()
    expect(lines.map(l => l.msg)).toEqual(['line 2', 'line 3', 'line 4'])
    expect(lines[2]).toEqual({ time: 4, level: 30, msg: 'line 4', fields: '{"task":"t4"}' })
  })

  it('filters by level, splits chunks of several lines, keeps a non-JSON line as text, cuts long fields', () => {
    const tail = new LogTail({ fieldChars: 20 })
    tail.write(`{"level":20,"msg":"debug"}\n{"level":50,"msg":"error","err":"${'x'.repeat(100)}"}\n`)
    tail.write('not json\n')
    expect(tail.lines(40).map(l => l.msg)).toEqual(['error'])
    expect(tail.lines().map(l => l.msg)).toEqual(['debug', 'error', 'not json'])
    expect(tail.lines(40)[0]?.fields).toHaveLength(21) // 20 characters and the ellipsis
  })
})
