import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DEMO_PEER_IDS,
  PEER_KEY_FILE_MODE,
  PeerKeyError,
  PeerKeyErrorCode,
  loadOrCreatePeerKey,
  loadPeerKey
} from '../../../src/network/peer-key.js'
import { rejectionOf } from '../../helpers/rejection.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'l2d2c-peer-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function validKeyBytes(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'))
}

describe('loadOrCreatePeerKey', () => {
  it('creates an Ed25519 key (and missing directories) with mode 0600, then loads the same identity', async () => {
    const path = join(dir, 'data', 'nested', 'peer.key')
    const first = await loadOrCreatePeerKey(path)
    expect(first.created).toBe(true)
    expect(first.privateKey.type).toBe('Ed25519')
    expect(first.peerId.type).toBe('Ed25519')
    expect((await stat(path)).mode & 0o777).toBe(PEER_KEY_FILE_MODE)
    expect(new Uint8Array(await readFile(path))).toEqual(privateKeyToProtobuf(first.privateKey))

    const second = await loadOrCreatePeerKey(path)
    expect(second.created).toBe(false)
    expect(second.demo).toBe(false)
    expect(second.peerId.toString()).toBe(first.peerId.toString())
    expect(second.privateKey.equals(first.privateKey)).toBe(true)
  })

  it('leaves no temp file behind', async () => {
    await loadOrCreatePeerKey(join(dir, 'peer.key'))
    expect(await readdir(dir)).toEqual(['peer.key'])
  })

  it('racing first starts agree on one identity: exactly one creates, the others load its key', async () => {
    const path = join(dir, 'peer.key')
    const results = await Promise.all(Array.from({ length: 6 }, async () => await loadOrCreatePeerKey(path)))
    expect(new Set(results.map(r => r.peerId.toString())).size).toBe(1)
    expect(results.filter(r => r.created)).toHaveLength(1)
    expect(await readdir(dir)).toEqual(['peer.key'])
  })

  it('refuses a key file other users can access, with the chmod that fixes it, and leaves it as it was', async () => {
    const path = join(dir, 'peer.key')
    const created = await loadOrCreatePeerKey(path)
    const bytes = await readFile(path)
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      await chmod(path, mode)
      const err = await rejectionOf(loadOrCreatePeerKey(path), PeerKeyError)
      expect(err.code).toBe(PeerKeyErrorCode.PERMISSIONS_TOO_OPEN)
      expect(err.message).toContain(`chmod 600 ${path}`)
      expect(err.message).toContain(mode.toString(8))
      expect(await readFile(path)).toEqual(bytes)
      await expect(loadPeerKey(path)).rejects.toMatchObject({ code: 'PERMISSIONS_TOO_OPEN' })
    }
    await chmod(path, 0o400)
    const loaded = await loadOrCreatePeerKey(path)
    expect(loaded.peerId.toString()).toBe(created.peerId.toString())
    expect(loaded.demo).toBe(false)
  })

  it("accepts the compose demo's committed key whatever its mode, and says it is the demo key", async () => {
    const demoKey = fileURLToPath(new URL('../../../../../docker/config/agent-1.demo-only.key', import.meta.url))
    const path = join(dir, 'demo.key')
    await writeFile(path, await readFile(demoKey), { mode: 0o644 })
    await chmod(path, 0o644)
    const loaded = await loadPeerKey(path)
    expect(loaded.demo).toBe(true)
    expect(DEMO_PEER_IDS).toContain(loaded.peerId.toString())
  })
})

describe('a corrupt or unreadable key file is an error, never replaced', () => {
  async function expectRefused(content: Uint8Array, code: PeerKeyErrorCode, message: RegExp): Promise<void> {
    const path = join(dir, 'peer.key')
    await writeFile(path, content, { mode: 0o600 })
    const err = await rejectionOf(loadOrCreatePeerKey(path), PeerKeyError)
    expect(err.code).toBe(code)
    expect(err.message).toMatch(message)
    expect(err.path).toBe(path)
    // the file is exactly as it was: the operator decides what to do with it
    expect(new Uint8Array(await readFile(path))).toEqual(content)
  }

  it('an empty file (e.g. a crash of a non-atomic writer)', async () => {
    await expectRefused(new Uint8Array(0), PeerKeyErrorCode.CORRUPT, /unknown or missing key type/)
  })

  it('random bytes', async () => {
    await expectRefused(
      Uint8Array.from({ length: 68 }, (_, i) => (i * 97 + 13) & 0xff),
      PeerKeyErrorCode.CORRUPT,
      /peer key file/
    )
  })

  it('a truncated key', async () => {
    const bytes = await validKeyBytes()
    await expectRefused(bytes.subarray(0, 40), PeerKeyErrorCode.CORRUPT, /not a valid libp2p private key/)
  })

  it('a valid key followed by a stray byte', async () => {
    const bytes = await validKeyBytes()
    await expectRefused(Uint8Array.from([...bytes, 0]), PeerKeyErrorCode.CORRUPT, /not a valid libp2p private key/)
  })

  it('a valid key followed by a well-formed unknown field (which the protobuf decoder skips)', async () => {
    const bytes = await validKeyBytes()
    await expectRefused(Uint8Array.from([...bytes, 0x18, 0x01]), PeerKeyErrorCode.CORRUPT, /extra or non-canonical/)
  })

  it('a flipped bit in the stored public half (which privateKeyFromProtobuf alone accepts)', async () => {
    const bytes = await validKeyBytes()
    const damaged = Uint8Array.from(bytes)
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0x01
    await expectRefused(damaged, PeerKeyErrorCode.CORRUPT, /public key does not match/)
  })

  it('a valid key of another type (secp256k1)', async () => {
    const bytes = privateKeyToProtobuf(await generateKeyPair('secp256k1'))
    await expectRefused(bytes, PeerKeyErrorCode.UNSUPPORTED_KEY_TYPE, /secp256k1 key, expected Ed25519/)
  })

  it('a path that cannot be read as a file', async () => {
    const path = join(dir, 'peer.key')
    await mkdir(path)
    const err = await rejectionOf(loadOrCreatePeerKey(path), PeerKeyError)
    expect(err.code).toBe(PeerKeyErrorCode.UNREADABLE)
    expect(err.cause).toBeDefined()
  })

  it('loadPeerKey does not create a missing key', async () => {
    const path = join(dir, 'peer.key')
    expect((await rejectionOf(loadPeerKey(path), PeerKeyError)).code).toBe(PeerKeyErrorCode.UNREADABLE)
    expect(await readdir(dir)).toEqual([])
  })

  it('a directory where the key cannot be created: WRITE_FAILED', async () => {
    // a regular file in the way of the parent directory: mkdir fails whoever we run as
    await writeFile(join(dir, 'blocker'), 'x')
    const err = await rejectionOf(loadOrCreatePeerKey(join(dir, 'blocker', 'sub', 'peer.key')), PeerKeyError)
    expect(err.code).toBe(PeerKeyErrorCode.WRITE_FAILED)
  })
})
