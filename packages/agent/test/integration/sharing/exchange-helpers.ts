import { generateKeyPair } from '@libp2p/crypto/keys'
import { binaryMask, encodeMask, type DecodedMask, type LayerSpec, type Mask, type MaskMeta } from '@l2d2c/protocol'
import { createNode, startNode, listeningAddresses, type L2d2cNode } from '../../../src/network/create-node.js'
import { MaskExchange, StoreMasks, type MaskExchangeOptions } from '../../../src/network/mask-exchange/index.js'
import { MemoryMaskStore } from '../../../src/store/memory-mask-store.js'
import { silentLogger } from '../../../src/logging/logger.js'

export const BACKBONE = 'aaaabbbbccccdddd0000111122223333'
// Big enough that a BITS transfer needs two 1 KiB chunks (the killed-mid-transfer test).
export const LAYERS: LayerSpec[] = [{ name: 'body.0', shape: [100, 96] }, { name: 'policy', shape: [3, 100] }]
export const TASK = 'ctgraph/d2b2/img1/leaf00'

/** A deterministic mask: `seed` picks the scores (so masks with different seeds differ). */
export function syntheticMask (seed: number, taskKey = TASK, backboneId = BACKBONE): Mask {
  let a = seed >>> 0
  const rnd = (): number => { a = (a * 1664525 + 1013904223) >>> 0; return a / 2 ** 32 - 0.5 }
  return { taskKey, backboneId, layers: LAYERS.map(l => ({ name: l.name, shape: [...l.shape], scores: Float32Array.from({ length: l.shape[0]! * l.shape[1]! }, rnd) })) }
}

/** Stands in for a learner's evaluation: the fraction of mask bits equal to the "true" mask (seed 1). */
export function agreement (mask: DecodedMask | Mask, truth: Mask = syntheticMask(1)): number {
  let same = 0
  let total = 0
  mask.layers.forEach((l, i) => {
    const a = binaryMask(l.scores); const b = binaryMask(truth.layers[i]!.scores)
    for (let j = 0; j < a.length; j++) { if (a[j] === b[j]) same++; total++ }
  })
  return same / total
}

export function meta (reward: number, origin = ''): MaskMeta {
  return { reward, stepsTrained: 12_800, origin, createdAtMs: 1_790_000_000_000 }
}

export interface TestPeer {
  node: L2d2cNode
  exchange: MaskExchange
  store: MemoryMaskStore
  masks: StoreMasks
  addr: string
  hold: (mask: Mask, reward: number) => Promise<void>
  stop: () => Promise<void>
}

export async function startPeer (opts: { backboneId?: string, bootstrap?: string[], exchange?: Partial<MaskExchangeOptions> } = {}): Promise<TestPeer> {
  const backboneId = opts.backboneId ?? BACKBONE
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), gossipHeartbeatMs: 100, ...(opts.bootstrap !== undefined ? { bootstrap: opts.bootstrap } : {}) })
  const store = new MemoryMaskStore(backboneId)
  const masks = new StoreMasks(store, backboneId)
  let seed = 42
  const random = (): number => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32 }
  const exchange = new MaskExchange({ node, masks, logger: silentLogger, totalSteps: () => 0, random }, { role: 'learner', announceIntervalMs: 500, coordinator: { windowMs: 1500, graceMs: 500 }, ...opts.exchange })
  await exchange.register()
  await startNode(node)
  await exchange.start()
  const peer: TestPeer = {
    node,
    exchange,
    store,
    masks,
    addr: listeningAddresses(node)[0] ?? '',
    hold: async (mask, reward) => {
      await store.put(encodeMask(mask, 'f32'), meta(reward, node.peerId.toString()))
      await masks.refresh()
      exchange.changed()
    },
    stop: async () => { await exchange.stop(); await node.stop() }
  }
  return peer
}

export async function connect (a: TestPeer, b: TestPeer): Promise<void> {
  await a.node.dial(b.node.getMultiaddrs())
}
