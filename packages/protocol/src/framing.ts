/**
 * Byte-level framing over libp2p 3 streams: one varint-length-prefixed frame per message,
 * read with a per-message size limit, written with back-pressure, every wait bounded by an
 * AbortSignal. Every failure is a ProtocolError (TIMEOUT, ABORTED, STREAM_CLOSED, TOO_LARGE,
 * MALFORMED), so handlers and clients map refusals without looking at libp2p's error zoo.
 *
 * libp2p 3 streams are MessageStreams (events + send()), not {source, sink} duplexes, so
 * it-length-prefixed-stream cannot be used; reading goes through `lpStream` from
 * @libp2p/utils. Protobuf encode/decode sits on top of these helpers (they never parse).
 *
 * A failed read or write aborts the stream: after a partial frame, an unread oversized frame
 * or a missed deadline the framing position is unknown, so the stream cannot be reused and
 * the remote must learn (by a reset) that we gave up.
 */
import { lpStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolError, ProtocolErrorCode } from './errors.js'
import type { AbortOptions, MessageStream } from '@libp2p/interface'

/**
 * Bytes the stream may deliver beyond the frame being read before we stop buffering.
 * A sender may legitimately pipeline the start of a next frame (or a muxer chunk may carry
 * it), but never more than one 64 KiB yamux chunk's worth while we still read this one.
 */
export const FRAME_READ_AHEAD_BYTES = 64 * 1024

/** Largest frame limit these helpers accept: a varint prefix of at most 5 bytes. */
export const MAX_FRAME_LIMIT = 2 ** 31 - 1

/** Options of every framed read or write: the caller's signal and an optional time limit. */
export interface FrameCallOptions extends AbortOptions {
  /**
   * Fail with TIMEOUT (and abort the stream) unless the call completes within this many ms.
   * Combined with `signal` through withDeadline, so the two stay distinguishable (TIMEOUT vs
   * ABORTED) and the timer is released as soon as the call settles.
   */
  timeoutMs?: number
}

export interface ReadFrameOptions extends FrameCallOptions {
  /** Largest accepted payload in bytes (the length prefix excluded). Larger frames are refused unread. */
  maxBytes: number
}

export interface WriteFrameOptions extends FrameCallOptions {
  /** When set, refuse (TOO_LARGE) to send a payload longer than this: the peer would refuse it anyway. */
  maxBytes?: number
}

/** One stream wrapped for repeated framed reads and writes with the same read limit. */
export interface FramedStream {
  /** Reads the next whole frame. Rejects with ProtocolError; the stream is then aborted. */
  read(options?: FrameCallOptions): Promise<Uint8Array>
  /** Writes one frame; resolves once the muxer accepted it (back-pressure honoured). */
  write(frame: Uint8Array, options?: FrameCallOptions): Promise<void>
  /** Stops framing and hands back unread bytes to the stream (for a later reader). */
  unwrap(): void
}

export interface FramedStreamInit {
  /** Largest accepted payload per read, in bytes. */
  maxBytes: number
}

/** Wraps a stream for framed reads and writes. Create it once per stream and reuse it. */
export function framedStream(stream: MessageStream, init: FramedStreamInit): FramedStream {
  const maxBytes = checkLimit(init.maxBytes)
  const maxLengthLength = varintLength(maxBytes)
  const lp = lpStream(stream, {
    maxDataLength: maxBytes,
    maxLengthLength,
    // bounds memory before the length is even known: a frame can never need more
    maxBufferSize: maxBytes + maxLengthLength + FRAME_READ_AHEAD_BYTES,
    lengthDecoder: buf => decodeLength(buf, maxBytes, maxLengthLength)
  })
  let unwrapped = false

  return {
    async read(options?: FrameCallOptions): Promise<Uint8Array> {
      return await bounded(options, async signal => {
        try {
          signal?.throwIfAborted()
          const frame = await lp.read({ signal })
          return frame.subarray()
        } catch (err) {
          throw failStream(stream, err, signal)
        }
      })
    },
    async write(frame: Uint8Array, options?: FrameCallOptions): Promise<void> {
      await writeFrame(stream, frame, { signal: options?.signal, timeoutMs: options?.timeoutMs })
    },
    unwrap(): void {
      if (unwrapped) return
      unwrapped = true
      try {
        lp.unwrap()
      } catch {
        // the readable end already closed: the unread bytes have nowhere to go
      }
    }
  }
}

/** Reads exactly one frame of at most `maxBytes` payload bytes. */
export async function readFrame(stream: MessageStream, options: ReadFrameOptions): Promise<Uint8Array> {
  const framed = framedStream(stream, { maxBytes: options.maxBytes })
  try {
    return await framed.read({ signal: options.signal, timeoutMs: options.timeoutMs })
  } finally {
    framed.unwrap()
  }
}

/**
 * Writes one length-prefixed frame. Uses `send()` and waits for 'drain' directly instead of
 * an lpStream, whose 'message' listener would start consuming inbound data as a side effect.
 */
export async function writeFrame(
  stream: MessageStream,
  frame: Uint8Array,
  options: WriteFrameOptions = {}
): Promise<void> {
  await bounded(options, async signal => {
    try {
      signal?.throwIfAborted()
      if (options.maxBytes !== undefined && frame.byteLength > checkLimit(options.maxBytes)) {
        throw new ProtocolError(
          ProtocolErrorCode.TOO_LARGE,
          `refusing to send a ${frame.byteLength}-byte frame (limit ${options.maxBytes})`
        )
      }
      if (frame.byteLength > MAX_FRAME_LIMIT) {
        throw new ProtocolError(
          ProtocolErrorCode.TOO_LARGE,
          `a ${frame.byteLength}-byte frame exceeds the framing limit`
        )
      }
      if (!stream.send(new Uint8ArrayList(encodeLength(frame.byteLength), frame))) {
        await stream.onDrain({ signal })
      }
    } catch (err) {
      throw failStream(stream, err, signal)
    }
  })
}

/** Runs one framed call under the caller's signal plus, when `timeoutMs` is set, a deadline released afterwards. */
async function bounded<T>(
  options: FrameCallOptions | undefined,
  run: (signal: AbortSignal | undefined) => Promise<T>
): Promise<T> {
  if (options?.timeoutMs === undefined) return await run(options?.signal)
  const deadline = withDeadline(options.timeoutMs, options.signal)
  try {
    return await run(deadline.signal)
  } finally {
    deadline.clear()
  }
}

/** A signal that aborts when the caller's signal does or when `timeoutMs` passes. */
export interface Deadline {
  /** Aborts with a ProtocolError: TIMEOUT when the time ran out, ABORTED when the caller aborted. */
  readonly signal: AbortSignal
  /** Releases the timer and the listener on the caller's signal. Always call it (try/finally). */
  clear(): void
}

/**
 * Combines an optional caller signal with a timeout. The abort reason tells the two apart,
 * which `AbortSignal.any([signal, AbortSignal.timeout(ms)])` only does by DOMException name
 * and without a way to release the timer early. The timer is unref'd: a forgotten deadline
 * never keeps the process alive.
 *
 * The timer is a plain setTimeout, held by the event loop whatever the garbage collector
 * does. Never build a deadline as `AbortSignal.any([..., AbortSignal.timeout(ms)])`: on Node
 * 20.20 the combined signal holds its sources weakly, and once the timeout signal has been
 * collected it never fires, so the operation hangs.
 */
export function withDeadline(timeoutMs: number, signal?: AbortSignal): Deadline {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new ProtocolError(
      ProtocolErrorCode.INVALID_FIELD,
      `timeout must be a finite number of ms >= 0, got ${timeoutMs}`
    )
  }
  const controller = new AbortController()
  const onCallerAbort = (): void => {
    release()
    controller.abort(
      new ProtocolError(ProtocolErrorCode.ABORTED, 'operation aborted by the caller', { cause: signal?.reason })
    )
  }
  const timer = setTimeout(() => {
    release()
    controller.abort(new ProtocolError(ProtocolErrorCode.TIMEOUT, `operation timed out after ${timeoutMs} ms`))
  }, timeoutMs)
  timer.unref?.()
  function release(): void {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onCallerAbort)
  }
  if (signal?.aborted === true) {
    onCallerAbort()
  } else {
    signal?.addEventListener('abort', onCallerAbort, { once: true })
  }
  return { signal: controller.signal, clear: release }
}

/**
 * Half-closes our writable end (the peer sees end-of-stream after our last frame) and waits
 * until queued bytes reached the muxer. Never throws: if the graceful close fails or the
 * signal fires first, the stream is aborted instead.
 */
export async function closeStream(stream: MessageStream, options?: AbortOptions): Promise<void> {
  if (stream.status !== 'open') return
  try {
    await stream.close(options)
  } catch (err) {
    abortStream(stream, toError(err))
  }
}

/** Resets the stream at once (both directions, unsent and unread data dropped). Never throws. */
export function abortStream(stream: MessageStream, reason?: Error): void {
  try {
    stream.abort(reason ?? new ProtocolError(ProtocolErrorCode.ABORTED, 'stream aborted'))
  } catch {
    // abort on a stream whose transport is already gone: nothing left to release
  }
}

// libp2p's errors are matched by name: several copies of @libp2p/utils and
// @libp2p/interface can coexist in node_modules, so instanceof is unreliable.
const TOO_LARGE_ERRORS = new Set(['InvalidDataLengthError', 'StreamBufferError'])
const MALFORMED_ERRORS = new Set(['InvalidMessageLengthError', 'InvalidDataLengthLengthError'])

/**
 * Maps any error thrown while using a stream to a ProtocolError. `signal` is the signal the
 * operation ran under: when it fired, its reason decides between TIMEOUT and ABORTED.
 */
export function toProtocolError(err: unknown, signal?: AbortSignal): ProtocolError {
  if (err instanceof ProtocolError) return err
  if (signal?.aborted === true) {
    const reason: unknown = signal.reason
    if (reason instanceof ProtocolError) return reason
    const code = errorName(reason) === 'TimeoutError' ? ProtocolErrorCode.TIMEOUT : ProtocolErrorCode.ABORTED
    return new ProtocolError(code, code === ProtocolErrorCode.TIMEOUT ? 'operation timed out' : 'operation aborted', {
      cause: reason
    })
  }
  const name = errorName(err)
  const message = err instanceof Error ? err.message : String(err)
  if (TOO_LARGE_ERRORS.has(name)) return new ProtocolError(ProtocolErrorCode.TOO_LARGE, message, { cause: err })
  if (MALFORMED_ERRORS.has(name)) return new ProtocolError(ProtocolErrorCode.MALFORMED, message, { cause: err })
  if (name === 'TimeoutError') return new ProtocolError(ProtocolErrorCode.TIMEOUT, message, { cause: err })
  if (name === 'AbortError') return new ProtocolError(ProtocolErrorCode.ABORTED, message, { cause: err })
  // UnexpectedEOFError, StreamResetError, StreamAbortedError, StreamStateError,
  // StreamClosedError, ConnectionClosedError, MuxerClosedError and anything else from the
  // transport: the stream is unusable, which is all a caller can act on.
  return new ProtocolError(ProtocolErrorCode.STREAM_CLOSED, `stream closed: ${message}`, { cause: err })
}

function failStream(stream: MessageStream, err: unknown, signal?: AbortSignal): ProtocolError {
  const failure = toProtocolError(err, signal)
  abortStream(stream, failure)
  return failure
}

function checkLimit(maxBytes: number): number {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxBytes > MAX_FRAME_LIMIT) {
    throw new ProtocolError(
      ProtocolErrorCode.INVALID_FIELD,
      `frame limit must be an integer in [0, ${MAX_FRAME_LIMIT}], got ${maxBytes}`
    )
  }
  return maxBytes
}

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
    ? (err as { name: string }).name
    : ''
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** Unsigned LEB128 (protobuf varint) length prefix. */
export function encodeLength(value: number): Uint8Array {
  const out: number[] = []
  let rest = value
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  out.push(rest)
  return Uint8Array.from(out)
}

/** Bytes of the varint prefix for `value`. */
export function varintLength(value: number): number {
  return encodeLength(value).byteLength
}

/**
 * lpStream's length decoder: RangeError means "need another byte". lpStream only checks the
 * prefix length after a successful decode, so an endless run of continuation bytes would be
 * read forever; refuse it as soon as it is longer than any legal prefix for `maxBytes`.
 */
function decodeLength(buf: Uint8ArrayList, maxBytes: number, maxLengthLength: number): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < buf.byteLength; i++) {
    const byte = buf.get(i)
    value += (byte & 0x7f) * scale
    if (byte < 0x80) return value
    scale *= 0x80
    if (i + 1 >= maxLengthLength) {
      throw new ProtocolError(
        ProtocolErrorCode.TOO_LARGE,
        `frame length prefix longer than ${maxLengthLength} bytes: more than ${maxBytes} bytes announced`
      )
    }
  }
  throw new RangeError('incomplete length prefix')
}
