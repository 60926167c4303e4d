/** Awaits a promise that must reject with an instance of `ErrorClass`, and returns the error. */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  ErrorClass: abstract new (...args: never[]) => E
): Promise<E> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ErrorClass) return err
    throw new Error(`expected a ${ErrorClass.name}, got ${String(err)}`)
  }
  throw new Error(`expected a rejection with a ${ErrorClass.name}`)
}
