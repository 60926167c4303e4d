import { contentIdBytes, decodeChunk, encodeMask, MAX_CHUNK_BYTES, TransferAssembler } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { StoreMasks } from '../../../src/network/mask-exchange/local-masks.js'
import { MemoryMaskStore } from '../../../src/store/memory-mask-store.js'
import { BACKBONE, meta, syntheticMask, TASK } from '../../integration/sharing/exchange-helpers.js'

async function holding (...seeds: number[]): Promise<{ store: MemoryMaskStore, masks: StoreMasks, clock: { t: number } }> {
  const store = new MemoryMaskStore(BACKBONE)
  const clock = { t: 0 }
  const masks = new StoreMasks(store, BACKBONE, () => clock.t)
  for (const seed of seeds) await store.put(encodeMask(syntheticMask(seed), 'f32'), meta(0.9))
  await masks.refresh()
  return { store, masks, clock }
}

describe('served masks (what a fetch sends)', () => {
  it('serves each encoding with the CID of its bytes and frames that reassemble to them', async () => {
    const { masks } = await holding(1)
    for (const encoding of ['bits', 'f16', 'f32'] as const) {
      const served = (await masks.load({ taskKey: TASK }, encoding))!
      expect(served.bytes).toEqual(encodeMask(syntheticMask(1), encoding))
      expect(served.cid).toEqual(contentIdBytes(served.bytes))
      const assembler = new TransferAssembler({ requestId: 1, status: 'ok', cid: served.cid, encoding, totalSize: served.bytes.length, chunkSize: MAX_CHUNK_BYTES, chunkCount: served.frames.length, meta: served.meta, message: '' })
      for (const f of served.frames) assembler.push(decodeChunk(f))
      expect(assembler.finish()).toEqual(served.bytes)
    }
  })

  it('computes a (mask, encoding) once: a second fetch reuses the bytes, CID and frames', async () => {
    const { masks } = await holding(1)
    const first = (await masks.load({ taskKey: TASK }, 'f16'))!
    const byCid = (await masks.load({ cid: masks.held(TASK)!.cid }, 'f16'))!
    expect(byCid).toBe(first)
  })

  it('finds masks by BITS or stored CID; junk or unknown CIDs miss without throwing', async () => {
    const { masks } = await holding(1)
    const stored = contentIdBytes(encodeMask(syntheticMask(1), 'f32'))
    expect((await masks.load({ cid: stored }, 'bits'))?.bytes).toEqual(encodeMask(syntheticMask(1), 'bits'))
    expect(await masks.load({ cid: Uint8Array.of(1, 2, 3) }, 'bits')).toBeNull()
    expect(await masks.load({ cid: contentIdBytes(Uint8Array.of(9)) }, 'bits')).toBeNull()
  })

  it('a replaced checkpoint gets new frames; the old version stays servable by CID for a while', async () => {
    const { store, masks, clock } = await holding(1)
    const oldCid = masks.held(TASK)!.cid
    const old = (await masks.load({ taskKey: TASK }, 'bits'))!
    await store.put(encodeMask(syntheticMask(2), 'f32'), meta(0.95))
    await masks.refresh()
    const fresh = (await masks.load({ taskKey: TASK }, 'bits'))!
    expect(fresh.bytes).toEqual(encodeMask(syntheticMask(2), 'bits'))
    expect(fresh.cid).not.toEqual(old.cid)
    expect((await masks.load({ cid: oldCid }, 'bits'))?.bytes).toEqual(old.bytes)
    clock.t = 120_000
    expect(await masks.load({ cid: oldCid }, 'bits')).toBeNull()
  })
})
