import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { Traffic } from '../network/mask-exchange/traffic.js'

/** Sampling period of the event-loop delay monitor (its own delay is subtracted). */
const LOOP_RESOLUTION_MS = 10

export interface MetricsSources {
  traffic: () => Traffic | null
  masksHeld: () => number
  peers: () => { connected: number; known: number }
  taskReturns: () => Array<{ task: string; reward: number }>
  /** Evaluators only: without it there is no l2d2c_icr (an unset gauge would read 0). */
  icr?: () => number | null
  /** Learners only: the agent's own ICR (null before its first sample, taken as its curriculum starts: reads 0). */
  ownIcr?: () => number | null
  /** Learners only: curriculum tasks mastered by own training and by adoption, and the steps adoption saved. */
  outcome?: () => { tasksLearned: number; tasksAdopted: number; stepsSaved: number }
  /** Peers and addresses banned now, and bans since start (peer-banner.ts). */
  bans?: () => { active: number; activeIps: number; total: number }
}

/**
 * The daemon's Prometheus metrics, in a registry of its own (libp2p's metrics are added to
 * the same registry by the node). Counters are incremented by the daemon; the gauges `watch`
 * adds read the live components at scrape time, once those exist (the agent is built with the
 * registry, so the registry comes first).
 */
export class DaemonMetrics {
  readonly registry = new Registry()
  readonly steps: Counter
  readonly episodes: Counter
  readonly evalSteps: Counter
  readonly iterations: Counter
  readonly adoptions: Counter
  readonly queryRounds: Counter
  private readonly loop: IntervalHistogram

  constructor() {
    const r = this.registry
    collectDefaultMetrics({ register: r, prefix: 'l2d2c_process_' })
    this.steps = new Counter({ name: 'l2d2c_env_steps_total', help: 'environment steps trained', registers: [r] })
    this.episodes = new Counter({ name: 'l2d2c_episodes_total', help: 'training episodes finished', registers: [r] })
    this.evalSteps = new Counter({
      name: 'l2d2c_eval_steps_total',
      help: 'environment steps spent in evaluations (progress, own-ICR sweeps, sharing rounds), not training',
      registers: [r]
    })
    this.iterations = new Counter({
      name: 'l2d2c_ppo_iterations_total',
      help: 'PPO iterations (rollout + update)',
      registers: [r]
    })
    this.adoptions = new Counter({
      name: 'l2d2c_adoptions_total',
      help: 'masks received from peers, verified and adopted',
      registers: [r]
    })
    this.queryRounds = new Counter({
      name: 'l2d2c_query_rounds_total',
      help: 'sharing rounds run',
      labelNames: ['outcome'],
      registers: [r]
    })
    this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
    this.loop.enable()
    const loop = this.loop
    new Gauge({
      name: 'l2d2c_event_loop_lag_seconds',
      help: 'main event-loop delay (the network thread): p50, p99, max since start',
      labelNames: ['quantile'],
      registers: [r],
      collect() {
        const lag = (ns: number): number => Math.max(0, ns / 1e9 - LOOP_RESOLUTION_MS / 1000)
        this.set({ quantile: '0.5' }, lag(loop.percentile(50)))
        this.set({ quantile: '0.99' }, lag(loop.percentile(99)))
        this.set({ quantile: 'max' }, lag(loop.max))
      }
    })
  }

  /** Adds the gauges read from `sources` at every scrape. Call once. */
  watch(sources: MetricsSources): void {
    const r = this.registry
    new Gauge({
      name: 'l2d2c_masks_held',
      help: 'task masks held',
      registers: [r],
      collect() {
        this.set(sources.masksHeld())
      }
    })
    new Gauge({
      name: 'l2d2c_peers',
      help: 'peers connected and known',
      labelNames: ['state'],
      registers: [r],
      collect() {
        const p = sources.peers()
        this.set({ state: 'connected' }, p.connected)
        this.set({ state: 'known' }, p.known)
      }
    })
    new Gauge({
      name: 'l2d2c_task_return',
      help: 'latest measured mean return per task (learners: own training; evaluators: the best mask evaluated)',
      labelNames: ['task'],
      registers: [r],
      collect() {
        this.reset()
        for (const t of sources.taskReturns()) this.set({ task: t.task }, t.reward)
      }
    })
    const icr = sources.icr
    if (icr !== undefined)
      new Gauge({
        name: 'l2d2c_icr',
        help: 'instant cumulative return (evaluators)',
        registers: [r],
        collect() {
          const v = icr()
          if (v !== null) this.set(v)
        }
      })
    const ownIcr = sources.ownIcr
    if (ownIcr !== undefined)
      new Gauge({
        name: 'l2d2c_own_icr',
        help: "this learner's own ICR: the sum over its curriculum of the return it gets itself (0 for tasks it holds no mask for)",
        registers: [r],
        collect() {
          const v = ownIcr()
          if (v !== null) this.set(v)
        }
      })
    const outcome = sources.outcome
    if (outcome !== undefined) {
      new Gauge({
        name: 'l2d2c_tasks_learned',
        help: 'curriculum tasks mastered by own training',
        registers: [r],
        collect() {
          this.set(outcome().tasksLearned)
        }
      })
      new Gauge({
        name: 'l2d2c_tasks_adopted',
        help: "curriculum tasks mastered by adopting a peer's mask verified at the threshold",
        registers: [r],
        collect() {
          this.set(outcome().tasksAdopted)
        }
      })
      new Gauge({
        name: 'l2d2c_steps_saved',
        help: 'estimated env steps adoption saved (per adopted task, the mean steps a task learned here needed)',
        registers: [r],
        collect() {
          this.set(outcome().stepsSaved)
        }
      })
    }
    const bans = sources.bans
    if (bans !== undefined) {
      new Gauge({
        name: 'l2d2c_bans_active',
        help: 'peers and addresses banned now (flooding, graylisted): their connections closed, refused until the ban ends',
        labelNames: ['kind'],
        registers: [r],
        collect() {
          const b = bans()
          this.set({ kind: 'peer' }, b.active)
          this.set({ kind: 'ip' }, b.activeIps)
        }
      })
      new Gauge({
        name: 'l2d2c_bans_total',
        help: 'peer bans since start, repeats included',
        registers: [r],
        collect() {
          this.set(bans().total)
        }
      })
    }
    new Gauge({
      name: 'l2d2c_bytes',
      help: 'application bytes per protocol and direction',
      labelNames: ['protocol', 'direction'],
      registers: [r],
      collect() {
        const t = sources.traffic()?.snapshot()
        if (t === undefined) return
        for (const [p, v] of Object.entries(t.bytes)) {
          this.set({ protocol: p, direction: 'sent' }, v.sent)
          this.set({ protocol: p, direction: 'received' }, v.received)
        }
      }
    })
    new Gauge({
      name: 'l2d2c_relayed_bytes',
      help: 'query and mask bytes that ran over relayed (Circuit Relay v2) connections, by direction',
      labelNames: ['direction'],
      registers: [r],
      collect() {
        const t = sources.traffic()?.snapshot()
        if (t === undefined) return
        this.set({ direction: 'sent' }, t.relayed.sent)
        this.set({ direction: 'received' }, t.relayed.received)
      }
    })
    new Gauge({
      name: 'l2d2c_latency_seconds',
      help: 'latency percentiles of recent operations',
      labelNames: ['op', 'quantile'],
      registers: [r],
      collect() {
        const t = sources.traffic()?.snapshot()
        if (t === undefined) return
        for (const [op, v] of Object.entries(t.latencies)) {
          if (v.p50 !== null) this.set({ op, quantile: '0.5' }, v.p50 / 1000)
          if (v.p99 !== null) this.set({ op, quantile: '0.99' }, v.p99 / 1000)
        }
      }
    })
  }

  stop(): void {
    this.loop.disable()
  }
}
