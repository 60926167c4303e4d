import { generateKeyPair } from '@libp2p/crypto/keys'
import {
  contentIdBytes,
  decodeFetch,
  decodeQuery,
  encodeMask,
  encodeOffer,
  encodeTransferHeader,
  MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES,
  QUERY_PROTOCOL,
  type Mask,
  type MaskFetch
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import type { Stream } from '@libp2p/interface'
import {
  createLibp2pNode,
  startLibp2pNode,
  listeningAddresses,
  type Libp2pNode,
  type Libp2pNodeOptions
} from '../../../src/network/libp2p-node.js'
import type { BanLimits } from '../../../src/network/ban-book.js'
import { ServedMasks } from '../../../src/masks/store/served-masks.js'
import { MaskExchange, type MaskExchangeInit } from '../../../src/network/mask-exchange/mask-exchange.js'
import { QueryRounds, type QueryRoundsInit } from '../../../src/sharing/query-round.js'
import { ReputationBook } from '../../../src/sharing/policy/reputation.js'
import { SitePolicy, type SitePolicyInit } from '../../../src/sharing/policy/site-policy.js'
import { MemoryMaskStore } from '../../../src/masks/store/memory-mask-store.js'
import { silentLogger } from '../../../src/logging/logger.js'
import type { DeltaBaseProvider } from '../../../src/masks/initial-mask.js'
import { createPrng } from '../../../src/rng/prng.js'

import { BACKBONE, meta, TASK } from '../../helpers/masks.js'

export { agreement, BACKBONE, LAYERS, meta, syntheticMask, TASK } from '../../helpers/masks.js'

export interface TestPeer {
  node: Libp2pNode
  exchange: MaskExchange
  rounds: QueryRounds
  reputation: ReputationBook
  store: MemoryMaskStore
  masks: ServedMasks
  addr: string
  hold: (mask: Mask, reward: number) => Promise<void>
  stop: () => Promise<void>
}

export async function startPeer(
  opts: {
    backboneId?: string
    bootstrap?: string[]
    exchange?: Partial<MaskExchangeInit>
    /** Replaces the test default (a 1.5 s window, 0.5 s grace) as a whole. */
    rounds?: Partial<QueryRoundsInit>
    policy?: Partial<SitePolicyInit>
    /** Seed of the fetch plan's shuffle. */
    seed?: number
    /** Content ids decided elsewhere (held for review): rounds do not fetch them. */
    decided?: (cid: string) => boolean
    /** The DELTA bases this peer rebuilds (it then serves and asks for DELTA); none by default. */
    deltaBase?: DeltaBaseProvider
    /** How long it bans misbehaving peers (the node's defaults otherwise). */
    bans?: Partial<BanLimits>
    /** More libp2p node options (relay settings, announce addresses). */
    node?: Partial<Libp2pNodeOptions>
  } = {}
): Promise<TestPeer> {
  const backboneId = opts.backboneId ?? BACKBONE
  const node = await createLibp2pNode({
    privateKey: await generateKeyPair('Ed25519'),
    gossipHeartbeatMs: 100,
    ...(opts.bans !== undefined ? { bans: opts.bans } : {}),
    ...(opts.bootstrap !== undefined ? { bootstrap: opts.bootstrap } : {}),
    ...opts.node
  })
  const store = new MemoryMaskStore(backboneId, opts.deltaBase)
  const masks = new ServedMasks(store.index, backboneId, Date.now, opts.deltaBase ?? null)
  const prng = createPrng(42)
  const random = (): number => prng.nextFloat()
  const planPrng = createPrng(opts.seed ?? 7)
  const policy = new SitePolicy({ ...new SitePolicy().describe(), ...opts.policy })
  const reputation = new ReputationBook()
  const exchange = new MaskExchange(
    { node, masks, logger: silentLogger, totalSteps: () => 0, random },
    { role: 'learner', announceIntervalMs: 500, policy, reputation, ...opts.exchange }
  )
  const rounds = new QueryRounds(
    {
      peers: node,
      client: exchange.client,
      directory: exchange.directory,
      strategy: exchange.strategy,
      policy,
      reputation,
      ...(opts.decided !== undefined ? { decided: opts.decided } : {}),
      random: () => planPrng.nextFloat(),
      traffic: exchange.traffic,
      logger: silentLogger,
      backboneId,
      now: Date.now,
      ...(opts.deltaBase !== undefined ? { deltaBase: opts.deltaBase } : {})
    },
    opts.rounds ?? { windowMs: 1500, graceMs: 500 }
  )
  await exchange.register()
  await startLibp2pNode(node)
  await exchange.start()
  const peer: TestPeer = {
    node,
    exchange,
    rounds,
    reputation,
    store,
    masks,
    addr: listeningAddresses(node)[0] ?? '',
    hold: async (mask, reward) => {
      await store.put(encodeMask(mask, 'f32'), meta(reward, node.peerId.toString()))
    },
    stop: async () => {
      await exchange.stop()
      await node.stop()
    }
  }
  return peer
}

export async function connect(a: TestPeer, b: TestPeer): Promise<void> {
  await a.node.dial(b.node.getMultiaddrs())
}

/**
 * Replaces a peer's mask exchange by a hand-written holder: it offers `bits` (by its CID) for
 * TASK at `reward`, and answers each fetch with `serve`.
 */
export async function fakeHolder(
  peer: TestPeer,
  bits: Uint8Array,
  opts: { reward: number; serve: (stream: Stream, fetch: MaskFetch) => Promise<void> }
): Promise<void> {
  await peer.exchange.stop()
  await peer.node.unhandle(QUERY_PROTOCOL)
  await peer.node.unhandle(MASK_PROTOCOL)
  await peer.node.handle(QUERY_PROTOCOL, async stream => {
    const q = decodeQuery(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES }))
    await writeFrame(
      stream,
      encodeOffer({
        requestId: q.requestId,
        status: 'has-mask',
        taskKey: TASK,
        reward: opts.reward,
        stepsTrained: 1,
        cid: contentIdBytes(bits),
        encodedSize: bits.length,
        encodings: ['bits'],
        backboneId: BACKBONE,
        origin: ''
      })
    )
    await closeStream(stream)
  })
  await peer.node.handle(MASK_PROTOCOL, async stream => {
    await opts.serve(stream, decodeFetch(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES })))
  })
}

/** An OK transfer header announcing `bits` in chunks of `chunkSize`. */
export function okHeader(fetch: MaskFetch, bits: Uint8Array, chunkSize: number): Uint8Array {
  return encodeTransferHeader({
    requestId: fetch.requestId,
    status: 'ok',
    cid: contentIdBytes(bits),
    encoding: 'bits',
    totalSize: bits.length,
    chunkSize,
    chunkCount: Math.ceil(bits.length / chunkSize),
    meta: { reward: 0.99, stepsTrained: 1, origin: '', createdAtMs: 0 },
    message: ''
  })
}
