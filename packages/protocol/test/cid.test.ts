import { describe, expect, it } from 'vitest'
import {
  contentId,
  contentIdBytes,
  contentIdBytesOf,
  DHT_PROTOCOL,
  parseContentId,
  ProtocolError,
  TASK_KEY_CID_PREFIX,
  taskContentId
} from '../src/index.js'

describe('task DHT keys', () => {
  it('are the CID of "l2d2c/task/1:" + task key (a golden value: other implementations must derive the same key)', () => {
    expect(TASK_KEY_CID_PREFIX).toBe('l2d2c/task/1:')
    expect(taskContentId('ctgraph/d2b2/img3/leaf10').toString()).toBe(
      'bafkreih47vtrcjbcetc7co4eu23liqj46sv2k66jimt2m2osd4tlpahicu'
    )
    expect(taskContentId('a').equals(contentId(new TextEncoder().encode('l2d2c/task/1:a')))).toBe(true)
  })

  it('differ from the CID of the bare task key, and per task', () => {
    const bare = contentId(new TextEncoder().encode('a'))
    expect(taskContentId('a').equals(bare)).toBe(false)
    expect(taskContentId('a').equals(taskContentId('b'))).toBe(false)
  })

  it('refuse an invalid task key', () => {
    expect(() => taskContentId('')).toThrow(ProtocolError)
    expect(() => taskContentId('a//b')).toThrow(ProtocolError)
  })

  it('live on the private l2d2c DHT', () => {
    expect(DHT_PROTOCOL).toBe('/l2d2c/kad/1.0.0')
  })
})

describe('binary content ids checked without a CID object', () => {
  it('agree with parseContentId on every input: the same bytes, or the same refusal', () => {
    const good = contentIdBytes(Uint8Array.of(1, 2, 3))
    const inputs: Uint8Array[] = [
      good,
      good.subarray(0, 35),
      Uint8Array.of(...good, 0),
      Uint8Array.of(0x01, 0x70, ...good.subarray(2)), // dag-pb, not raw
      Uint8Array.of(0x01, 0x55, 0x13, 0x20, ...good.subarray(4)), // sha2-512 code
      new Uint8Array(36)
    ]
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(good)
      b[i % 36]! ^= 1 << (i % 8)
      inputs.push(b)
    }
    for (const b of inputs) {
      let want: Uint8Array | string
      try {
        want = parseContentId(b).bytes
      } catch (err) {
        want = (err as ProtocolError).code
      }
      let got: Uint8Array | string
      try {
        got = contentIdBytesOf(b)
      } catch (err) {
        got = (err as ProtocolError).code
      }
      expect(got).toEqual(want)
    }
  })
})
