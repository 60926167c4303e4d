/**
 * The attackers of `pnpm bench:adversary`'s sharing run, in a process of their own (their work
 * must not slow down the honest learners' network threads, which share the bench process):
 * three liars claiming 1.0 for random masks with fresh content ids every 3 s, a slow-loris
 * holder offering every task at 0.99, an announcement flooder per learner (50 identities,
 * 256 masks each, every second) and a query flooder against the first learner.
 * The bench starts two: the holders (liars and slow holder) and the floods, so that building
 * and signing the floods does not keep the liars from answering the queries they want; or
 * one with the liars alone (their run measures evaluations per liar content id).
 *   env ATTACK: JSON { targets: multiaddrs, tasks, backboneId, layers, role: 'liars' | 'holders' | 'floods' }
 *   { cmd: 'report' } → { liars: peer ids, liarCids: content ids they offered, slow: peer id }
 *   { cmd: 'stop' }   → stops every attacker and exits
 */
import '../../src/polyfill.js'
import { encodeMask, type LayerSpec } from '@l2d2c/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import { bareNode } from '../../test/helpers/adversary/bare-node.js'
import { floodQueries } from '../../test/helpers/adversary/floods.js'
import {
  floodAnnouncement,
  GossipInjector,
  identities,
  signedMessage
} from '../../test/helpers/adversary/gossip-flooder.js'
import { randomMask, startLiar, type Liar } from '../../test/helpers/adversary/liar.js'
import { serveSlowly } from '../../test/helpers/adversary/slow-loris.js'
import { sleep } from '../../test/helpers/adversary/streams.js'

const o = JSON.parse(process.env.ATTACK ?? '{}') as {
  targets: string[]
  tasks: string[]
  backboneId: string
  layers: LayerSpec[]
  role: 'liars' | 'holders' | 'floods'
}
const targets = o.targets.map(t => multiaddr(t))
const hub = targets[0]!
let running = true

const holders = o.role === 'holders'
const floodsOn = o.role === 'floods'
const liars: Liar[] = []
for (let i = 0; i < (holders || o.role === 'liars' ? 3 : 0); i++)
  liars.push(
    await startLiar({
      backboneId: o.backboneId,
      layers: o.layers,
      tasks: o.tasks,
      seed: 500 + i,
      bootstrap: [hub.toString()],
      announceIntervalMs: 1000
    })
  )
for (const l of liars) for (const t of targets) await l.node.dial(t).catch(() => {})
// Fresh content ids every 3 s: every new mask is worth one evaluation at most.
const rotate = setInterval(() => {
  for (const l of liars) void l.lie()
}, 3000)

const slow = await bareNode({ listen: true })
if (holders) {
  await slow.start()
  await serveSlowly(slow, {
    masks: Object.fromEntries(o.tasks.map(t => [t, encodeMask(randomMask(t, o.backboneId, o.layers, 9), 'bits')])),
    backboneId: o.backboneId,
    claim: 0.99,
    intervalMs: 500
  })
  for (const t of targets) await slow.dial(t).catch(() => {})
}

const flooders = floodsOn ? await Promise.all(targets.map(async () => await bareNode())) : []
const floods = flooders.map(async (f, k) => {
  await f.start()
  const injector = await GossipInjector.open(f, targets[k]!).catch(() => null)
  if (injector === null) return
  const ids = await identities(50)
  while (running) {
    for (const id of ids) {
      const data = floodAnnouncement(id, { backboneId: o.backboneId, tasks: o.tasks, masks: 256 })
      await injector.sendMessages([await signedMessage(id, data)], 1).catch(() => {})
    }
    await sleep(1000)
  }
  injector.close()
})
const queryFlooder = await bareNode()
if (floodsOn) {
  await queryFlooder.start()
  await queryFlooder.dial(hub).catch(() => {})
}
const queryFlood = (async () => {
  while (running && floodsOn)
    await floodQueries(queryFlooder, hub, {
      queries: 2000,
      concurrency: 8,
      taskKey: o.tasks[0]!,
      backboneId: o.backboneId,
      durationMs: 5000
    }).catch(() => {})
})()

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'report') {
    process.send?.({
      liars: liars.map(l => l.peerId),
      liarCids: liars.flatMap(l => [...l.cids]),
      slow: slow.peerId.toString()
    })
  } else if (m.cmd === 'stop') {
    running = false
    clearInterval(rotate)
    void (async () => {
      // Nodes first: a flood blocked on a stream the victim no longer reads ends when its
      // node stops, not before; the loops get a few seconds to notice, no more.
      await Promise.all([
        ...liars.map(async l => await l.stop()),
        ...[slow, queryFlooder, ...flooders].map(async n => {
          await Promise.resolve(n.stop()).catch(() => {})
        })
      ])
      await Promise.race([Promise.allSettled([...floods, queryFlood]), sleep(5000)])
      process.exit(0)
    })()
  }
})
process.send?.({ ready: true })
