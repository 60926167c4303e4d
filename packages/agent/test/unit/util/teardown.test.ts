import { describe, expect, it } from 'vitest'
import type { Logger } from '../../../src/logging/logger.js'
import { runStopSteps, Teardown } from '../../../src/util/teardown.js'

function recordingLogger(lines: string[]): Logger {
  const log =
    (level: string) =>
    (a: object | string, b?: string): void => {
      lines.push(typeof a === 'string' ? `${level} ${a}` : `${level} ${b ?? ''} ${JSON.stringify(a)}`)
    }
  const logger: Logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger
  }
  return logger
}

describe('stop steps', () => {
  it('run in order; a failing step is logged with its error and the next ones still run', async () => {
    const lines: string[] = []
    const ran: string[] = []
    await runStopSteps(recordingLogger(lines), [
      { what: 'stop a', run: () => void ran.push('a') },
      {
        what: 'stop b',
        run: async () => {
          ran.push('b')
          throw new Error('b is stuck')
        }
      },
      { what: 'stop c', run: async () => void ran.push('c') }
    ])
    expect(ran).toEqual(['a', 'b', 'c'])
    expect(lines).toEqual(['error could not stop b {"err":"Error: b is stuck"}'])
  })

  it('a teardown undoes its steps in reverse order of registration, once', async () => {
    const ran: string[] = []
    const t = new Teardown(recordingLogger([]))
    for (const name of ['lock', 'learner', 'node']) t.add(`stop the ${name}`, () => void ran.push(name))
    await Promise.all([t.run(), t.run()])
    await t.run()
    expect(ran).toEqual(['node', 'learner', 'lock'])
  })
})
