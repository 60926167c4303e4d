import { generateKeyPair } from '@libp2p/crypto/keys'
import { encodeMask, type LayerSpec, type Mask } from '@l2d2c/protocol'
import { silentLogger } from '../../../src/logging/logger.js'
import { MemoryMaskStore } from '../../../src/masks/store/memory-mask-store.js'
import { ServedMasks } from '../../../src/masks/store/served-masks.js'
import {
  createLibp2pNode,
  listeningAddresses,
  startLibp2pNode,
  type Libp2pNode
} from '../../../src/network/libp2p-node.js'
import { MaskExchange } from '../../../src/network/mask-exchange/mask-exchange.js'
import { createPrng } from '../../../src/rng/prng.js'

/** A mask of random scores for a layer table: valid, verifiable, and worth nothing. */
export function randomMask(taskKey: string, backboneId: string, layers: readonly LayerSpec[], seed: number): Mask {
  const prng = createPrng(seed)
  return {
    taskKey,
    backboneId,
    layers: layers.map(l => ({
      name: l.name,
      shape: [...l.shape],
      scores: Float32Array.from({ length: l.shape.reduce((a, b) => a * b, 1) }, () => prng.nextFloat() - 0.5)
    }))
  }
}

export interface Liar {
  readonly node: Libp2pNode
  readonly exchange: MaskExchange
  readonly peerId: string
  readonly addr: string
  /** Content ids of every mask it has held (text). */
  readonly cids: Set<string>
  /** Holds fresh random masks for its tasks (new content ids), claiming `claim`. */
  lie: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * A lying holder: a real l2d2c exchange (it answers queries, serves fetches and announces like
 * any node) whose masks are random scores for the victims' backbone and layer table, offered
 * with a claimed reward of 1.0 (or `claim`). Its masks pass every check of the wire and fail
 * only the receiver's own evaluation.
 */
export async function startLiar(o: {
  backboneId: string
  layers: readonly LayerSpec[]
  tasks: readonly string[]
  seed: number
  claim?: number
  bootstrap?: readonly string[]
  gossipHeartbeatMs?: number
  announceIntervalMs?: number
}): Promise<Liar> {
  const node = await createLibp2pNode({
    privateKey: await generateKeyPair('Ed25519'),
    gossipHeartbeatMs: o.gossipHeartbeatMs ?? 200,
    ...(o.bootstrap !== undefined ? { bootstrap: o.bootstrap } : {})
  })
  const store = new MemoryMaskStore(o.backboneId)
  const masks = new ServedMasks(store.index, o.backboneId)
  const exchange = new MaskExchange(
    { node, masks, logger: silentLogger, totalSteps: () => 1_000_000, random: () => 0.5 },
    { role: 'learner', announceIntervalMs: o.announceIntervalMs ?? 1000 }
  )
  await exchange.register()
  await startLibp2pNode(node)
  await exchange.start()
  const cids = new Set<string>()
  let round = 0
  const lie = async (): Promise<void> => {
    round++
    for (const [i, task] of o.tasks.entries()) {
      const mask = randomMask(task, o.backboneId, o.layers, o.seed * 1_000_003 + round * 1009 + i)
      const info = await store.put(encodeMask(mask, 'f32'), {
        reward: o.claim ?? 1,
        stepsTrained: 1_000_000,
        origin: node.peerId.toString(),
        createdAtMs: Date.now()
      })
      cids.add(info.bitsCid)
    }
  }
  await lie()
  return {
    node,
    exchange,
    peerId: node.peerId.toString(),
    addr: listeningAddresses(node)[0] ?? '',
    cids,
    lie,
    stop: async () => {
      await exchange.stop()
      await node.stop()
    }
  }
}
