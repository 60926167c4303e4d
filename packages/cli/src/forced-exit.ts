import type { Writable } from 'node:stream'

export interface ForcedExitIo {
  stdout: Pick<Writable, 'writableLength'>
  stderr: Pick<Writable, 'writableLength' | 'write'>
  /** What still keeps the process alive (process.getActiveResourcesInfo). */
  resources: () => string[]
  exit: () => void
}

/**
 * Once a command is over, a handle left open (a libp2p dial timer, a call the daemon's stop
 * gave up waiting for) must not keep the process alive. Every everyMs: if stdout and stderr
 * have drained (a slow reader of piped output must get all of it; pipes are asynchronous on
 * macOS), name what is still open on stderr, so a leak shows (in the demo's daemon.log too),
 * and exit. The timer itself keeps nothing alive.
 */
export function exitWhenLingering(io: ForcedExitIo, everyMs = 5_000): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (io.stdout.writableLength > 0 || io.stderr.writableLength > 0) return
    clearInterval(timer)
    io.stderr.write(`l2d2c: exiting; still open: ${io.resources().join(', ')}\n`, () => {
      io.exit()
    })
  }, everyMs)
  timer.unref()
  return timer
}
