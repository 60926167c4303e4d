import {
  CONTROL_ROUTES,
  type CandidateDecisionDocument,
  type CandidatesDocument,
  type DefenceDocument
} from '@l2d2c/protocol'
import type { Agent } from '../agent/agent.js'
import { CandidateNotFoundError } from '../agent/review-desk.js'
import { RouteError, type RouteHandler } from './control-server.js'

/**
 * The control routes of review mode: the held candidates, and the operator's adopt and reject
 * (POST with ?task=KEY&cid=CID). A node that adopts automatically lists none and refuses the
 * decisions (409).
 */
export function reviewRoutes(agent: Agent): Record<string, RouteHandler> {
  const desk = () => {
    if (agent.desk === null)
      throw new RouteError(409, 'this node adopts automatically; start it with --adopt review to hold candidates')
    return agent.desk
  }
  const args = (q: URLSearchParams): { task: string; cid: string } => {
    const task = q.get('task')
    const cid = q.get('cid')
    if (task === null || task === '' || cid === null || cid === '')
      throw new RouteError(400, 'name the candidate: ?task=TASK&cid=CID')
    return { task, cid }
  }
  const decide = async (run: () => Promise<CandidateDecisionDocument>): Promise<CandidateDecisionDocument> => {
    try {
      return await run()
    } catch (err) {
      if (err instanceof CandidateNotFoundError) throw new RouteError(404, err.message)
      throw err
    }
  }
  return {
    [CONTROL_ROUTES.candidates]: async (): Promise<CandidatesDocument> => ({
      adopt: agent.policy.adopt,
      candidates: (agent.desk?.list() ?? []).map(c => ({
        taskKey: c.taskKey,
        cid: c.cid,
        from: c.from,
        origin: c.origin,
        claimedReward: c.claimedReward,
        verifiedReward: c.verifiedReward,
        currentReward: c.currentReward,
        stepsTrained: c.stepsTrained,
        heldAt: new Date(c.heldAt).toISOString(),
        encoding: c.encoding,
        bytes: c.bytes.length
      }))
    }),
    [CONTROL_ROUTES.adopt]: async q => {
      const { task, cid } = args(q)
      return await decide(async () => await desk().adopt(task, cid))
    },
    [CONTROL_ROUTES.reject]: async q => {
      const { task, cid } = args(q)
      return await decide(async () => desk().reject(task, cid))
    }
  }
}

/** Bans listed in the status at most (the counts cover them all). */
const STATUS_BANS_LISTED = 32

/** What the node remembers of misbehaving peers, and what its limits refused (status documents). */
export function defenceDocument(agent: Agent, now: number): DefenceDocument {
  const { server, announcer, directory } = agent.exchange
  const rep = agent.reputation.toJSON()
  const gate = announcer.gate.dropped
  const banner = agent.exchange.banner
  const book = banner.book
  const iso = (ms: number): string => new Date(ms).toISOString()
  return {
    peersRemembered: rep.peers.length,
    peersIgnored: rep.peers.filter(p => p.ignoredUntil > now).length,
    rejectedContent: rep.rejected.length,
    refused: {
      queries: server.limiters.query.refused,
      fetches: server.limiters.fetch.refused,
      inventory: server.limiters.inventory.refused,
      policy: server.refusedByPolicy
    },
    announcements: {
      ignored: gate.banned + gate['peer-rate'] + gate['publisher-rate'] + gate.stale + gate['decode-budget'],
      rejected: announcer.rejected + gate['peer-flood']
    },
    directory: {
      peers: directory.size,
      masks: directory.masksKept,
      turnedAway: directory.turnedAway.peers
    },
    bans: {
      active: book.activeCount(now),
      activeIps: book.activeIps(now).length,
      total: book.bansTotal,
      spared: banner.spared,
      peers: book.active(now, STATUS_BANS_LISTED).map(b => ({
        peer: b.peer,
        reason: b.reason,
        since: iso(b.since),
        until: iso(b.until),
        strikes: b.strikes
      })),
      ips: book.activeIps(now, STATUS_BANS_LISTED).map(b => ({ ip: b.ip, until: iso(b.until) }))
    }
  }
}
