import { format } from 'node:util'
import type { ComponentLogger, Logger as Libp2pLogger } from '@libp2p/interface'
import type { Logger } from './logger.js'

/**
 * Routes libp2p's component logs (debug-style format strings: %p peer id, %a multiaddr,
 * %c CID, %e error, %b/%t/%m bytes) into the node's logger as debug/trace lines. libp2p
 * logs routine events (failed dials, aborted streams) at its `error` level, so those become
 * debug here, not errors. Nothing is formatted unless `enabled` (debug level on).
 */
export function libp2pLogBridge(root: Logger, enabled: boolean): ComponentLogger {
  const render = (fmt: unknown, args: unknown[]): string => {
    if (typeof fmt !== 'string') return format(fmt, ...args)
    let i = 0
    const text = fmt.replace(/%([pacekbtm])/g, (_m, _k: string) => {
      const a = args[i++]
      if (a instanceof Uint8Array) return Buffer.from(a).toString('hex')
      if (a instanceof Error) return a.message
      return String(a)
    })
    return format(text, ...args.slice(i))
  }
  const make = (name: string): Libp2pLogger => {
    const child = root.child({ component: name })
    const log = ((fmt: unknown, ...args: unknown[]) => {
      if (enabled) child.trace(render(fmt, args))
    }) as unknown as Libp2pLogger
    const extra = log as unknown as Record<string, unknown>
    extra.error = (fmt: unknown, ...args: unknown[]) => {
      if (enabled) child.debug(render(fmt, args))
    }
    extra.trace = (fmt: unknown, ...args: unknown[]) => {
      if (enabled) child.trace(render(fmt, args))
    }
    extra.enabled = enabled
    extra.newScope = (scope: string) => make(`${name}:${scope}`)
    return log
  }
  return { forComponent: make }
}
