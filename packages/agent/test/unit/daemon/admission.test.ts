import { describe, expect, it } from 'vitest'
import { exposureOf } from '../../../src/daemon/admission.js'

const PEER = '12D3KooWJRpe8Qu4qGoiWTqPW14izBBhP1K9UfxCEGTvmrmP8Ny9'
const DEMO = '12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF'

describe('exposureOf', () => {
  it('warns when a node listens beyond this host with neither a swarm key nor an allowlist', () => {
    for (const listen of [
      '/ip4/0.0.0.0/tcp/4001',
      '/ip4/192.168.1.4/tcp/4001',
      '/ip6/::/tcp/4001',
      '/ip4/8.8.8.8/tcp/1'
    ]) {
      const e = exposureOf({
        listen: ['/ip4/127.0.0.1/tcp/0', listen],
        swarmKeyFingerprint: null,
        allowlist: false,
        peerId: PEER
      })
      expect(e, listen).toMatchObject({ publicListen: true, swarmKey: false, allowlist: false, demoPeerKey: false })
      expect(e.warning, listen).toContain(listen)
      expect(e.warning).toContain('--swarm-key')
      expect(e.warning).not.toContain('127.0.0.1/tcp/0')
    }
  })

  it('is quiet on loopback, or with a swarm key or an allowlist', () => {
    const quiet = [
      { listen: ['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/0'], swarmKeyFingerprint: null, allowlist: false },
      { listen: ['/ip4/0.0.0.0/tcp/4001'], swarmKeyFingerprint: '0123456789abcdef', allowlist: false },
      { listen: ['/ip4/0.0.0.0/tcp/4001'], swarmKeyFingerprint: null, allowlist: true }
    ]
    for (const q of quiet) expect(exposureOf({ ...q, peerId: PEER }).warning).toBeNull()
    expect(exposureOf({ ...quiet[0]!, peerId: PEER }).publicListen).toBe(false)
    expect(exposureOf({ ...quiet[1]!, peerId: PEER })).toMatchObject({
      publicListen: true,
      swarmKey: true,
      swarmKeyFingerprint: '0123456789abcdef'
    })
  })

  it("says when the node runs with the compose demo's public key", () => {
    expect(exposureOf({ listen: [], swarmKeyFingerprint: null, allowlist: false, peerId: DEMO }).demoPeerKey).toBe(true)
  })
})
