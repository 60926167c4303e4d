#!/usr/bin/env node
import { ExitCode } from './exit-codes.js'
import { exitWhenLingering } from './forced-exit.js'
import { run } from './program.js'

// The only place that handles signals and sets the exit code. The first SIGINT/SIGTERM asks
// the running command to stop gracefully (finish the current step, persist, close); a second
// one forces the exit.
const stop = new AbortController()
let signals = 0
const onSignal = (name: NodeJS.Signals): void => {
  signals++
  if (signals === 1) {
    process.stderr.write(`\nl2d2c: ${name} received, stopping (again to force)\n`)
    stop.abort(new Error(name))
  } else {
    process.stderr.write(`l2d2c: forced exit\n`)
    process.exit(ExitCode.INTERRUPTED)
  }
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
  env: process.env
})
process.exitCode = code
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
// The command is over: a handle it left open must not keep the process alive (see forced-exit.ts).
exitWhenLingering({
  stdout: process.stdout,
  stderr: process.stderr,
  resources: () => process.getActiveResourcesInfo(),
  exit: () => process.exit()
})
