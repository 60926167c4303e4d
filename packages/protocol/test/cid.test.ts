import { describe, expect, it } from 'vitest'
import { contentId, DHT_PROTOCOL, ProtocolError, TASK_KEY_CID_PREFIX, taskContentId } from '../src/index.js'

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
