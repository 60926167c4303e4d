import { describeError } from '../errors.js'
import type { Logger } from '../logging/logger.js'

/** One step of a shutdown; `what` completes "could not ...", e.g. 'stop the libp2p node'. */
export interface StopStep {
  readonly what: string
  readonly run: () => Promise<void> | void
}

/**
 * Runs shutdown steps in the given order. A step that fails is logged at error level and the
 * next ones still run: one part failing to stop must not leave the others running.
 */
export async function runStopSteps(logger: Logger, steps: readonly StopStep[]): Promise<void> {
  for (const { what, run } of steps) {
    try {
      await run()
    } catch (err) {
      logger.error({ err: describeError(err) }, `could not ${what}`)
    }
  }
}

/**
 * How to take down something built part by part: each part, once started, registers how to
 * stop it, and run() takes the steps in reverse order (runStopSteps). run() runs the steps
 * once; later calls wait for that run.
 */
export class Teardown {
  private readonly steps: StopStep[] = []
  private running: Promise<void> | null = null

  constructor(private readonly logger: Logger) {}

  add(what: string, run: () => Promise<void> | void): void {
    this.steps.push({ what, run })
  }

  run(): Promise<void> {
    this.running ??= runStopSteps(this.logger, this.steps.splice(0).reverse())
    return this.running
  }
}
