/**
 * The honest peer of `pnpm bench:adversary`, in a process of its own (the attackers' work in
 * the bench process must not slow it down): it queries the victim every 200 ms and, asked over
 * IPC, reports what it saw since its last report.
 *   argv: the victim's multiaddr, its task key, its backbone id
 *   { cmd: 'report' } → { queries, answers, failed, latencyMs: { p50, p99 }, connected }
 */
import '../../src/polyfill.js'
import type { OfferStatus } from '@l2d2c/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2pNode, startLibp2pNode } from '../../src/network/libp2p-node.js'
import { LOST, MaskExchangeClient, newRequestId } from '../../src/network/mask-exchange/client.js'
import { LossInjector } from '../../src/network/mask-exchange/loss.js'
import { percentile, Traffic } from '../../src/network/mask-exchange/traffic.js'

const [target, taskKey, backboneId] = process.argv.slice(2) as [string, string, string]
const victim = multiaddr(target)
// It listens nowhere, so its dial policy would refuse the victim's loopback address: allowed,
// as an operator allows the address of a peer it names itself.
const node = await createLibp2pNode({
  privateKey: await generateKeyPair('Ed25519'),
  listen: [],
  allowPrivateDial: true
})
await startLibp2pNode(node)
const client = new MaskExchangeClient({ dialer: node, loss: LossInjector.none(), traffic: new Traffic() })

let latency: number[] = []
let answers: Partial<Record<OfferStatus, number>> = {}
let queries = 0
let failed = 0
let running = true
const loop = (async () => {
  while (running) {
    const t0 = performance.now()
    queries++
    try {
      const offer = await client.query(
        victim,
        { requestId: newRequestId(), taskKey, reward: null, backboneId },
        { timeoutMs: 5000 }
      )
      if (offer !== LOST) answers[offer.status] = (answers[offer.status] ?? 0) + 1
      latency.push(performance.now() - t0)
    } catch {
      failed++
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
})()

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'report') {
    process.send?.({
      queries,
      answers,
      failed,
      latencyMs: { p50: percentile(latency, 0.5), p99: percentile(latency, 0.99) },
      connected: node
        .getConnections()
        .some(c => c.remoteAddr.toString().startsWith(victim.toString().split('/p2p/')[0] ?? ''))
    })
    latency = []
    answers = {}
    queries = 0
    failed = 0
  } else if (m.cmd === 'stop') {
    running = false
    void loop.then(async () => {
      await node.stop()
      process.exit(0)
    })
  }
})
process.send?.({ ready: true })
