import { Key } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { parseProviderRecordKey, ProviderBoundedDatastore } from '../../../src/network/provider-store.js'

const record = (key: string, peer: string): Key => new Key(`/dht/provider/${key}/${peer}`)
const time = new Uint8Array([1])

describe('ProviderBoundedDatastore (the DHT provider records peers store here)', () => {
  it('keeps at most perPeer records from one provider, and turns the rest away', async () => {
    const store = new ProviderBoundedDatastore({ perPeer: 3, perKey: 100, total: 100 })
    for (let i = 0; i < 10; i++) await store.put(record(`k${i}`, 'sybil'), time)
    expect(store.providerRecords).toBe(3)
    expect(store.turnedAway).toEqual({ perPeer: 7, perKey: 0, total: 0 })
    expect(await store.has(record('k2', 'sybil'))).toBe(true)
    expect(await store.has(record('k3', 'sybil'))).toBe(false)
    // Another provider is unaffected.
    await store.put(record('k9', 'honest'), time)
    expect(await store.has(record('k9', 'honest'))).toBe(true)
  })

  it('keeps at most perKey providers of one key: newcomers are turned away, known providers stay', async () => {
    const store = new ProviderBoundedDatastore({ perPeer: 100, perKey: 2, total: 100 })
    await store.put(record('task', 'honest'), time)
    for (let i = 0; i < 5; i++) await store.put(record('task', `sybil${i}`), time)
    expect(await store.has(record('task', 'honest'))).toBe(true)
    expect(store.providerRecords).toBe(2)
    expect(store.turnedAway.perKey).toBe(4)
    // A provider refreshing its record (a reprovide) is stored although the key is full.
    await store.put(record('task', 'honest'), new Uint8Array([2]))
    expect(await store.get(record('task', 'honest'))).toEqual(new Uint8Array([2]))
  })

  it('keeps at most total records, and frees a slot when a record is deleted (expiry)', async () => {
    const store = new ProviderBoundedDatastore({ perPeer: 100, perKey: 100, total: 4 })
    for (let i = 0; i < 6; i++) await store.put(record(`k${i}`, `p${i}`), time)
    expect(store.providerRecords).toBe(4)
    expect(store.turnedAway.total).toBe(2)
    await store.delete(record('k0', 'p0'))
    await store.delete(record('k0', 'p0')) // twice: counted once
    expect(store.providerRecords).toBe(3)
    await store.put(record('k5', 'p5'), time)
    expect(await store.has(record('k5', 'p5'))).toBe(true)
    expect(store.providerRecords).toBe(4)
  })

  it('passes every other key through unbounded (peer records, DHT values)', async () => {
    const store = new ProviderBoundedDatastore({ perPeer: 1, perKey: 1, total: 1 })
    for (let i = 0; i < 5; i++) await store.put(new Key(`/peers/p${i}`), time)
    const keys: string[] = []
    for await (const k of store.queryKeys({ prefix: '/peers' })) keys.push(k.toString())
    expect(keys).toHaveLength(5)
    expect(store.providerRecords).toBe(0)
  })

  it('reads provider record keys, and nothing else', () => {
    expect(parseProviderRecordKey('/dht/provider/ciqabc/12D3KooWx')).toEqual({ key: 'ciqabc', peer: '12D3KooWx' })
    expect(parseProviderRecordKey('/dht/provider/ciqabc')).toBeNull()
    expect(parseProviderRecordKey('/dht/record/abc/def')).toBeNull()
    expect(parseProviderRecordKey('/peers/abc')).toBeNull()
  })

  it('refuses limits that are not positive integers', () => {
    expect(() => new ProviderBoundedDatastore({ perPeer: 0, perKey: 1, total: 1 })).toThrow(RangeError)
    expect(() => new ProviderBoundedDatastore({ perPeer: 1, perKey: 1.5, total: 1 })).toThrow(RangeError)
  })
})
