import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { initTfBackend, TfBackendError } from '../../../src/learner/tf-backend.js'

describe("tfjs backend selection: 'auto'", () => {
  it('prefers the native backend and falls back to wasm, saying why', async () => {
    const info = await initTfBackend('auto')
    if (info.name === 'node') {
      expect(tf.getBackend()).toBe('tensorflow')
    } else {
      // This machine cannot load tfjs-node's addon: it was tried first and skipped with a reason.
      expect(info.name).toBe('wasm')
      expect(info.skipped[0]?.backend).toBe('node')
      expect(info.skipped[0]?.reason.length).toBeGreaterThan(0)
      await expect(initTfBackend('node')).rejects.toBeInstanceOf(TfBackendError)
      expect(tf.getBackend()).toBe('wasm')
    }
  })
})
