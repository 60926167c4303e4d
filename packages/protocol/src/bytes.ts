import { ProtocolError } from './errors.js'

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/** Little-endian cursor writer into a buffer of known size (the codec computes sizes first). */
export class ByteWriter {
  readonly bytes: Uint8Array
  readonly view: DataView
  offset = 0

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }

  u8(v: number): void {
    this.view.setUint8(this.offset, v)
    this.offset += 1
  }
  u16(v: number): void {
    this.view.setUint16(this.offset, v, true)
    this.offset += 2
  }
  u32(v: number): void {
    this.view.setUint32(this.offset, v, true)
    this.offset += 4
  }
  f32(v: number): void {
    this.view.setFloat32(this.offset, v, true)
    this.offset += 4
  }
  raw(b: Uint8Array): void {
    this.bytes.set(b, this.offset)
    this.offset += b.length
  }
  /** A string prefixed by its UTF-8 byte length in one byte. */
  shortString(s: Uint8Array): void {
    this.u8(s.length)
    this.raw(s)
  }
}

/**
 * Bounds-checked little-endian cursor reader: every read checks the remaining length first,
 * so truncated input yields a TRUNCATED ProtocolError, never a RangeError.
 */
export class ByteReader {
  readonly view: DataView
  offset = 0

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  need(n: number, what: string): void {
    if (n > this.remaining)
      throw new ProtocolError('TRUNCATED', `input ends inside ${what} (needs ${n} bytes, ${this.remaining} left)`)
  }

  u8(what: string): number {
    this.need(1, what)
    const v = this.view.getUint8(this.offset)
    this.offset += 1
    return v
  }
  u16(what: string): number {
    this.need(2, what)
    const v = this.view.getUint16(this.offset, true)
    this.offset += 2
    return v
  }
  u32(what: string): number {
    this.need(4, what)
    const v = this.view.getUint32(this.offset, true)
    this.offset += 4
    return v
  }
  f32(what: string): number {
    this.need(4, what)
    const v = this.view.getFloat32(this.offset, true)
    this.offset += 4
    return v
  }
  raw(n: number, what: string): Uint8Array {
    this.need(n, what)
    const v = this.bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return v
  }
  shortString(what: string): string {
    const n = this.u8(`${what} length`)
    return utf8Decode(this.raw(n, what), what)
  }
}

export function utf8Encode(s: string): Uint8Array {
  return textEncoder.encode(s)
}

export function utf8Decode(b: Uint8Array, what: string): string {
  try {
    return textDecoder.decode(b)
  } catch {
    throw new ProtocolError('MALFORMED', `${what} is not valid UTF-8`)
  }
}
