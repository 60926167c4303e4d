import { isProtocolError } from '@l2d2c/protocol'

// The one set of error helpers for the whole package (store, network, learner): no libp2p or
// Node imports, so any module may use them. libp2p's and Node's errors are told apart by name
// and code: several copies of a libp2p package can coexist in node_modules, so instanceof is
// unreliable.

/** The `name` of an Error-like value, or '' when it has none. */
export function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
    ? (err as { name: string }).name
    : ''
}

/** The `code` of a Node system error (ENOENT, EEXIST, ...), or undefined. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined
}

/** An error's message, or the value as text when it is not an Error. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** One line for logs and round results: a ProtocolError's code and message, or an error's name and message. */
export function describeError(err: unknown): string {
  if (isProtocolError(err)) return `${err.code}: ${err.message}`
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
