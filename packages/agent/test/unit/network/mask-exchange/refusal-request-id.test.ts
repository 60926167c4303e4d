import {
  contentIdBytes,
  encodeMask,
  encodeTransferHeader,
  isProtocolError,
  MASK_PROTOCOL,
  MAX_CONTROL_MESSAGE_BYTES,
  type MaskFetch,
  type TransferStatus
} from '@l2d2c/protocol'
import { closeStream, readFrame, writeFrame } from '@l2d2c/protocol/framing'
import type { Stream } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { MaskExchangeClient, RemoteRefusal } from '../../../../src/network/mask-exchange/client.js'
import { LossInjector } from '../../../../src/network/mask-exchange/loss.js'
import { Traffic } from '../../../../src/network/mask-exchange/traffic.js'
import { InMemoryWire } from '../../../helpers/in-memory-wire.js'
import { BACKBONE, syntheticMask, TASK } from '../../../helpers/masks.js'

// A holder that cannot decode a fetch answers with request id 0 (docs/protocol.md §5.2): the
// requester must read that as the refusal it is, not as an answer to another request.

const FETCH: MaskFetch = { requestId: 12, target: { taskKey: TASK }, encoding: 'bits', backboneId: BACKBONE }
const BITS = encodeMask(syntheticMask(1), 'bits')

async function answeredWith(requestId: number, status: TransferStatus): Promise<string> {
  const wire = await InMemoryWire.create()
  await wire.registrar.handle(MASK_PROTOCOL, async (stream: Stream) => {
    await readFrame(stream, { maxBytes: MAX_CONTROL_MESSAGE_BYTES })
    const ok = status === 'ok'
    await writeFrame(
      stream,
      encodeTransferHeader({
        requestId,
        status,
        cid: ok ? contentIdBytes(BITS) : null,
        encoding: ok ? 'bits' : null,
        totalSize: ok ? BITS.length : 0,
        chunkSize: ok ? 65_536 : 0,
        chunkCount: ok ? 1 : 0,
        meta: ok ? { reward: 0.9, stepsTrained: 1, origin: '', createdAtMs: 1 } : null,
        message: ok ? '' : 'cannot decode the fetch'
      })
    )
    await closeStream(stream)
  })
  const client = new MaskExchangeClient({ dialer: wire.dialer, loss: LossInjector.none(), traffic: new Traffic() })
  try {
    await client.fetch(wire.registrar as never, FETCH, { timeoutMs: 2_000 })
  } catch (err) {
    if (err instanceof RemoteRefusal) return `refused ${err.status}`
    return isProtocolError(err) ? err.code : String(err)
  }
  return 'fetched'
}

describe('fetch refusals with request id 0', () => {
  it('are the refusal they carry', async () => {
    expect(await answeredWith(0, 'bad-request')).toBe('refused bad-request')
    expect(await answeredWith(0, 'unsupported-encoding')).toBe('refused unsupported-encoding')
    expect(await answeredWith(12, 'not-found')).toBe('refused not-found')
  })

  it('another request id is still refused, and an OK header must carry the request id', async () => {
    expect(await answeredWith(13, 'not-found')).toBe('INVALID_FIELD')
    expect(await answeredWith(0, 'ok')).toBe('INVALID_FIELD')
  })
})
