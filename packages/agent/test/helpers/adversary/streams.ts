import type { Stream } from '@libp2p/interface'

/** Writes raw bytes (no framing), waiting for the stream to drain if it must. */
export async function sendRaw(stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain()
}

export type StreamEnd = 'answered' | 'closed' | 'reset' | 'hung'

/**
 * Reads a stream to its end within `timeoutMs`: 'answered' if any byte came back before the
 * remote closed it, 'closed' for a clean end without a byte, 'reset' when the remote reset it,
 * 'hung' when nothing ended it in time (the stream is then aborted).
 */
export async function drain(stream: Stream, timeoutMs: number): Promise<{ end: StreamEnd; bytes: number }> {
  let bytes = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<'hung'>(resolve => {
    timer = setTimeout(() => {
      resolve('hung')
    }, timeoutMs)
  })
  const read = (async (): Promise<StreamEnd> => {
    try {
      for await (const chunk of stream) bytes += chunk.byteLength
      return bytes > 0 ? 'answered' : 'closed'
    } catch {
      return bytes > 0 ? 'answered' : 'reset'
    }
  })()
  const end = await Promise.race([read, hung])
  clearTimeout(timer)
  if (end === 'hung') stream.abort(new Error('the fuzzer gave up waiting'))
  return { end, bytes }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        resolve()
      },
      { once: true }
    )
  })
}
