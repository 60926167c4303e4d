/**
 * The swarm key of a private l2d2c network: a pre-shared key in libp2p's PSK v1 file format
 * (what go-libp2p and js-libp2p's `@libp2p/pnet` read):
 *
 *     /key/swarm/psk/1.0.0/
 *     /base16/
 *     <64 hex digits: 32 random bytes>
 *
 * Every connection is XSalsa20-encrypted with it before anything else is exchanged, so a host
 * without the key cannot complete a handshake: no identify, no gossip, no DHT, no mask. It does
 * not authenticate a peer (every holder of the key is equal): the allowlist does that.
 *
 * The parser here is stricter than @libp2p/pnet's (which ignores the first two lines): a file
 * that is not exactly this format is refused with the reason, before the node starts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { errorCode, errorMessage } from '../errors.js'
import { writeFileAtomic } from '../util/atomic-file.js'

export const SWARM_KEY_HEADER = '/key/swarm/psk/1.0.0/'
export const SWARM_KEY_CODEC = '/base16/'
/** XSalsa20's key length. */
export const SWARM_KEY_BYTES = 32
/** A key file is three short lines; anything much longer is not one (and is not read whole). */
const MAX_SWARM_KEY_FILE_BYTES = 1024
/** File mode of a new swarm key: owner read/write only (it is the network's shared secret). */
export const SWARM_KEY_FILE_MODE = 0o600

export const SwarmKeyErrorCode = {
  /** The file is missing or cannot be read. */
  UNREADABLE: 'UNREADABLE',
  /** The file is not a PSK v1 key. */
  MALFORMED: 'MALFORMED',
  /** Group or others may read or write the file: the secret may already be out. */
  PERMISSIONS_TOO_OPEN: 'PERMISSIONS_TOO_OPEN',
  /** keygen: the file exists and overwriting was not asked for. */
  EXISTS: 'EXISTS',
  /** keygen: the file could not be written. */
  WRITE_FAILED: 'WRITE_FAILED'
} as const

export type SwarmKeyErrorCode = (typeof SwarmKeyErrorCode)[keyof typeof SwarmKeyErrorCode]

export class SwarmKeyError extends Error {
  constructor(
    readonly code: SwarmKeyErrorCode,
    readonly path: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(`${message} (${path})`, options)
    this.name = 'SwarmKeyError'
  }
}

export interface SwarmKey {
  /** The key file's canonical text as bytes: what `preSharedKey({ psk })` takes. */
  readonly psk: Uint8Array
  /**
   * The first 16 hex digits of SHA-256 over the 32 key bytes: safe to log and show in
   * `status`, so operators can see two nodes hold the same key without revealing it.
   */
  readonly fingerprint: string
}

/** The canonical file text of 32 key bytes. */
export function formatSwarmKey(key: Uint8Array): string {
  if (key.length !== SWARM_KEY_BYTES) throw new RangeError(`a swarm key has ${SWARM_KEY_BYTES} bytes`)
  return `${SWARM_KEY_HEADER}\n${SWARM_KEY_CODEC}\n${Buffer.from(key).toString('hex')}\n`
}

/**
 * Parses a key file's text: exactly the three lines above (a final newline, CRLF line ends and
 * upper-case hex are accepted). Throws SwarmKeyError MALFORMED naming what is wrong.
 */
export function parseSwarmKey(text: string, path: string): SwarmKey {
  const lines = text.split(/\r?\n/)
  if (lines.at(-1) === '') lines.pop()
  const bad = (why: string): SwarmKeyError =>
    new SwarmKeyError(
      SwarmKeyErrorCode.MALFORMED,
      path,
      `not a swarm key: ${why} (expected "${SWARM_KEY_HEADER}", "${SWARM_KEY_CODEC}" and ${SWARM_KEY_BYTES * 2} hex digits on three lines; make one with "l2d2c keygen swarm-key")`
    )
  if (lines[0] !== SWARM_KEY_HEADER) throw bad(`the first line is not "${SWARM_KEY_HEADER}"`)
  if (lines[1] !== SWARM_KEY_CODEC) throw bad(`the second line is not "${SWARM_KEY_CODEC}"`)
  const hex = lines[2] ?? ''
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== SWARM_KEY_BYTES * 2)
    throw bad(`the third line is not ${SWARM_KEY_BYTES * 2} hex digits`)
  if (lines.length > 3) throw bad('it has more than three lines')
  const key = Buffer.from(hex, 'hex')
  return {
    psk: new TextEncoder().encode(formatSwarmKey(key)),
    fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16)
  }
}

/**
 * Reads and parses a key file, refusing one that group or others can access (the fix,
 * `chmod 600`, is in the message): a swarm key readable by every local user admits them all.
 */
export async function loadSwarmKey(path: string): Promise<SwarmKey> {
  let text: string
  let mode: number
  try {
    const handle = await open(path, 'r')
    try {
      const st = await handle.stat()
      mode = st.mode
      if (!st.isFile()) throw new SwarmKeyError(SwarmKeyErrorCode.UNREADABLE, path, 'the swarm key is not a file')
      if (st.size > MAX_SWARM_KEY_FILE_BYTES)
        throw new SwarmKeyError(SwarmKeyErrorCode.MALFORMED, path, `not a swarm key: ${st.size} bytes is too long`)
      text = await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch (err) {
    if (err instanceof SwarmKeyError) throw err
    const why = errorCode(err) === 'ENOENT' ? 'no such file' : errorMessage(err)
    throw new SwarmKeyError(SwarmKeyErrorCode.UNREADABLE, path, `cannot read the swarm key: ${why}`, { cause: err })
  }
  const key = parseSwarmKey(text, path)
  if ((mode & 0o077) !== 0) {
    throw new SwarmKeyError(
      SwarmKeyErrorCode.PERMISSIONS_TOO_OPEN,
      path,
      `the swarm key is accessible to other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); fix it with: chmod 600 ${path}`
    )
  }
  return key
}

/**
 * Writes a new random key to `path` (mode 0600, atomically). Refuses to replace an existing
 * file unless `force`: overwriting a swarm key cuts the node off its network.
 */
export async function writeNewSwarmKey(path: string, opts: { force?: boolean } = {}): Promise<SwarmKey> {
  const text = formatSwarmKey(randomBytes(SWARM_KEY_BYTES))
  let written: boolean
  try {
    written = await writeFileAtomic(path, text, { mode: SWARM_KEY_FILE_MODE, exclusive: opts.force !== true })
  } catch (err) {
    throw new SwarmKeyError(SwarmKeyErrorCode.WRITE_FAILED, path, `cannot write the swarm key: ${errorMessage(err)}`, {
      cause: err
    })
  }
  if (!written) throw new SwarmKeyError(SwarmKeyErrorCode.EXISTS, path, 'the file exists; pass --force to replace it')
  return parseSwarmKey(text, path)
}
