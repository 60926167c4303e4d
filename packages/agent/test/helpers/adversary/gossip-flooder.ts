import {
  ANNOUNCE_TOPIC,
  contentIdBytes,
  encodeAnnouncement,
  MAX_ANNOUNCED_MASKS,
  type InventoryAnnouncement
} from '@l2d2c/protocol'
import { abortStream, writeFrame } from '@l2d2c/protocol/framing'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import type { Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** gossipsub's protocol id (1.1: scoring and backoff) and its signature prefix. */
export const MESHSUB = '/meshsub/1.1.0'
const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')

export interface Identity {
  readonly key: PrivateKey
  readonly id: PeerId
  /** The publisher's last sequence (announcements must increase). */
  sequence: number
  /** gossipsub's per-publisher message number. */
  seqno: bigint
}

export async function identities(n: number): Promise<Identity[]> {
  const out: Identity[] = []
  for (let i = 0; i < n; i++) {
    const key = await generateKeyPair('Ed25519')
    out.push({ key, id: peerIdFromPrivateKey(key), sequence: 0, seqno: BigInt(i) << 32n })
  }
  return out
}

/** A gossip message signed by `who` (StrictSign: from, seqno, signature and key), as relays forward them. */
export async function signedMessage(who: Identity, data: Uint8Array, topic = ANNOUNCE_TOPIC): Promise<RPC.Message> {
  who.seqno++
  const seqno = new Uint8Array(8)
  new DataView(seqno.buffer).setBigUint64(0, who.seqno, false)
  const unsigned: RPC.Message = { from: who.id.toMultihash().bytes, data, seqno, topic }
  const signature = await who.key.sign(new Uint8Array([...SIGN_PREFIX, ...RPC.Message.encode(unsigned)]))
  return { ...unsigned, signature, key: publicKeyToProtobuf(who.key.publicKey) }
}

/**
 * A valid announcement listing `masks` masks of the given tasks (cycled), each with a
 * distinct content id, the claimed reward given: the worst a flooder can make a receiver
 * decode and store.
 */
export function floodAnnouncement(
  who: Identity,
  o: { backboneId: string; tasks: readonly string[]; masks: number; reward?: number; now?: number }
): Uint8Array {
  who.sequence = Math.max(who.sequence + 1, o.now ?? Date.now())
  const masks = Array.from({ length: Math.min(o.masks, MAX_ANNOUNCED_MASKS) }, (_, i) => ({
    taskKey: o.tasks[i % o.tasks.length] as string,
    cid: contentIdBytes(new TextEncoder().encode(`${who.id.toString()}:${who.sequence}:${i}`)),
    reward: o.reward ?? 1,
    stepsTrained: 1_000_000,
    encodedSize: 13_866,
    encodings: ['bits', 'f16', 'f32'] as InventoryAnnouncement['masks'][number]['encodings'],
    origin: who.id.toString()
  }))
  return encodeAnnouncement({
    backboneId: o.backboneId,
    masks,
    sequence: who.sequence,
    timestampMs: Date.now(),
    role: 'learner',
    addrs: [],
    totalSteps: 1_000_000
  })
}

/**
 * A raw gossipsub stream from an attacker's node to a victim: it writes RPC frames (varint
 * length-prefixed protobuf, as gossipsub does) carrying messages signed by any identities, the
 * way a relay forwards other publishers' messages. The victim runs its validators on each.
 */
export class GossipInjector {
  private constructor(private readonly stream: Stream) {}

  /** `victim` as a peer id, multiaddrs, or a multiaddr's text (with /p2p/). */
  static async open(attacker: Libp2p, victim: PeerId | Multiaddr | Multiaddr[] | string): Promise<GossipInjector> {
    const stream = await attacker.dialProtocol(typeof victim === 'string' ? multiaddr(victim) : victim, MESHSUB)
    const injector = new GossipInjector(stream)
    await injector.send({ subscriptions: [{ subscribe: true, topic: ANNOUNCE_TOPIC }], messages: [] })
    return injector
  }

  async send(rpc: RPC): Promise<void> {
    await writeFrame(this.stream, RPC.encode(rpc))
  }

  /** Sends messages in RPCs of at most `perRpc`. */
  async sendMessages(messages: readonly RPC.Message[], perRpc = 16): Promise<void> {
    for (let i = 0; i < messages.length; i += perRpc)
      await this.send({ subscriptions: [], messages: messages.slice(i, i + perRpc) })
  }

  close(): void {
    abortStream(this.stream)
  }
}
