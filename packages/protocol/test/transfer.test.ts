import { describe, expect, it } from 'vitest'
import {
  chunkMask,
  contentIdBytes,
  decodeChunk,
  decodeTransferHeader,
  encodeChunk,
  encodeMask,
  encodeTransferHeader,
  TransferAssembler,
  type MaskTransferHeader
} from '../src/index.js'
import { ctGraphMask } from './arbitraries.js'
import { expectCode } from './helpers.js'

function headerFor(bytes: Uint8Array, chunkSize: number): MaskTransferHeader {
  return {
    requestId: 1,
    status: 'ok',
    cid: contentIdBytes(bytes),
    encoding: 'f32',
    totalSize: bytes.length,
    chunkSize,
    chunkCount: Math.ceil(bytes.length / chunkSize),
    meta: { reward: 1, stepsTrained: 1, origin: '', createdAtMs: 0 },
    message: ''
  }
}

describe('chunked transfer', () => {
  const bytes = encodeMask(ctGraphMask(), 'f32') // 438 kB: 7 chunks of 64 KiB

  it('splits and reassembles a mask through encoded frames, verifying the CID', () => {
    const header = decodeTransferHeader(encodeTransferHeader(headerFor(bytes, 65536)))
    const chunks = chunkMask(bytes, 65536)
    expect(chunks.length).toBe(7)
    const asm = new TransferAssembler(header)
    for (const c of chunks) asm.push(decodeChunk(encodeChunk(c)))
    expect(asm.done).toBe(true)
    expect(Buffer.compare(asm.finish(), bytes)).toBe(0)
  })

  it('refuses out-of-order, wrongly sized, extra and missing chunks', () => {
    const h = headerFor(bytes, 65536)
    const chunks = chunkMask(bytes, 65536)
    expectCode(() => new TransferAssembler(h).push(chunks[1]!), 'INCONSISTENT_SHAPE')
    expectCode(
      () => new TransferAssembler(h).push({ index: 0, data: chunks[0]!.data.subarray(1) }),
      'INCONSISTENT_SHAPE'
    )
    const full = new TransferAssembler(h)
    chunks.forEach(c => {
      full.push(c)
    })
    expectCode(() => full.push({ index: 7, data: new Uint8Array(1) }), 'TRAILING_BYTES')
    const partial = new TransferAssembler(h)
    chunks.slice(0, 3).forEach(c => {
      partial.push(c)
    })
    expectCode(() => partial.finish(), 'TRUNCATED')
  })

  it('refuses bytes that do not hash to the announced CID', () => {
    const h = { ...headerFor(bytes, 65536), cid: contentIdBytes(Uint8Array.of(9)) }
    const asm = new TransferAssembler(h)
    chunkMask(bytes, 65536).forEach(c => {
      asm.push(c)
    })
    expectCode(() => asm.finish(), 'CID_MISMATCH')
  })

  it('assembles only a header that announces a transfer', () => {
    const h = headerFor(bytes, 65536)
    expectCode(() => new TransferAssembler({ ...h, status: 'busy' }), 'INVALID_FIELD')
    expectCode(() => new TransferAssembler({ ...h, cid: null }), 'INVALID_FIELD')
    expectCode(() => new TransferAssembler({ ...h, meta: null }), 'INVALID_FIELD')
  })

  it('only accepts chunk sizes within the limits', () => {
    expectCode(() => chunkMask(bytes, 100), 'INVALID_FIELD')
    expectCode(() => chunkMask(bytes, 1 << 20), 'INVALID_FIELD')
  })
})
