/**
 * Every way a peer, a file or a caller can hand us bytes we refuse. Decoders throw only
 * ProtocolError (never a RangeError from a parser, never a bare Error), so callers can map
 * a refusal to a status, a log line or an exit code without guessing.
 */
export const ProtocolErrorCode = {
  /** Not a valid encoding of the expected message (protobuf or binary parse failure). */
  MALFORMED: 'MALFORMED',
  /** The input ends before the structure it announces. */
  TRUNCATED: 'TRUNCATED',
  /** Bytes remain after a complete structure. */
  TRAILING_BYTES: 'TRAILING_BYTES',
  /** A size, count or length exceeds a protocol limit (see constants.ts). */
  TOO_LARGE: 'TOO_LARGE',
  /** Magic number or format version we do not speak. */
  UNKNOWN_VERSION: 'UNKNOWN_VERSION',
  /** An enum value (encoding, status) we do not know. */
  UNKNOWN_ENUM: 'UNKNOWN_ENUM',
  /** The mask encoding is known but not supported here (by this implementation, or for this operation). */
  UNSUPPORTED_ENCODING: 'UNSUPPORTED_ENCODING',
  /** A DELTA mask was given without the base (the task's initial mask) it is coded against. */
  MISSING_BASE: 'MISSING_BASE',
  /** The content id does not match the bytes, or is not a CIDv1 raw sha2-256. */
  CID_MISMATCH: 'CID_MISMATCH',
  /** A NaN or infinite number where only finite values are allowed. */
  NON_FINITE: 'NON_FINITE',
  /** Shapes or sizes that contradict each other (layer table vs payload, chunk sizes, expected shapes). */
  INCONSISTENT_SHAPE: 'INCONSISTENT_SHAPE',
  /** A field is missing, empty or out of its allowed range. */
  INVALID_FIELD: 'INVALID_FIELD',
  /** The mask belongs to another backbone than the one expected. */
  BACKBONE_MISMATCH: 'BACKBONE_MISMATCH',
  /** A stream operation exceeded its deadline. */
  TIMEOUT: 'TIMEOUT',
  /** The caller aborted the operation. */
  ABORTED: 'ABORTED',
  /** The remote closed the stream before the expected message. */
  STREAM_CLOSED: 'STREAM_CLOSED'
} as const

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode]

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ProtocolError'
    this.code = code
  }
}

export function isProtocolError(err: unknown, code?: ProtocolErrorCode): err is ProtocolError {
  return err instanceof ProtocolError && (code === undefined || err.code === code)
}
