import { peerIdFromString } from '@libp2p/peer-id'
import { NODE_LIMITS } from '../../network/libp2p-node.js'
import { parsePeerAddress } from '../../network/peer-address.js'
import { parseSwarmKey, SwarmKeyError } from '../../network/swarm-key.js'
import type { Picked } from './curriculum-source.js'
import { ConfigError, type DaemonConfig } from './daemon-config.js'

/** An allowlist file longer than this is not a list of peers (each id is ~52 characters). */
const MAX_ALLOW_PEERS_FILE_BYTES = 1024 * 1024

export interface SecurityInputs {
  pick: (path: string) => Picked
  num: (path: string, min: number, max: number, integer: boolean) => number
  bool: (path: string) => boolean
  str: (path: string) => string | undefined
  /** The resolved bootstrap addresses (a denied bootstrap peer is a contradiction). */
  bootstrap: readonly string[]
  /** Reads the swarm key and allowlist files; absent: their contents are checked at start only. */
  readFile?: (path: string) => string
}

/**
 * The `security.*` settings: peer ids checked, the allowlist file read and merged, the swarm
 * key's format checked (its permissions are checked when the daemon loads it), and a peer
 * both denied and used as bootstrap refused.
 */
export function resolveSecurity(i: SecurityInputs): DaemonConfig['security'] {
  const peerList = (path: string): string[] => {
    const { value, source } = i.pick(path)
    const list = typeof value === 'string' ? [value] : value
    if (!Array.isArray(list)) throw new ConfigError(path, source, 'must be a list of peer ids')
    return list.map((id: unknown, n: number) => {
      if (typeof id !== 'string' || !isPeerId(id))
        throw new ConfigError(`${path}[${n}]`, source, `${JSON.stringify(id)} is not a peer id`)
      return id
    })
  }

  const swarmKeyFile = i.str('security.swarmKeyFile') ?? null
  if (swarmKeyFile !== null && i.readFile !== undefined) {
    const source = i.pick('security.swarmKeyFile').source
    let text: string
    try {
      text = i.readFile(swarmKeyFile)
    } catch (err) {
      throw new ConfigError('security.swarmKeyFile', source, `cannot read ${swarmKeyFile}: ${(err as Error).message}`)
    }
    try {
      parseSwarmKey(text, swarmKeyFile)
    } catch (err) {
      if (err instanceof SwarmKeyError) throw new ConfigError('security.swarmKeyFile', source, err.message)
      throw err
    }
  }

  const allowPeers = peerList('security.allowPeers')
  const allowPeersFile = i.str('security.allowPeersFile') ?? null
  if (allowPeersFile !== null) {
    const source = i.pick('security.allowPeersFile').source
    if (i.readFile === undefined)
      throw new ConfigError('security.allowPeersFile', source, 'allowlist files cannot be read here')
    let text: string
    try {
      text = i.readFile(allowPeersFile)
    } catch (err) {
      throw new ConfigError(
        'security.allowPeersFile',
        source,
        `cannot read ${allowPeersFile}: ${(err as Error).message}`
      )
    }
    if (text.length > MAX_ALLOW_PEERS_FILE_BYTES)
      throw new ConfigError('security.allowPeersFile', source, `${allowPeersFile} is over 1 MiB: not a list of peers`)
    for (const [n, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.replace(/#.*/, '').trim()
      if (line === '') continue
      if (!isPeerId(line))
        throw new ConfigError(
          'security.allowPeersFile',
          source,
          `${allowPeersFile} line ${n + 1}: ${JSON.stringify(line)} is not a peer id`
        )
      if (!allowPeers.includes(line)) allowPeers.push(line)
    }
  }

  const denyPeers = peerList('security.denyPeers')
  for (const address of i.bootstrap) {
    const id = parsePeerAddress(address).peerId
    const n = denyPeers.indexOf(id)
    if (n >= 0)
      throw new ConfigError(
        `security.denyPeers[${n}]`,
        i.pick('security.denyPeers').source,
        `${id} is a bootstrap peer`
      )
  }

  return {
    swarmKeyFile,
    allowPeers,
    allowPeersFile,
    denyPeers,
    maxConnectionsPerIp: i.num('security.maxConnectionsPerIp', 1, NODE_LIMITS.maxConnections, true),
    maxConnectionsPerPeer: i.num('security.maxConnectionsPerPeer', 1, NODE_LIMITS.maxConnections, true),
    allowPrivateDial: i.bool('security.allowPrivateDial')
  }
}

function isPeerId(text: string): boolean {
  try {
    peerIdFromString(text)
    return true
  } catch {
    return false
  }
}
