/**
 * A unit's options: its exported defaults, overridden by the values `init` defines. An
 * undefined value keeps the default (a plain spread would let `{ x: undefined }` erase it).
 */
export function withDefaults<T extends object>(defaults: T, init: { readonly [K in keyof T]?: T[K] } = {}): T {
  const out = { ...defaults }
  for (const key of Object.keys(init) as Array<keyof T>) {
    const value = init[key]
    if (value !== undefined) out[key] = value as T[keyof T]
  }
  return out
}
