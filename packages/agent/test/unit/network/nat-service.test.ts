import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { NatService, type NatServiceComponents } from '../../../src/network/nat-service.js'
import { newPeerId } from '../../helpers/in-memory-wire.js'

/** A silent libp2p component logger. */
const silent = (): NatServiceComponents['logger'] => {
  const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false })
  return { forComponent: () => log } as unknown as NatServiceComponents['logger']
}

/** A NAT service over fake components: the node's addresses, an event target, a recording transport manager. */
async function natted(address: string, init: ConstructorParameters<typeof NatService>[1]) {
  const events = new EventTarget()
  const listened: string[] = []
  const components = {
    peerId: await newPeerId(),
    logger: silent(),
    events: events as unknown as NatServiceComponents['events'],
    addressManager: {
      getAddressesWithMetadata: () => [{ multiaddr: multiaddr(address), verified: true, type: 'transport' }]
    },
    transportManager: {
      listen: async (addrs: Multiaddr[]) => {
        listened.push(...addrs.map(a => a.toString()))
      }
    }
  }
  const service = new NatService(components, { checkIntervalMs: 5, ...init })
  const identify = (protocols: string[]): void => {
    events.dispatchEvent(new CustomEvent('peer:identify', { detail: { protocols } }))
  }
  return { service, listened, identify }
}

const HOP = '/libp2p/circuit/relay/0.2.0/hop'

describe('NatService', () => {
  it('auto: a node behind a NAT reserves once it meets a relay, not before, and only once', async () => {
    const { service, listened, identify } = await natted('/ip4/10.1.0.10/tcp/4001', { reserve: 'auto' })
    service.start()
    service.afterStart()
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(listened).toEqual([]) // no relay in sight: no endless search for one
    expect(service.status()).toMatchObject({ reachability: 'private', reserving: false })
    identify(['/ipfs/id/1.0.0'])
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(listened).toEqual([])
    identify(['/ipfs/id/1.0.0', HOP])
    await expect.poll(() => listened).toEqual(['/p2p-circuit'])
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(listened).toEqual(['/p2p-circuit'])
    expect(service.status().reserving).toBe(true)
    service.stop()
  })

  it('auto: a public node, and a relay server, never reserve; always reserves at start', async () => {
    const pub = await natted('/ip4/198.18.0.7/tcp/4001', { reserve: 'auto' })
    pub.service.start()
    pub.service.afterStart()
    pub.identify([HOP])
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(pub.listened).toEqual([])
    expect(pub.service.status().reachability).toBe('public')
    pub.service.stop()

    const relay = await natted('/ip4/10.0.0.1/tcp/4001', { reserve: 'always', relayServer: true })
    relay.service.afterStart()
    expect(relay.listened).toEqual([])
    expect(relay.service.status().reason).toMatch(/runs --relay-server: it must be public/)

    const always = await natted('/ip4/198.18.0.7/tcp/4001', { reserve: 'always' })
    always.service.afterStart()
    expect(always.listened).toEqual(['/p2p-circuit'])
    always.service.stop()
  })
})
