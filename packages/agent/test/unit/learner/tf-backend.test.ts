import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { activeBackend, initTfBackend } from '../../../src/learner/tf-backend.js'

describe('tfjs backend selection', () => {
  it('activates an explicit backend once and reports it', async () => {
    expect(activeBackend()).toBeNull()
    const cpu = await initTfBackend('cpu')
    expect(cpu.name).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    const wasm = await initTfBackend('wasm')
    expect(wasm).toMatchObject({ name: 'wasm', tfName: 'wasm' })
    expect(tf.getBackend()).toBe('wasm')
    // Idempotent: the same choice, or 'auto' once a backend is active, changes nothing.
    expect(await initTfBackend('wasm')).toBe(wasm)
    expect(await initTfBackend('auto')).toBe(wasm)
    expect(activeBackend()).toBe(wasm)
  })

  it('shares one initialisation between concurrent callers', async () => {
    const [a, b] = await Promise.all([initTfBackend('cpu'), initTfBackend('cpu')])
    expect(a).toBe(b)
    expect(tf.getBackend()).toBe('cpu')
  })
})
