import {
  contentId,
  contentIdBytes,
  decodeFetch,
  encodeOffer,
  encodeTransferHeader,
  MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES,
  QUERY_PROTOCOL,
  decodeQuery
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { sendRaw, sleep } from './streams.js'

export interface SlowRequestReport {
  /** Streams the victim accepted, and those it refused at once (its per-connection stream limit). */
  opened: number
  refused: number
  /** For each accepted stream: how long the victim kept it before cutting it (ms). */
  heldMs: number[]
}

/**
 * The requester side of a slow-loris: opens `streams` streams of a protocol to the victim and
 * dribbles a length prefix and then one byte every `intervalMs`, never completing the request
 * frame. A bounded responder cuts each stream at its request deadline.
 */
export async function slowRequests(
  attacker: Libp2p,
  victim: PeerId | Multiaddr,
  o: { protocol: string; streams: number; intervalMs: number; maxMs: number }
): Promise<SlowRequestReport> {
  const report: SlowRequestReport = { opened: 0, refused: 0, heldMs: [] }
  await Promise.all(
    Array.from({ length: o.streams }, async () => {
      let stream: Stream
      try {
        stream = await attacker.dialProtocol(victim, o.protocol)
      } catch {
        report.refused++
        return
      }
      report.opened++
      const t0 = performance.now()
      let cut = false
      stream.addEventListener('close', () => {
        cut = true
      })
      try {
        await sendRaw(stream, Uint8Array.of(0xff, 0x1f)) // a length prefix announcing ~4 KiB
        while (!cut && performance.now() - t0 < o.maxMs) {
          await sleep(o.intervalMs)
          await sendRaw(stream, Uint8Array.of(0x08))
        }
      } catch {
        /* the victim reset the stream */
      }
      report.heldMs.push(performance.now() - t0)
      stream.abort(new Error('slow-loris done'))
    })
  )
  return report
}

/**
 * The holder side of a slow-loris: answers a query for any task it has bytes for with an offer
 * of those bytes' content id claiming `claim`, and answers a fetch with an OK header and then
 * one byte of the mask every `intervalMs`: a requester that waits for it waits until its own
 * fetch deadline.
 */
export async function serveSlowly(
  holder: Libp2p,
  o: { masks: Readonly<Record<string, Uint8Array>>; backboneId: string; claim: number; intervalMs: number }
): Promise<{ fetches: () => number }> {
  let fetches = 0
  const byCid = new Map(Object.values(o.masks).map(bits => [contentId(bits).toString(), bits]))
  await holder.handle(QUERY_PROTOCOL, async stream => {
    try {
      const q = decodeQuery(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, timeoutMs: 5000 }))
      const bits = o.masks[q.taskKey]
      await writeFrame(
        stream,
        encodeOffer({
          requestId: q.requestId,
          status: bits === undefined ? 'no-mask' : 'has-mask',
          taskKey: q.taskKey,
          reward: bits === undefined ? 0 : o.claim,
          stepsTrained: bits === undefined ? 0 : 1_000_000,
          cid: bits === undefined ? null : contentIdBytes(bits),
          encodedSize: bits?.length ?? 0,
          encodings: bits === undefined ? [] : ['bits'],
          backboneId: o.backboneId,
          origin: ''
        })
      )
      await closeStream(stream)
    } catch {
      stream.abort(new Error('slow holder: query failed'))
    }
  })
  await holder.handle(MASK_PROTOCOL, async stream => {
    fetches++
    try {
      const f = decodeFetch(await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES, timeoutMs: 5000 }))
      const bits = 'cid' in f.target ? byCid.get(CID.decode(f.target.cid).toString()) : o.masks[f.target.taskKey]
      if (bits === undefined) throw new Error('not held')
      await writeFrame(
        stream,
        encodeTransferHeader({
          requestId: f.requestId,
          status: 'ok',
          cid: contentIdBytes(bits),
          encoding: 'bits',
          totalSize: bits.length,
          chunkSize: bits.length,
          chunkCount: 1,
          meta: { reward: o.claim, stepsTrained: 1_000_000, origin: '', createdAtMs: Date.now() },
          message: ''
        })
      )
      // The chunk's frame: a length prefix, then the bytes one at a time.
      for (let i = 0; i < bits.length && stream.status === 'open'; i++) {
        await sendRaw(stream, Uint8Array.of(i === 0 ? 0x0a : 0x00))
        await sleep(o.intervalMs)
      }
    } catch {
      /* the requester gave up */
    }
    stream.abort(new Error('slow holder done'))
  })
  return { fetches: () => fetches }
}
