import { contentIdBytes, decodeChunk, encodeMask, TransferAssembler } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { ServedMasks, type ServedMask } from '../../../../src/masks/store/served-masks.js'
import { MemoryMaskStore } from '../../../../src/masks/store/memory-mask-store.js'
import { BACKBONE, meta, syntheticMask, TASK } from '../../../integration/sharing/exchange-helpers.js'

async function holding(
  ...seeds: number[]
): Promise<{ store: MemoryMaskStore; masks: ServedMasks; clock: { t: number } }> {
  const store = new MemoryMaskStore(BACKBONE)
  const clock = { t: 0 }
  const masks = new ServedMasks(store.index, BACKBONE, () => clock.t)
  for (const seed of seeds) await store.put(encodeMask(syntheticMask(seed), 'f32'), meta(0.9))
  return { store, masks, clock }
}

/** The bytes a requester reassembles from a served mask's header fields and frames. */
function sent(served: ServedMask): Uint8Array {
  const assembler = new TransferAssembler({
    requestId: 1,
    status: 'ok',
    cid: served.cid,
    encoding: 'bits',
    totalSize: served.totalSize,
    chunkSize: served.chunkSize,
    chunkCount: served.frames.length,
    meta: served.meta,
    message: ''
  })
  for (const f of served.frames) assembler.push(decodeChunk(f))
  return assembler.finish()
}

describe('served masks (what a fetch sends)', () => {
  it('serves each encoding with the CID of its bytes and frames that reassemble to them', async () => {
    const { masks } = await holding(1)
    for (const encoding of ['bits', 'f16', 'f32'] as const) {
      const served = (await masks.load({ taskKey: TASK }, encoding))!
      const bytes = encodeMask(syntheticMask(1), encoding)
      expect(served.totalSize).toBe(bytes.length)
      expect(served.cid).toEqual(contentIdBytes(bytes))
      expect(sent(served)).toEqual(bytes)
    }
  })

  it('computes a (mask, encoding) once: a second fetch reuses the CID and frames', async () => {
    const { masks } = await holding(1)
    const first = (await masks.load({ taskKey: TASK }, 'f16'))!
    const byCid = (await masks.load({ cid: masks.held(TASK)!.cid }, 'f16'))!
    expect(byCid.frames).toBe(first.frames)
    expect(byCid.cid).toBe(first.cid)
  })

  it('serves the metadata stored now: a re-put of the same bytes with new metadata is not served stale', async () => {
    const { store, masks } = await holding(1)
    expect((await masks.load({ taskKey: TASK }, 'bits'))!.meta.createdAtMs).toBe(meta(0.9).createdAtMs)
    const later = { ...meta(0.9), createdAtMs: meta(0.9).createdAtMs + 5000 }
    await store.put(encodeMask(syntheticMask(1), 'f32'), later)
    expect((await masks.load({ taskKey: TASK }, 'bits'))!.meta).toEqual(later)
    expect((await masks.load({ cid: masks.held(TASK)!.cid }, 'bits'))!.meta).toEqual(later)
  })

  it('finds masks by BITS or stored CID; junk or unknown CIDs miss without throwing', async () => {
    const { masks } = await holding(1)
    const stored = contentIdBytes(encodeMask(syntheticMask(1), 'f32'))
    expect(sent((await masks.load({ cid: stored }, 'bits'))!)).toEqual(encodeMask(syntheticMask(1), 'bits'))
    expect(await masks.load({ cid: Uint8Array.of(1, 2, 3) }, 'bits')).toBeNull()
    expect(await masks.load({ cid: contentIdBytes(Uint8Array.of(9)) }, 'bits')).toBeNull()
  })

  it('a replaced checkpoint gets new frames; the old version stays servable by CID for a while', async () => {
    const { store, masks, clock } = await holding(1)
    const oldCid = masks.held(TASK)!.cid
    const old = (await masks.load({ taskKey: TASK }, 'bits'))!
    await store.put(encodeMask(syntheticMask(2), 'f32'), meta(0.95))
    const fresh = (await masks.load({ taskKey: TASK }, 'bits'))!
    expect(sent(fresh)).toEqual(encodeMask(syntheticMask(2), 'bits'))
    expect(fresh.cid).not.toEqual(old.cid)
    expect(sent((await masks.load({ cid: oldCid }, 'bits'))!)).toEqual(sent(old))
    clock.t = 120_000
    expect(await masks.load({ cid: oldCid }, 'bits')).toBeNull()
  })

  it('tells its listeners when the held masks change, and lists them as the policy sees them', async () => {
    const { store, masks } = await holding()
    let changes = 0
    const stop = masks.onChange(() => {
      changes++
    })
    expect(masks.list()).toEqual([])
    await store.put(encodeMask(syntheticMask(1), 'f32'), meta(0.9))
    expect(changes).toBe(1)
    expect(masks.list().map(m => [m.taskKey, m.reward])).toEqual([[TASK, 0.9]])
    expect(masks.held(TASK)!.cid).toEqual(contentIdBytes(encodeMask(syntheticMask(1), 'bits')))
    stop()
    await store.put(encodeMask(syntheticMask(2), 'f32'), meta(0.95))
    expect(changes).toBe(1)
    expect(masks.held(TASK)!.reward).toBe(0.95)
  })
})
