import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createBackbone } from '../../../src/learner/backbone.js'
import { MaskedNet } from '../../../src/learner/masked-net.js'
import { argmax, JsPolicy, sampleCategorical } from '../../../src/learner/policy-js.js'
import { TfPolicy } from '../../../src/learner/policy-tf.js'
import { initTfBackend } from '../../../src/learner/tf-backend.js'
import { initialTaskScores } from '../../../src/masks/score-init.js'
import { createPrng } from '../../../src/rng/prng.js'

beforeAll(async () => {
  await initTfBackend('wasm')
})

describe('inference paths', () => {
  const backbone = createBackbone({ inputSize: 144, numActions: 3 })
  const scores = initialTaskScores(backbone, 'ctgraph/d2b2/img1/leaf00')
  const rng = createPrng(4)
  const batch = 25
  const obs = Float32Array.from({ length: batch * 144 }, () => rng.nextInt(256) / 255)

  it('tfjs and plain-JS forward passes agree on logits and values', () => {
    const js = new JsPolicy(backbone)
    const tfp = new TfPolicy(backbone)
    js.setWireScores(scores)
    tfp.setWireScores(scores)
    const out = (p: JsPolicy | TfPolicy): [Float32Array, Float32Array] => {
      const logits = new Float32Array(batch * 3)
      const values = new Float32Array(batch)
      p.forward(obs, batch, logits, values)
      return [logits, values]
    }
    const [lj, vj] = out(js)
    const [lt, vt] = out(tfp)
    for (let i = 0; i < lj.length; i++) expect(lt[i]).toBeCloseTo(lj[i]!, 4)
    for (let i = 0; i < vj.length; i++) expect(vt[i]).toBeCloseTo(vj[i]!, 4)
    expect(new Set(Array.from({ length: batch }, (_, b) => argmax(lj, b * 3, 3))).size).toBeGreaterThan(0)
    tfp.release()
  })

  it('the network and an uploaded mask give the same inference weights', () => {
    const net = new MaskedNet(backbone)
    net.load(scores)
    const fromNet = new TfPolicy(backbone)
    const fromWire = new TfPolicy(backbone)
    fromNet.setFromNet(net)
    fromWire.setWireScores(net.readEffectiveWire())
    const a = new Float32Array(batch * 3)
    const b = new Float32Array(batch * 3)
    fromNet.forward(obs, batch, a, new Float32Array(batch))
    fromWire.forward(obs, batch, b, new Float32Array(batch))
    expect(Array.from(a)).toEqual(Array.from(b))
    const count = tf.memory().numTensors
    fromNet.release()
    fromWire.release()
    net.dispose()
    // 4 inference weights each, 4 backbone constants and 4 score variables.
    expect(tf.memory().numTensors).toBe(count - 4 - 4 - 8)
  })

  it('samples actions in proportion to softmax(logits) and reports their log-probability', () => {
    const logits = Float32Array.of(0, Math.log(2), Math.log(5))
    const counts = [0, 0, 0]
    const out = { logProb: 0 }
    const r = createPrng(1)
    for (let i = 0; i < 8000; i++) counts[sampleCategorical(logits, 0, 3, r.nextFloat(), out)]!++
    expect(counts[0]! / 8000).toBeCloseTo(0.125, 1)
    expect(counts[2]! / 8000).toBeCloseTo(0.625, 1)
    sampleCategorical(logits, 0, 3, 0.99, out)
    expect(out.logProb).toBeCloseTo(Math.log(0.625), 6)
  })
})
