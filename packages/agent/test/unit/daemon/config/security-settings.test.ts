import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../../src/daemon/config/daemon-config.js'
import { resolveDaemonConfig, type ResolveInput } from '../../../../src/daemon/config/resolve.js'
import { DEFAULT_ADMISSION } from '../../../../src/network/connection-gater.js'

const base = { dataDir: '/data', tasks: ['ctgraph/d2b2/img1/leaf10'] }
const A = '12D3KooWJRpe8Qu4qGoiWTqPW14izBBhP1K9UfxCEGTvmrmP8Ny9'
const B = '12D3KooWDSYwr7zoCHZSTcEW2Wvz7q4X5u77DKA8edkGqXiuEjdm'
const C = '12D3KooWHp5VEiSAKJNdw146G8oKgqZWP6reAFxjLEQjnhD8CtFo'
const KEY = `/key/swarm/psk/1.0.0/\n/base16/\n${'ab'.repeat(32)}\n`

const files: Record<string, string> = {
  '/swarm.key': KEY,
  '/bad.key': KEY.replace('/base16/', '/base64/'),
  '/peers.txt': `# the lab\n${B}\n\n  ${C}  # the evaluator\n${A}\n`,
  '/bad-peers.txt': `${B}\nnot-a-peer\n`
}
const readFile = (path: string): string => {
  const text = files[path]
  if (text === undefined) throw new Error('ENOENT: no such file')
  return text
}

function configError(input: ResolveInput): ConfigError {
  try {
    resolveDaemonConfig(input)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('no ConfigError thrown')
}

describe('security settings', () => {
  it('default to an open swarm with the default caps and no private dialling', () => {
    expect(resolveDaemonConfig({ flags: base }).security).toEqual({
      swarmKeyFile: null,
      allowPeers: [],
      allowPeersFile: null,
      denyPeers: [],
      maxConnectionsPerIp: DEFAULT_ADMISSION.maxConnectionsPerIp,
      maxConnectionsPerPeer: DEFAULT_ADMISSION.maxConnectionsPerPeer,
      allowPrivateDial: false
    })
  })

  it('merge the allowlist file (comments, blank lines, duplicates) into the listed peers', () => {
    const c = resolveDaemonConfig({
      flags: { ...base, security: { allowPeers: [A], allowPeersFile: '/peers.txt', swarmKeyFile: '/swarm.key' } },
      readFile
    })
    expect(c.security).toMatchObject({
      allowPeers: [A, B, C],
      allowPeersFile: '/peers.txt',
      swarmKeyFile: '/swarm.key'
    })
  })

  it('name the setting, the entry and the layer of a bad value', () => {
    expect(configError({ flags: { ...base, security: { allowPeers: [A, 'nope'] } } })).toMatchObject({
      path: 'security.allowPeers[1]',
      source: 'flag'
    })
    expect(configError({ env: { security: { denyPeers: ['12D3Koo'] } }, flags: base })).toMatchObject({
      path: 'security.denyPeers[0]',
      source: 'env'
    })
    const file = configError({ file: { security: { allowPeersFile: '/bad-peers.txt' } }, flags: base, readFile })
    expect(file).toMatchObject({ path: 'security.allowPeersFile', source: 'file' })
    expect(file.message).toContain('line 2')
    expect(configError({ flags: { ...base, security: { allowPeersFile: '/none' } }, readFile }).message).toContain(
      'cannot read /none'
    )
    const key = configError({ flags: { ...base, security: { swarmKeyFile: '/bad.key' } }, readFile })
    expect(key).toMatchObject({ path: 'security.swarmKeyFile' })
    expect(key.message).toContain('second line')
    expect(configError({ flags: { ...base, security: { swarmKeyFile: '/none' } }, readFile }).path).toBe(
      'security.swarmKeyFile'
    )
    for (const [setting, value] of [
      ['maxConnectionsPerIp', '0'],
      ['maxConnectionsPerIp', '65'],
      ['maxConnectionsPerPeer', '1.5']
    ] as const)
      expect(configError({ flags: { ...base, security: { [setting]: value } } }).path).toBe(`security.${setting}`)
    expect(configError({ flags: { ...base, security: { allowPrivateDial: 'maybe' } } }).path).toBe(
      'security.allowPrivateDial'
    )
  })

  it('refuse a peer that is both denied and a bootstrap peer', () => {
    const bootstrap = `/ip4/10.0.0.2/tcp/4001/p2p/${B}`
    const err = configError({ flags: { ...base, bootstrap: [bootstrap], security: { denyPeers: [A, B] } } })
    expect(err).toMatchObject({ path: 'security.denyPeers[1]' })
    expect(err.message).toContain('bootstrap')
  })

  it('refuse an unknown security setting', () => {
    expect(configError({ file: { security: { swarmKey: '/k' } }, flags: base }).path).toBe('security.swarmKey')
  })
})
