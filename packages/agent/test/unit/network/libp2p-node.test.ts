import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { DHT_PROTOCOL } from '@l2d2c/protocol'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import {
  NodeConfigError,
  createLibp2pNode,
  listeningAddresses,
  startLibp2pNode,
  type Libp2pNodeOptions,
  type Libp2pNode
} from '../../../src/network/libp2p-node.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { rejectionOf } from '../../helpers/rejection.js'

const nodes: Libp2pNode[] = []
afterEach(async () => {
  await Promise.all(
    nodes.splice(0).map(async n => {
      await n.stop()
    })
  )
})

async function node(options: Partial<Libp2pNodeOptions> = {}): Promise<Libp2pNode> {
  const created = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), ...options })
  nodes.push(created)
  return created
}

/** A ComponentLogger that records which components asked for a logger and what they logged. */
function recordingLogger(): { logger: ComponentLogger; components: Set<string>; lines: string[] } {
  const components = new Set<string>()
  const lines: string[] = []
  const make = (name: string): Logger => {
    const log = ((formatter: unknown) => {
      lines.push(`${name} ${String(formatter)}`)
    }) as Logger
    log.error = (formatter: unknown) => {
      lines.push(`${name} ERROR ${String(formatter)}`)
    }
    log.trace = () => {}
    log.enabled = true
    log.newScope = (scope: string) => make(`${name}:${scope}`)
    return log
  }
  return {
    logger: {
      forComponent: name => {
        components.add(name)
        return make(name)
      }
    },
    components,
    lines
  }
}

describe('createLibp2pNode: options', () => {
  it('returns a stopped node by default, so handlers can be registered before any peer connects', async () => {
    const n = await node()
    expect(n.status).toBe('stopped')
    expect(n.getMultiaddrs()).toEqual([])
    await n.handle('/l2d2c/test/1.0.0', async stream => {
      stream.abort(new Error('unused'))
    })
    await n.start()
    expect(n.getProtocols()).toContain('/l2d2c/test/1.0.0')
  })

  it('listens on 127.0.0.1 with a free port and lists dialable addresses ending in its peer id', async () => {
    const n = await node({ start: true })
    const addrs = listeningAddresses(n)
    expect(addrs).toHaveLength(1)
    expect(addrs[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${n.peerId.toString()}$`))
    expect(addrs[0]).not.toMatch(/\/tcp\/0\//)
  })

  it('speaks the private DHT protocol and gossipsub, and nothing of floodsub or the public IPFS DHT', async () => {
    const n = await node({ start: true })
    const protocols = n.getProtocols()
    expect(protocols).toContain(DHT_PROTOCOL)
    expect(protocols).toContain('/meshsub/1.2.0')
    expect(protocols).toContain('/ipfs/id/1.0.0')
    expect(protocols).toContain('/ipfs/ping/1.0.0')
    expect(protocols).not.toContain('/floodsub/1.0.0')
    expect(protocols).not.toContain('/ipfs/kad/1.0.0')
    expect(n.services.dht.getMode()).toBe('server')
    expect(n.services.pubsub.globalSignaturePolicy).toBe('StrictSign')
  })

  it('announces the configured addresses instead of the listen addresses', async () => {
    const n = await node({ start: true, announce: ['/dns4/agent-a/tcp/4001'] })
    expect(listeningAddresses(n)).toEqual([`/dns4/agent-a/tcp/4001/p2p/${n.peerId.toString()}`])
  })

  it('identifies itself to peers with the configured user agent', async () => {
    const [a, b] = await Promise.all([node({ start: true, userAgent: 'l2d2c/9.9.9' }), node({ start: true })])
    const identified = new Promise<string | undefined>(resolve => {
      b.addEventListener('peer:identify', evt => {
        if (evt.detail.peerId.equals(a.peerId)) resolve(evt.detail.agentVersion)
      })
    })
    await b.dial(a.getMultiaddrs())
    expect(await identified).toBe('l2d2c/9.9.9')
  })

  it('refuses bad options with a NodeConfigError naming the option', async () => {
    const key = await generateKeyPair('Ed25519')
    expect(
      (await rejectionOf(createLibp2pNode({ privateKey: key, listen: ['127.0.0.1:4001'] }), NodeConfigError)).option
    ).toBe('listen')
    const noPeerId = await rejectionOf(
      createLibp2pNode({ privateKey: key, bootstrap: ['/ip4/127.0.0.1/tcp/4001'] }),
      NodeConfigError
    )
    expect(noPeerId.option).toBe('bootstrap')
    expect(noPeerId.message).toMatch(/no \/p2p\/<peer id>/)
    expect(
      (await rejectionOf(createLibp2pNode({ privateKey: key, gossipHeartbeatMs: 0 }), NodeConfigError)).option
    ).toBe('gossipHeartbeatMs')
    expect(
      (await rejectionOf(createLibp2pNode({ privateKey: key, dialTimeoutMs: Number.NaN }), NodeConfigError)).option
    ).toBe('dialTimeoutMs')
  })

  it('reports an address that cannot be listened on as a listen error, leaving the node stopped', async () => {
    const first = await node({ start: true })
    const taken = listeningAddresses(first)[0]?.replace(/\/p2p\/.*$/, '') ?? ''
    const err = await rejectionOf(node({ start: true, listen: [taken] }), NodeConfigError)
    expect(err.option).toBe('listen')
    expect(err.message).toMatch(/EADDRINUSE/)

    const unstarted = await node({ listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] })
    expect((await rejectionOf(startLibp2pNode(unstarted), NodeConfigError)).message).toMatch(
      /No transport was configured/
    )
    expect(unstarted.status).toBe('stopped')
  })
})

describe('createLibp2pNode: logger, mDNS and metrics', () => {
  it("routes libp2p's component logs to the injected logger", async () => {
    const { logger, components, lines } = recordingLogger()
    await node({ logger, start: true })
    for (const component of [
      'libp2p',
      'libp2p:tcp',
      'libp2p:kad-dht',
      'libp2p:gossipsub',
      'libp2p:connection-manager'
    ]) {
      expect(components).toContain(component)
    }
    expect(lines.some(l => l.startsWith('libp2p ') && l.includes('started'))).toBe(true)
  })

  it('adds mDNS only when asked (checked without starting: it would multicast on the host)', async () => {
    const off = recordingLogger()
    await node({ logger: off.logger })
    expect(off.components).not.toContain('libp2p:mdns')
    const on = recordingLogger()
    await node({ logger: on.logger, mdns: { intervalMs: 500 } })
    expect(on.components).toContain('libp2p:mdns')
  })

  it('adds bootstrap only with a non-empty list', async () => {
    const none = recordingLogger()
    await node({ logger: none.logger, bootstrap: [] })
    expect(none.components).not.toContain('libp2p:bootstrap')
    const seed = await node({ start: true })
    const some = recordingLogger()
    await node({ logger: some.logger, bootstrap: listeningAddresses(seed) })
    expect(some.components).toContain('libp2p:bootstrap')
  })

  it("exports libp2p metrics into each node's own prom-client registry", async () => {
    const registryA = new Registry()
    const registryB = new Registry()
    const a = await node({ metrics: { registry: registryA }, start: true })
    const b = await node({ metrics: { registry: registryB }, start: true })
    await b.dial(a.getMultiaddrs())
    const textA = await registryA.metrics()
    const textB = await registryB.metrics()
    expect(textA).toMatch(/^libp2p_connection_manager_connections\{/m)
    expect(textB).toMatch(/^libp2p_connection_manager_connections\{/m)
    expect(textB).toMatch(/libp2p_data_transfer_bytes_total\{protocol="global sent"\} [1-9]/)
    expect(textA).not.toMatch(/^process_cpu/m) // default process metrics only when asked
  })

  it('without metrics there is no metrics component', async () => {
    const n = await node()
    expect(n.metrics).toBeUndefined()
  })
})

describe('createLibp2pNode: stop', () => {
  it('leaves nothing that keeps the process alive: a connected child node exits by itself after stop()', async () => {
    const host = await node({ start: true, gossipHeartbeatMs: 100 })
    host.services.pubsub.subscribe('l2d2c/test')
    const script = fileURLToPath(new URL('../../fixtures/network-child-node.mjs', import.meta.url))
    const child = spawn(process.execPath, [script, listeningAddresses(host)[0] ?? ''], {
      stdio: ['pipe', 'pipe', 'inherit']
    })
    const exited = new Promise<{ code: number | null; at: number }>(resolve => {
      child.on('exit', code => {
        resolve({ code, at: performance.now() })
      })
    })
    const lines = createInterface({ input: child.stdout })
    const messages: Array<Record<string, unknown>> = []
    const next = async (): Promise<Record<string, unknown>> =>
      await new Promise((resolve, reject) => {
        lines.once('line', line => {
          const msg = JSON.parse(line) as Record<string, unknown>
          messages.push(msg)
          resolve(msg)
        })
        child.once('exit', () => {
          reject(new Error(`child exited early: ${JSON.stringify(messages)}`))
        })
      })
    try {
      const ready = await next()
      expect(ready.peerId).toEqual(expect.any(String))
      // connected, identified, gossipsub streams open: the realistic state to stop from
      await expect
        .poll(() => host.services.pubsub.getSubscribers('l2d2c/test').map(String), { timeout: 5000 })
        .toContain(ready.peerId)
      child.stdin.write('stop\n')
      const stopped = await next()
      const stoppedAt = performance.now()
      const { code, at } = await exited
      expect(code).toBe(0)
      // libp2p 3.3.11 itself leaves ~1 s debounce timers (address manager, identify-push) and
      // one gossipsub heartbeat after stop; anything periodic would keep the child alive forever
      console.log(
        `child node: stop() took ${Number(stopped.stopped).toFixed(0)} ms, process exited ${(at - stoppedAt).toFixed(0)} ms after stop()`
      )
    } finally {
      child.kill('SIGKILL')
    }
  })
})
