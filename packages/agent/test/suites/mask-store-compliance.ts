import { contentId, contentIdBytes, encodeMask, type Mask, type MaskEncoding, type MaskMeta } from '@l2d2c/protocol'
import { describe, expect, it } from 'vitest'
import { createPrng } from '../../src/rng/prng.js'
import { MaskStoreError, type MaskStore } from '../../src/masks/store/mask-store.js'

export const BACKBONE = '0123456789abcdef0123456789abcdef'

export function testMask(taskKey: string, seed: number, backboneId = BACKBONE): Mask {
  const prng = createPrng(seed)
  const rnd = (): number => prng.nextFloat() - 0.5
  return {
    taskKey,
    backboneId,
    layers: [
      { name: 'body.0', shape: [8, 6], scores: Float32Array.from({ length: 48 }, rnd) },
      { name: 'policy', shape: [3, 8], scores: Float32Array.from({ length: 24 }, rnd) }
    ]
  }
}

export const meta = (reward: number, steps = 1000): MaskMeta => ({
  reward,
  stepsTrained: steps,
  origin: '12D3KooWGzh6ZbbBkhLQzMGk5YhnZ93RzRyDXLBu1hb8QyQaVfXM',
  createdAtMs: 1_790_000_000_000 + steps
})

/** The behaviour every MaskStore implementation must share (docs/architecture.md §6). */
export function maskStoreComplianceSuite(name: string, create: () => Promise<MaskStore>): void {
  describe(`${name}: mask store compliance`, () => {
    const put = async (
      store: MaskStore,
      key: string,
      seed: number,
      encoding: MaskEncoding = 'f32',
      reward = 0.5
    ): Promise<Uint8Array> => {
      const bytes = encodeMask(testMask(key, seed), encoding)
      await store.put(bytes, meta(reward))
      return bytes
    }

    it('stores, lists and returns masks with their content ids', async () => {
      const store = await create()
      const bytes = await put(store, 'ctgraph/d2b2/img1/leaf00', 1)
      await put(store, 'ctgraph/d2b2/img1/leaf01', 2, 'bits')
      const list = await store.list()
      expect(list.map(m => m.taskKey)).toEqual(['ctgraph/d2b2/img1/leaf00', 'ctgraph/d2b2/img1/leaf01'])
      const got = await store.get('ctgraph/d2b2/img1/leaf00')
      expect(got).not.toBeNull()
      expect(Buffer.compare(got!.bytes, bytes)).toBe(0)
      expect(got!.encoding).toBe('f32')
      expect(got!.cid).toBe(contentId(bytes).toString())
      expect(got!.bitsCid).toBe(contentId(encodeMask(testMask('ctgraph/d2b2/img1/leaf00', 1), 'bits')).toString())
      expect(got!.bitsSize).toBe(got!.bitsBytes.length)
      expect(got!.meta).toEqual(meta(0.5))
      await store.close()
    })

    it('keeps one mask per task: a newer put replaces the older', async () => {
      const store = await create()
      await put(store, 'a/task', 1, 'f32', 0.2)
      const second = await put(store, 'a/task', 2, 'f32', 0.9)
      expect((await store.list()).length).toBe(1)
      const got = await store.get('a/task')
      expect(Buffer.compare(got!.bytes, second)).toBe(0)
      expect(got!.meta.reward).toBe(0.9)
      await store.close()
    })

    it('indexes the current masks by task and by content id, synchronously, and reports each change', async () => {
      const store = await create()
      const changes: Array<[string | null, string]> = []
      store.index.onChange(c => changes.push([c.previous?.cid ?? null, c.current.cid]))
      const first = await put(store, 'a/task', 1)
      const bits = encodeMask(testMask('a/task', 1), 'bits')
      expect(store.index.get('a/task')?.cid).toBe(contentId(first).toString())
      expect(store.index.byCid(contentIdBytes(first))?.taskKey).toBe('a/task')
      expect(store.index.byCid(contentIdBytes(bits))?.taskKey).toBe('a/task')
      expect(store.index.byCid(Uint8Array.of(1, 2, 3))).toBeNull()
      // A replaced version is no longer found by its content ids.
      const second = await put(store, 'a/task', 2)
      expect(store.index.byCid(contentIdBytes(first))).toBeNull()
      expect(store.index.byCid(contentIdBytes(bits))).toBeNull()
      expect(store.index.byCid(contentIdBytes(second))?.taskKey).toBe('a/task')
      expect(changes).toEqual([
        [null, contentId(first).toString()],
        [contentId(first).toString(), contentId(second).toString()]
      ])
      expect(store.index.masks().map(m => m.taskKey)).toEqual(['a/task'])
      await store.delete('a/task')
      expect(store.index.byCid(contentIdBytes(second))).toBeNull()
      await store.close()
    })

    it('deletes masks', async () => {
      const store = await create()
      await put(store, 'a/task', 1)
      expect(await store.delete('a/task')).toBe(true)
      expect(await store.delete('a/task')).toBe(false)
      expect(await store.get('a/task')).toBeNull()
      expect(await store.list()).toEqual([])
      await store.close()
    })

    it('refuses invalid bytes, other backbones and bad metadata without changing what it holds', async () => {
      const store = await create()
      const good = await put(store, 'a/task', 1)
      await expect(store.put(good.subarray(0, 40), meta(1))).rejects.toBeInstanceOf(MaskStoreError)
      await expect(store.put(encodeMask(testMask('a/task', 5, 'ffff'), 'f32'), meta(1))).rejects.toBeInstanceOf(
        MaskStoreError
      )
      await expect(store.put(encodeMask(testMask('a/task', 6), 'f32'), { ...meta(1), reward: NaN })).rejects.toThrow()
      const got = await store.get('a/task')
      expect(Buffer.compare(got!.bytes, good)).toBe(0)
      await store.close()
    })

    it('keeps its own copy of the bytes it is given', async () => {
      const store = await create()
      const bytes = encodeMask(testMask('a/task', 1), 'f32')
      await store.put(bytes, meta(1))
      bytes.fill(0)
      const got = await store.get('a/task')
      expect(got!.bytes[0]).toBe(0x4c) // 'L' of the magic: the store kept its own copy
      await store.close()
    })
  })
}
