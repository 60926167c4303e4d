import { describe, expect, it } from 'vitest'
import { DEFAULT_PPO, PpoConfigError, REFERENCE_PPO, resolvePpoConfig } from '../../../src/learner/hyperparams.js'

describe('PPO hyper-parameters', () => {
  it('reproduces the reference release CT-graph settings, with the one epoch it really runs', () => {
    expect(REFERENCE_PPO).toMatchObject({
      numEnvs: 4,
      rolloutLength: 320,
      gamma: 0.99,
      gaeLambda: 0.99,
      entropyCoef: 1.5e-4,
      clipRatio: 0.1,
      maxGradNorm: 5,
      epochs: 1,
      minibatchSize: 20,
      optimizer: { kind: 'rmsprop', lr: 1.5e-4 },
      valueTarget: 'discounted',
      bootstrapTruncated: false
    })
    // 64 minibatches per iteration, as the reference's Batcher actually yields.
    expect((REFERENCE_PPO.numEnvs * REFERENCE_PPO.rolloutLength) / REFERENCE_PPO.minibatchSize).toBe(64)
  })

  it('resolves presets with overrides', () => {
    expect(resolvePpoConfig()).toEqual(DEFAULT_PPO)
    expect(resolvePpoConfig('reference', { epochs: 3 }).epochs).toBe(3)
  })

  it('close-to-init is on in the default preset (L1) and off in the reference preset, and can be turned off', () => {
    expect(resolvePpoConfig()).toMatchObject({ closeToInit: 3e-6, closeToInitRule: 'l1' })
    expect(resolvePpoConfig('reference').closeToInit).toBe(0)
    expect(resolvePpoConfig('default', { closeToInit: 0 }).closeToInit).toBe(0)
  })

  it('rejects invalid values with a typed error', () => {
    expect(() => resolvePpoConfig('default', { numEnvs: 0 })).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('default', { gamma: 1.5 })).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('default', { minibatchSize: 2.5 })).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('default', { optimizer: { kind: 'adam', lr: 0 } })).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('nope' as 'default')).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('default', { closeToInit: -1e-6 })).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('default', { closeToInit: Number.NaN })).toThrow(PpoConfigError)
    expect(() => resolvePpoConfig('default', { closeToInitRule: 'l3' as 'l1' })).toThrow(PpoConfigError)
  })
})
