import {
  contentIdBytes,
  encodeFetch,
  encodeInventoryRequest,
  encodeQuery,
  INVENTORY_PROTOCOL,
  MASK_PROTOCOL,
  QUERY_PROTOCOL
} from '@l2d2c/protocol'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createPrng } from '../../../src/rng/prng.js'
import { drain, sendRaw, type StreamEnd } from './streams.js'

/** Valid requests of each protocol, which the fuzzer mutates. */
export function seedFrames(taskKey: string, backboneId: string): Record<string, Uint8Array[]> {
  const cid = contentIdBytes(new TextEncoder().encode(taskKey))
  return {
    [QUERY_PROTOCOL]: [
      encodeQuery({ requestId: 1, taskKey, reward: null, backboneId }),
      encodeQuery({ requestId: 2, taskKey, reward: 0.5, backboneId })
    ],
    [MASK_PROTOCOL]: [
      encodeFetch({ requestId: 3, target: { taskKey }, encoding: 'bits', backboneId }),
      encodeFetch({ requestId: 4, target: { cid }, encoding: 'f16', backboneId }),
      encodeFetch({ requestId: 5, target: { taskKey }, encoding: 'f32', backboneId })
    ],
    [INVENTORY_PROTOCOL]: [encodeInventoryRequest({ requestId: 6 })]
  }
}

/** The shortest unsigned LEB128 varint of n. */
function varint(n: number): number[] {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  out.push(v)
  return out
}

/** A mutation of a payload: flips, overwrites, insertions, deletions, truncations, splices. */
function mutatePayload(seed: Uint8Array, int: (n: number) => number): Uint8Array {
  let b = Array.from(seed)
  for (let r = 1 + int(4); r > 0; r--) {
    switch (int(6)) {
      case 0:
        if (b.length > 0) b[int(b.length)]! ^= 1 << int(8)
        break
      case 1:
        if (b.length > 0) b[int(b.length)] = int(256)
        break
      case 2:
        b.splice(int(b.length + 1), 0, int(256))
        break
      case 3:
        if (b.length > 0) b.splice(int(b.length), 1)
        break
      case 4:
        b = b.slice(0, int(b.length + 1))
        break
      default: {
        const i = int(b.length + 1)
        b = [...b.slice(0, i), ...b.slice(int(b.length + 1))]
      }
    }
  }
  return Uint8Array.from(b)
}

/**
 * The bytes of one fuzzed request: mostly a mutated seed behind a correct length prefix (they
 * reach the decoders), and framing-level abuse: random payloads, a prefix announcing more
 * than follows, an oversize prefix, a varint bomb, two frames, nothing at all, an intact seed.
 */
export function fuzzedRequest(seeds: readonly Uint8Array[], int: (n: number) => number): Uint8Array {
  const seed = seeds[int(seeds.length)] as Uint8Array
  const framed = (p: Uint8Array): Uint8Array => Uint8Array.from([...varint(p.length), ...p])
  const k = int(100)
  if (k < 60) return framed(mutatePayload(seed, int))
  if (k < 70) return framed(Uint8Array.from({ length: int(80) }, () => int(256)))
  if (k < 75) return framed(seed).subarray(0, int(seed.length + 1)) // cut short
  if (k < 80) return Uint8Array.from([...varint(4097 + int(1 << 20)), ...seed]) // over the 4 KiB limit
  if (k < 83) return Uint8Array.from({ length: 6 + int(6) }, () => 0xff) // a varint that never ends
  if (k < 88) return Uint8Array.from([...framed(seed), ...framed(mutatePayload(seed, int))])
  if (k < 90) return new Uint8Array(0)
  return framed(seed)
}

export interface StreamFuzzReport {
  protocol: string
  frames: number
  ends: Record<StreamEnd, number>
  /** Streams the victim refused at once (its per-connection stream limit). */
  refused: number
  ms: number
}

/**
 * Sends `frames` fuzzed requests of one protocol to a running node, each on its own stream as
 * a requester would (write, half-close, read to the end), over the attackers' connections,
 * `perConnection` streams at a time on each. A stream the victim does not end within
 * `hangMs` counts as hung.
 */
export async function fuzzStreams(
  attackers: readonly Libp2p[],
  victim: PeerId | Multiaddr,
  o: {
    protocol: string
    seeds: readonly Uint8Array[]
    frames: number
    perConnection: number
    seed: number
    hangMs: number
  }
): Promise<StreamFuzzReport> {
  const prng = createPrng(o.seed)
  const int = (n: number): number => Math.floor(prng.nextFloat() * n)
  const report: StreamFuzzReport = {
    protocol: o.protocol,
    frames: 0,
    ends: { answered: 0, closed: 0, reset: 0, hung: 0 },
    refused: 0,
    ms: 0
  }
  const t0 = performance.now()
  let next = 0
  const worker = async (attacker: Libp2p): Promise<void> => {
    while (next < o.frames) {
      next++
      const bytes = fuzzedRequest(o.seeds, int)
      let stream: Stream
      try {
        stream = await attacker.dialProtocol(victim, o.protocol, { negotiateFully: false })
      } catch {
        report.refused++
        continue
      }
      report.frames++
      try {
        if (bytes.length > 0) await sendRaw(stream, bytes)
        await stream.close()
      } catch {
        /* reset while writing: counted by drain */
      }
      const { end } = await drain(stream, o.hangMs)
      report.ends[end]++
    }
  }
  await Promise.all(attackers.flatMap(a => Array.from({ length: o.perConnection }, async () => await worker(a))))
  report.ms = performance.now() - t0
  return report
}
