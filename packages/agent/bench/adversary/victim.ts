/**
 * The attacked node of `pnpm bench:adversary`: one l2d2c agent (learner in a worker thread,
 * training its curriculum at full speed, then serving) in a process of its own, so its heap and
 * event loop are measured without the attackers'. Run with --expose-gc and an IPC channel; it
 * answers:
 *   { cmd: 'info' }   → { addrs, peerId, backboneId, layers, tasks }
 *   { cmd: 'sample' } → heap after a full GC, event-loop delay since the last reset, the
 *                       defence counters
 *   { cmd: 'reset' }  → resets the event-loop delay histogram
 *   { cmd: 'stop' }   → stops the agent and exits
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import '../../src/polyfill.js'
import { Agent } from '../../src/agent/agent.js'
import { silentLogger } from '../../src/logging/logger.js'
import { admissionRefusals } from '../../src/network/libp2p-node.js'

const tasks = (process.env.VICTIM_TASKS ?? 'ctgraph/d2b2/img1/leaf00').split(',')
const steps = Number(process.env.VICTIM_STEPS ?? '100000000')
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined || process.send === undefined) throw new Error('run with --expose-gc and an IPC channel')

const agent = await Agent.create({
  dataDir: null,
  role: 'learner',
  tasks,
  stepsPerTask: steps,
  seed: 77,
  backend: 'wasm',
  learnerThread: 'worker',
  network: { gossipHeartbeatMs: 500, announceIntervalMs: 2000 },
  sharing: { enabled: false },
  logger: silentLogger
})
// Training load on the learner thread, as a real site has; the network thread is what is measured.
const stopTraining = new AbortController()
const training = agent.runCurriculum(stopTraining.signal)
const lag = monitorEventLoopDelay({ resolution: 10 })
lag.enable()

const send = (msg: unknown): void => {
  process.send?.(msg)
}

process.on('message', (m: { cmd: string }) => {
  void (async () => {
    if (m.cmd === 'info') {
      send({
        addrs: agent.addresses(),
        peerId: agent.peerId,
        backboneId: agent.info.backboneId,
        layers: agent.info.layers,
        tasks,
        masks: agent.masksHeld
      })
    } else if (m.cmd === 'sample') {
      gc()
      gc()
      const { server, announcer, directory } = agent.exchange
      const ms = (ns: number): number => Math.max(0, ns / 1e6 - 10)
      send({
        heapUsed: process.memoryUsage().heapUsed,
        rss: process.memoryUsage().rss,
        lagMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) },
        directory: { peers: directory.size, masks: directory.masksKept, turnedAway: directory.turnedAway },
        gate: { ...announcer.gate.dropped, rejected: announcer.rejected },
        refused: {
          queries: server.limiters.query.refused,
          fetches: server.limiters.fetch.refused,
          inventory: server.limiters.inventory.refused
        },
        connections: agent.libp2p.getConnections().length,
        bans: {
          active: agent.exchange.banner.book.activeCount(Date.now()),
          total: agent.exchange.banner.book.bansTotal,
          refused: admissionRefusals(agent.libp2p).banned
        },
        peerStore: (await agent.libp2p.peerStore.all()).length,
        masksServed: agent.masksServed
      })
    } else if (m.cmd === 'reset') {
      lag.reset()
      send({ reset: true })
    } else if (m.cmd === 'stop') {
      stopTraining.abort()
      await training.catch(() => {})
      await agent.stop()
      process.exit(0)
    }
  })()
})
send({ ready: true })
