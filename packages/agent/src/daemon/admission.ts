import type { ExposureDocument } from '@l2d2c/protocol'
import type { AgentConfig } from '../agent/agent-config.js'
import type { Logger } from '../logging/logger.js'
import { isPublicListenAddress } from '../network/libp2p-node.js'
import { DEMO_PEER_IDS } from '../network/peer-key.js'
import { loadSwarmKey, type SwarmKey } from '../network/swarm-key.js'
import type { DaemonConfig } from './config/daemon-config.js'

/** What the daemon gives the agent's libp2p node for admission, and what it reports about it. */
export interface DaemonAdmission {
  readonly network: Pick<NonNullable<AgentConfig['network']>, 'swarmKey' | 'admission' | 'allowPrivateDial'>
  readonly swarmKey: SwarmKey | null
}

/**
 * Loads the swarm key (SwarmKeyError when it is unreadable, malformed or readable by others)
 * and turns the `security.*` settings into the agent's network options.
 */
export async function daemonAdmission(config: DaemonConfig): Promise<DaemonAdmission> {
  const s = config.security
  const swarmKey = s.swarmKeyFile === null ? null : await loadSwarmKey(s.swarmKeyFile)
  return {
    swarmKey,
    network: {
      ...(swarmKey !== null ? { swarmKey: swarmKey.psk } : {}),
      admission: {
        allowPeers: s.allowPeers,
        denyPeers: s.denyPeers,
        maxConnectionsPerIp: s.maxConnectionsPerIp,
        maxConnectionsPerPeer: s.maxConnectionsPerPeer
      },
      allowPrivateDial: s.allowPrivateDial
    }
  }
}

/**
 * Who can reach the node and join: a node that listens where other hosts reach it, with
 * neither a swarm key nor an allowlist, lets anyone fetch every mask, join gossip and the DHT,
 * and serve masks. Pure: the daemon logs the warning at start and shows it in `status`.
 */
export function exposureOf(p: {
  listen: readonly string[]
  swarmKeyFingerprint: string | null
  allowlist: boolean
  peerId: string
}): ExposureDocument {
  const publicAddresses = p.listen.filter(isPublicListenAddress)
  const open = publicAddresses.length > 0 && p.swarmKeyFingerprint === null && !p.allowlist
  return {
    publicListen: publicAddresses.length > 0,
    swarmKey: p.swarmKeyFingerprint !== null,
    swarmKeyFingerprint: p.swarmKeyFingerprint,
    allowlist: p.allowlist,
    demoPeerKey: DEMO_PEER_IDS.includes(p.peerId),
    warning: open
      ? `listening on ${publicAddresses.join(', ')}, reachable from other hosts, with neither a swarm key nor a peer allowlist: anyone who reaches this port can join the swarm, fetch every mask and serve masks. Set --swarm-key (l2d2c keygen swarm-key) or --allow-peer, or listen on 127.0.0.1 (README, "Daemon: Security")`
      : null
  }
}

/** Logs the exposure warning once, at start. */
export function logExposure(logger: Logger, exposure: ExposureDocument): void {
  if (exposure.warning !== null) logger.warn({ exposure }, exposure.warning)
  else if (exposure.publicListen)
    logger.info(
      { swarmKey: exposure.swarmKeyFingerprint, allowlist: exposure.allowlist },
      'listening beyond this host with admission control'
    )
}
