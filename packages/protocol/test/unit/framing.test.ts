import { streamPair } from '@libp2p/utils'
import { describe, expect, it, vi } from 'vitest'
import { ProtocolError, ProtocolErrorCode, isProtocolError } from '../../src/errors.js'
import {
  FRAME_READ_AHEAD_BYTES,
  abortStream,
  closeStream,
  encodeLength,
  framedStream,
  readFrame,
  toProtocolError,
  varintLength,
  withDeadline,
  writeFrame
} from '../../src/framing.js'
import type { Stream } from '@libp2p/interface'

/** Byte equality without vitest's element-by-element diff (seconds on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}

async function rejection(promise: Promise<unknown>): Promise<ProtocolError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ProtocolError) return err
    throw new Error(`expected a ProtocolError, got ${String(err)}`)
  }
  throw new Error('expected a rejection')
}

/** Resolves when the stream emits 'close' (reset, abort or both ends closed). */
async function closed(stream: Stream): Promise<Error | undefined> {
  if (stream.status !== 'open' && stream.status !== 'closing') return undefined
  return await new Promise(resolve => {
    stream.addEventListener(
      'close',
      evt => {
        resolve(evt.error)
      },
      { once: true }
    )
  })
}

describe('framing: reads and writes', () => {
  it('round-trips frames of 0 B, 1 B, 300 KB (several muxer chunks)', async () => {
    const [a, b] = await streamPair()
    for (const payload of [new Uint8Array(0), Uint8Array.of(7), bytes(300_000)]) {
      const [, got] = await Promise.all([writeFrame(a, payload), readFrame(b, { maxBytes: 300_000 })])
      expect(sameBytes(got, payload)).toBe(true)
    }
  })

  it("reads a frame above lpStream's 4 MiB default buffer when the limit allows it", async () => {
    const [a, b] = await streamPair()
    const payload = bytes(5 * 1024 * 1024)
    const [, got] = await Promise.all([writeFrame(a, payload), readFrame(b, { maxBytes: payload.byteLength })])
    expect(got.byteLength).toBe(payload.byteLength)
    expect(sameBytes(got, payload)).toBe(true)
  })

  it('keeps bytes read ahead for the next readFrame (two frames sent in one write)', async () => {
    const [a, b] = await streamPair()
    const first = bytes(10, 1)
    const second = bytes(20, 2)
    a.send(Uint8Array.from([...encodeLength(10), ...first, ...encodeLength(20), ...second]))
    expect(await readFrame(b, { maxBytes: 100 })).toEqual(first)
    expect(await readFrame(b, { maxBytes: 100 })).toEqual(second)
  })

  it("a framed stream reads several frames and reaches the peer's end-of-stream as STREAM_CLOSED", async () => {
    const [a, b] = await streamPair()
    const framed = framedStream(b, { maxBytes: 64 })
    await writeFrame(a, bytes(3))
    await writeFrame(a, bytes(4))
    await closeStream(a)
    expect((await framed.read()).byteLength).toBe(3)
    expect((await framed.read()).byteLength).toBe(4)
    expect((await rejection(framed.read())).code).toBe(ProtocolErrorCode.STREAM_CLOSED)
  })

  it('honours write back-pressure (waits for drain) and delivers every byte', async () => {
    const [a, b] = await streamPair({ capacity: 1, delay: 2 })
    const payload = bytes(200_000)
    const [, got] = await Promise.all([writeFrame(a, payload), readFrame(b, { maxBytes: 200_000 })])
    expect(sameBytes(got, payload)).toBe(true)
  })
})

describe('framing: refusals map to ProtocolError codes', () => {
  it('refuses a frame one byte over the limit with TOO_LARGE and resets the stream', async () => {
    const [a, b] = await streamPair()
    const aClosed = closed(a)
    const [, err] = await Promise.all([
      writeFrame(a, bytes(101)).catch(() => {}),
      rejection(readFrame(b, { maxBytes: 100 }))
    ])
    expect(err.code).toBe(ProtocolErrorCode.TOO_LARGE)
    expect(b.status).toBe('aborted')
    expect(await aClosed).toBeDefined() // the writer learns by a reset
  })

  it('refuses an oversized frame from its length prefix alone, without waiting for or buffering the body', async () => {
    // each announces more than the limit but sends 10 bytes and keeps the stream open: a
    // reader that waited for the body first would hang until the 2 s signal
    const cases = [
      { limit: 100_000, announced: 100_001, message: /100001 > 100000/ }, // same prefix length: lpStream's maxDataLength
      { limit: 1024, announced: 2 ** 30, message: /prefix longer than 2 bytes/ } // longer prefix: refused mid-prefix
    ]
    for (const { limit, announced, message } of cases) {
      const [a, b] = await streamPair()
      a.send(Uint8Array.from([...encodeLength(announced), ...bytes(10)]))
      const err = await rejection(readFrame(b, { maxBytes: limit, signal: AbortSignal.timeout(2000) }))
      expect(err.code).toBe(ProtocolErrorCode.TOO_LARGE)
      expect(err.message).toMatch(message) // not TIMEOUT: nothing waited for the body
    }
  })

  it('stops buffering a sender that streams far beyond the limit while the prefix is still unread', async () => {
    const [a, b] = await streamPair()
    const framed = framedStream(b, { maxBytes: 16 })
    // a run of continuation bytes never ends the varint: refused as soon as it is too long
    a.send(new Uint8Array(FRAME_READ_AHEAD_BYTES).fill(0xff))
    const err = await rejection(framed.read({ signal: AbortSignal.timeout(2000) }))
    expect(err.code).toBe(ProtocolErrorCode.TOO_LARGE)
  })

  it('caps what it buffers between reads: a 1 MB flood against a 16-byte limit resets the stream', async () => {
    const [a, b] = await streamPair()
    const framed = framedStream(b, { maxBytes: 16 })
    const bClosed = closed(b)
    a.send(new Uint8Array(1_000_000))
    expect(await bClosed).toBeDefined() // aborted on arrival, before anyone read
    const err = await rejection(framed.read())
    expect(err.code).toBe(ProtocolErrorCode.TOO_LARGE)
    expect(err.message).toMatch(/overflow/)
  })

  it('reports STREAM_CLOSED when the peer ends the stream before a frame, or in the middle of one', async () => {
    const [a, b] = await streamPair()
    await closeStream(a)
    expect((await rejection(readFrame(b, { maxBytes: 10 }))).code).toBe(ProtocolErrorCode.STREAM_CLOSED)

    const [c, d] = await streamPair()
    c.send(Uint8Array.from([...encodeLength(100), ...bytes(10)]))
    await closeStream(c)
    const err = await rejection(readFrame(d, { maxBytes: 100 }))
    expect(err.code).toBe(ProtocolErrorCode.STREAM_CLOSED)
    expect(err.message).toMatch(/10\/100|EOF/)
  })

  it('reports STREAM_CLOSED when the peer resets the stream during a read', async () => {
    const [a, b] = await streamPair()
    const pending = rejection(readFrame(b, { maxBytes: 10 }))
    abortStream(a, new Error('peer gave up'))
    expect((await pending).code).toBe(ProtocolErrorCode.STREAM_CLOSED)
  })

  it('reports STREAM_CLOSED when writing to a stream already closed for writing', async () => {
    const [a] = await streamPair()
    await closeStream(a)
    expect((await rejection(writeFrame(a, bytes(3)))).code).toBe(ProtocolErrorCode.STREAM_CLOSED)
  })

  it('refuses to send a frame over the optional write limit, before sending anything', async () => {
    const [a] = await streamPair()
    const err = await rejection(writeFrame(a, bytes(11), { maxBytes: 10 }))
    expect(err.code).toBe(ProtocolErrorCode.TOO_LARGE)
    expect(a.status).toBe('aborted')
  })

  it('rejects bad limits with INVALID_FIELD', async () => {
    const [a] = await streamPair()
    for (const maxBytes of [-1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => framedStream(a, { maxBytes })).toThrow(ProtocolError)
    }
  })
})

describe('framing: deadlines and caller aborts', () => {
  it('a silent peer hits the deadline: TIMEOUT, and the stream is reset', async () => {
    const [a, b] = await streamPair()
    const aClosed = closed(a)
    const deadline = withDeadline(50)
    const started = performance.now()
    try {
      const err = await rejection(readFrame(b, { maxBytes: 10, signal: deadline.signal }))
      expect(err.code).toBe(ProtocolErrorCode.TIMEOUT)
    } finally {
      deadline.clear()
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    expect(await aClosed).toBeDefined()
  })

  it("the caller's AbortSignal aborts a pending read: ABORTED, with the caller's reason as cause", async () => {
    const [, b] = await streamPair()
    const caller = new AbortController()
    const deadline = withDeadline(10_000, caller.signal)
    const pending = rejection(readFrame(b, { maxBytes: 10, signal: deadline.signal }))
    const reason = new Error('user pressed ctrl-c')
    caller.abort(reason)
    const err = await pending
    deadline.clear()
    expect(err.code).toBe(ProtocolErrorCode.ABORTED)
    expect(err.cause).toBe(reason)
  })

  it('an already-aborted caller signal fails at once without reading', async () => {
    const [a, b] = await streamPair()
    a.send(Uint8Array.from([...encodeLength(1), 9]))
    const deadline = withDeadline(10_000, AbortSignal.abort())
    expect(deadline.signal.aborted).toBe(true)
    expect((await rejection(readFrame(b, { maxBytes: 10, signal: deadline.signal }))).code).toBe(
      ProtocolErrorCode.ABORTED
    )
  })

  it('plain signals work too: AbortSignal.timeout maps to TIMEOUT, a bare abort to ABORTED', async () => {
    const [, b] = await streamPair()
    expect((await rejection(readFrame(b, { maxBytes: 10, signal: AbortSignal.timeout(20) }))).code).toBe(
      ProtocolErrorCode.TIMEOUT
    )
    const [, d] = await streamPair()
    const controller = new AbortController()
    const pending = rejection(readFrame(d, { maxBytes: 10, signal: controller.signal }))
    controller.abort()
    expect((await pending).code).toBe(ProtocolErrorCode.ABORTED)
  })

  it('clear() disarms both the timer and the caller link', async () => {
    const caller = new AbortController()
    const deadline = withDeadline(20, caller.signal)
    deadline.clear()
    caller.abort()
    await new Promise(resolve => setTimeout(resolve, 40))
    expect(deadline.signal.aborted).toBe(false)
  })

  it('readFrame takes a timeout itself: a silent peer gets TIMEOUT after timeoutMs, and the stream is reset', async () => {
    const [a, b] = await streamPair()
    const aClosed = closed(a)
    const started = performance.now()
    expect((await rejection(readFrame(b, { maxBytes: 10, timeoutMs: 50 }))).code).toBe(ProtocolErrorCode.TIMEOUT)
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    expect(await aClosed).toBeDefined()
  })

  it("with a timeout, the caller's signal still aborts first as ABORTED, with its reason as cause", async () => {
    const [, b] = await streamPair()
    const caller = new AbortController()
    const pending = rejection(readFrame(b, { maxBytes: 10, signal: caller.signal, timeoutMs: 10_000 }))
    const reason = new Error('shutting down')
    caller.abort(reason)
    const err = await pending
    expect(err.code).toBe(ProtocolErrorCode.ABORTED)
    expect(err.cause).toBe(reason)
  })

  it('writeFrame takes a timeout: a peer that never drains gets TIMEOUT, and the stream is aborted', async () => {
    // A stream whose muxer buffer stays full: send() asks for a drain that only the signal ends.
    let aborted: Error | undefined
    const stuck = {
      status: 'open',
      send: () => false,
      onDrain: async (options?: { signal?: AbortSignal }) =>
        await new Promise<void>((_resolve, reject) => {
          options?.signal?.addEventListener(
            'abort',
            () => {
              reject(options.signal?.reason)
            },
            { once: true }
          )
        }),
      abort: (err: Error) => {
        aborted = err
      }
    } as unknown as Stream
    const started = performance.now()
    expect((await rejection(writeFrame(stuck, bytes(10), { timeoutMs: 50 }))).code).toBe(ProtocolErrorCode.TIMEOUT)
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    expect(aborted).toBeInstanceOf(ProtocolError)
  })

  it('a framed call that completes in time releases its timer', async () => {
    const set = vi.spyOn(globalThis, 'setTimeout')
    const clear = vi.spyOn(globalThis, 'clearTimeout')
    try {
      const [a, b] = await streamPair()
      await writeFrame(a, Uint8Array.of(1, 2), { timeoutMs: 60_000 })
      expect(await framedStream(b, { maxBytes: 10 }).read({ timeoutMs: 60_000 })).toEqual(Uint8Array.of(1, 2))
      const handles = set.mock.calls.flatMap((call, i) => (call[1] === 60_000 ? [set.mock.results[i]?.value] : []))
      expect(handles).toHaveLength(2)
      for (const h of handles) expect(clear).toHaveBeenCalledWith(h)
    } finally {
      set.mockRestore()
      clear.mockRestore()
    }
  })

  it('refuses a bad timeoutMs with INVALID_FIELD', async () => {
    const [, b] = await streamPair()
    expect((await rejection(readFrame(b, { maxBytes: 10, timeoutMs: -1 }))).code).toBe(ProtocolErrorCode.INVALID_FIELD)
  })

  it('refuses a negative or non-finite timeout', () => {
    expect(() => withDeadline(-1)).toThrow(ProtocolError)
    expect(() => withDeadline(Number.POSITIVE_INFINITY)).toThrow(ProtocolError)
  })
})

describe('framing: closing', () => {
  it('closeStream half-closes: the peer reads our last frame, then end-of-stream, and can still answer', async () => {
    const [a, b] = await streamPair()
    await writeFrame(a, bytes(5))
    await closeStream(a)
    expect((await readFrame(b, { maxBytes: 10 })).byteLength).toBe(5)
    await writeFrame(b, bytes(6))
    expect((await readFrame(a, { maxBytes: 10 })).byteLength).toBe(6)
    const bothClosed = Promise.all([closed(a), closed(b)])
    await closeStream(b)
    expect(await bothClosed).toEqual([undefined, undefined]) // closed without error
    expect([a.status, b.status]).toEqual(['closed', 'closed'])
  })

  it('closeStream and abortStream never throw, whatever state the stream is in', async () => {
    const [a] = await streamPair()
    abortStream(a)
    abortStream(a)
    await expect(closeStream(a)).resolves.toBeUndefined()
    expect(a.status).toBe('aborted')
  })
})

describe('framing: error mapping and varints', () => {
  const named = (name: string): Error => Object.assign(new Error(name), { name })

  it.each([
    ['InvalidDataLengthError', ProtocolErrorCode.TOO_LARGE],
    ['StreamBufferError', ProtocolErrorCode.TOO_LARGE],
    ['InvalidMessageLengthError', ProtocolErrorCode.MALFORMED],
    ['InvalidDataLengthLengthError', ProtocolErrorCode.MALFORMED],
    ['UnexpectedEOFError', ProtocolErrorCode.STREAM_CLOSED],
    ['StreamResetError', ProtocolErrorCode.STREAM_CLOSED],
    ['StreamStateError', ProtocolErrorCode.STREAM_CLOSED],
    ['ConnectionClosedError', ProtocolErrorCode.STREAM_CLOSED],
    ['TimeoutError', ProtocolErrorCode.TIMEOUT],
    ['AbortError', ProtocolErrorCode.ABORTED]
  ])("maps libp2p's %s to %s, keeping the original as cause", (name, code) => {
    const original = named(name)
    const mapped = toProtocolError(original)
    expect(isProtocolError(mapped, code)).toBe(true)
    expect(mapped.cause).toBe(original)
  })

  it("lets the signal's reason win over the error it produced", () => {
    const reason = new ProtocolError(ProtocolErrorCode.TIMEOUT, 'late')
    expect(toProtocolError(named('StreamResetError'), AbortSignal.abort(reason))).toBe(reason)
  })

  it('encodes protobuf varints', () => {
    expect(Array.from(encodeLength(0))).toEqual([0])
    expect(Array.from(encodeLength(127))).toEqual([127])
    expect(Array.from(encodeLength(300))).toEqual([0xac, 0x02])
    expect(Array.from(encodeLength(2 ** 31 - 1))).toEqual([0xff, 0xff, 0xff, 0xff, 0x07])
    expect(varintLength(2 ** 21)).toBe(4)
  })
})
