import { describe, expect, it } from 'vitest'
import { exitWhenLingering } from '../../src/forced-exit.js'

describe('exitWhenLingering', () => {
  it('waits while output is still queued, then names what is open on stderr and exits after that line', async () => {
    const pending = { stdout: 4096, stderr: 0 }
    const events: string[] = []
    const exited = new Promise<void>(resolve => {
      exitWhenLingering(
        {
          stdout: {
            get writableLength() {
              return pending.stdout
            }
          },
          stderr: {
            get writableLength() {
              return pending.stderr
            },
            write: ((text: string, cb: () => void) => {
              events.push(text)
              setTimeout(cb, 5)
              return true
            }) as never
          },
          resources: () => ['TCPSocketWrap', 'Timeout'],
          exit: () => {
            events.push('exit')
            resolve()
          }
        },
        10
      )
    })
    await new Promise(resolve => setTimeout(resolve, 60))
    expect(events, 'a slow reader of stdout is not cut off').toEqual([])
    pending.stdout = 0
    await exited
    expect(events).toEqual(['l2d2c: exiting; still open: TCPSocketWrap, Timeout\n', 'exit'])
  })

  it('does not keep the process alive itself', () => {
    const timer = exitWhenLingering(
      {
        stdout: { writableLength: 0 },
        stderr: { writableLength: 0, write: (() => true) as never },
        resources: () => [],
        exit: () => {}
      },
      10
    )
    expect(timer.hasRef()).toBe(false)
    clearInterval(timer)
  })
})
