/**
 * The node's persistent identity: an Ed25519 private key in a file (libp2p's protobuf key
 * encoding, as `privateKeyToProtobuf` writes it). libp2p derives the peer id from it and does
 * not persist it itself (a datastore does not keep the id across restarts).
 *
 * An existing file is never replaced: a corrupt or unreadable key is an error the operator
 * must resolve, because silently generating a new key would give the node a new identity
 * (its DHT records, peers' knowledge of it and logs would all point at a peer that is gone).
 */
import { open } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey, PeerId, PrivateKey } from '@libp2p/interface'
import { equals as equalBytes } from 'multiformats/bytes'
import { writeFileAtomic } from '../util/atomic-file.js'
import { errorCode, errorMessage, errorName } from '../errors.js'

export const PeerKeyErrorCode = {
  /** The file exists but could not be read (permissions, a directory, I/O error). */
  UNREADABLE: 'UNREADABLE',
  /** The file does not hold a valid, self-consistent libp2p private key. */
  CORRUPT: 'CORRUPT',
  /** The file holds a valid key of another known type than Ed25519 (e.g. secp256k1). */
  UNSUPPORTED_KEY_TYPE: 'UNSUPPORTED_KEY_TYPE',
  /** A new key could not be written (directory not writable, disk full). */
  WRITE_FAILED: 'WRITE_FAILED',
  /** Group or others may read or write the key file: the node's identity may already be out. */
  PERMISSIONS_TOO_OPEN: 'PERMISSIONS_TOO_OPEN'
} as const

export type PeerKeyErrorCode = (typeof PeerKeyErrorCode)[keyof typeof PeerKeyErrorCode]

export class PeerKeyError extends Error {
  readonly code: PeerKeyErrorCode
  readonly path: string

  constructor(code: PeerKeyErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(`${message} (${path})`, options)
    this.name = 'PeerKeyError'
    this.code = code
    this.path = path
  }
}

export interface PeerKey {
  readonly privateKey: Ed25519PrivateKey
  readonly peerId: PeerId
  /** True when this call generated the key (first start), false when it was loaded. */
  readonly created: boolean
  /** The key is one of DEMO_PEER_IDS': public, so anyone can impersonate this node. */
  readonly demo: boolean
}

/**
 * Peer ids of the keys committed to this repository for the compose demo
 * (docker/config/*.demo-only.key). Their secret is public: they are exempt from the
 * permission check (a read-only bind mount keeps git's 0644) and the daemon warns whenever
 * one is in use.
 */
export const DEMO_PEER_IDS: readonly string[] = ['12D3KooWBD1UpbFSGfb3jwDbcNszyiopZ44cfhcsSAxkpRCz4fgF']

/** File mode of a new key: owner read/write only. */
export const PEER_KEY_FILE_MODE = 0o600

/**
 * Loads the key at `path`, or creates it (and missing parent directories, mode 0700) when
 * no file exists. Creation is atomic: the key is written to a temp file, fsynced, then
 * hard-linked into place, which fails if another process created `path` meanwhile (its key
 * then wins and is loaded), so two racing starts still end with one identity.
 */
export async function loadOrCreatePeerKey(path: string): Promise<PeerKey> {
  const existing = await readKeyFile(path)
  if (existing !== undefined) return existing

  const privateKey = await generateKeyPair('Ed25519')
  const won = await writeNewKeyFile(path, privateKeyToProtobuf(privateKey))
  if (!won) {
    const theirs = await readKeyFile(path)
    if (theirs === undefined)
      throw new PeerKeyError(PeerKeyErrorCode.WRITE_FAILED, path, 'key file vanished while it was being created')
    return theirs
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: true, demo: false }
}

/** Loads an existing key; a missing file is UNREADABLE (use loadOrCreatePeerKey to create one). */
export async function loadPeerKey(path: string): Promise<PeerKey> {
  const key = await readKeyFile(path)
  if (key === undefined) throw new PeerKeyError(PeerKeyErrorCode.UNREADABLE, path, 'peer key file does not exist')
  return key
}

/** Decodes and checks key bytes. */
async function decodePeerKey(bytes: Uint8Array, path: string): Promise<Ed25519PrivateKey> {
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    // an empty or garbled file decodes to no or an unknown key type: that is corruption too
    const detail = errorName(err) === 'UnsupportedKeyTypeError' ? ' (unknown or missing key type)' : ''
    throw new PeerKeyError(PeerKeyErrorCode.CORRUPT, path, `peer key file is not a valid libp2p private key${detail}`, {
      cause: err
    })
  }
  if (key.type !== 'Ed25519') {
    throw new PeerKeyError(
      PeerKeyErrorCode.UNSUPPORTED_KEY_TYPE,
      path,
      `peer key file holds a ${key.type} key, expected Ed25519`
    )
  }
  // The protobuf decoder accepts trailing or reordered bytes, and an Ed25519 key stores its
  // public half next to the private one without checking that they match (a flipped bit in
  // the public half would silently change the peer id). Require the canonical encoding and a
  // key that can sign for its own public key.
  if (!equalBytes(privateKeyToProtobuf(key), bytes)) {
    throw new PeerKeyError(PeerKeyErrorCode.CORRUPT, path, 'peer key file has extra or non-canonical bytes')
  }
  const probe = new TextEncoder().encode('l2d2c peer key self-check')
  if (!(await verifiesOwnSignature(key, probe))) {
    throw new PeerKeyError(PeerKeyErrorCode.CORRUPT, path, "peer key file's public key does not match its private key")
  }
  return key
}

async function readKeyFile(path: string): Promise<PeerKey | undefined> {
  let bytes: Uint8Array
  let mode: number
  try {
    const handle = await open(path, 'r')
    try {
      mode = (await handle.stat()).mode
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (err) {
    // ENOTDIR: a parent is a file, so the key cannot exist either; creating it will fail loudly
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return undefined
    throw new PeerKeyError(PeerKeyErrorCode.UNREADABLE, path, `cannot read peer key file: ${errorMessage(err)}`, {
      cause: err
    })
  }
  const privateKey = await decodePeerKey(bytes, path)
  const peerId = peerIdFromPrivateKey(privateKey)
  const demo = DEMO_PEER_IDS.includes(peerId.toString())
  // A key others can read is a key others may have copied: refuse it rather than run as an
  // identity that can be impersonated (the demo keys are public anyway).
  if ((mode & 0o077) !== 0 && !demo) {
    throw new PeerKeyError(
      PeerKeyErrorCode.PERMISSIONS_TOO_OPEN,
      path,
      `peer key file is accessible to other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); fix it with: chmod 600 ${path}`
    )
  }
  return { privateKey, peerId, created: false, demo }
}

/** Returns false when `path` appeared meanwhile (another writer won). */
async function writeNewKeyFile(path: string, bytes: Uint8Array): Promise<boolean> {
  try {
    return await writeFileAtomic(path, bytes, { mode: PEER_KEY_FILE_MODE, dirMode: 0o700, exclusive: true })
  } catch (err) {
    throw new PeerKeyError(PeerKeyErrorCode.WRITE_FAILED, path, `cannot write peer key file: ${errorMessage(err)}`, {
      cause: err
    })
  }
}

async function verifiesOwnSignature(key: Ed25519PrivateKey, probe: Uint8Array): Promise<boolean> {
  try {
    // sign/verify are synchronous in Node but typed as possibly async (browser WebCrypto)
    const signature = await key.sign(probe)
    return await key.publicKey.verify(probe, signature)
  } catch {
    return false
  }
}
