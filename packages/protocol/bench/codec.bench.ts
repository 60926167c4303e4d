/**
 * pnpm bench:codec [--iterations N] [--fuzz FRAMES] [--json]
 *
 * Encode/decode throughput and byte sizes of each mask encoding for the reference CT-graph
 * network (109,600 weights), content-id cost, and optionally a long fuzzing run.
 */
import { parseArgs } from 'node:util'
import { contentId, decodeMask, encodeMask, SUPPORTED_ENCODINGS } from '../src/index.js'
import { ctGraphMask } from '../test/arbitraries.js'
import { decoders, fuzzDecoder } from '../test/fuzz-engine.js'

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    fuzz: { type: 'string' },
    json: { type: 'boolean', default: false }
  }
})
const iterations = Number(values.iterations)
const REFERENCE_BYTES = 438_400 // float32 scores the reference sends per CT-graph mask

function timeIt(fn: () => void, n: number): number {
  for (let i = 0; i < Math.min(20, n); i++) fn() // warm-up
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn()
  return Number(process.hrtime.bigint() - t0) / 1e6 / n
}

const mask = ctGraphMask()
const rows = SUPPORTED_ENCODINGS.map(encoding => {
  const bytes = encodeMask(mask, encoding)
  const encodeMs = timeIt(() => encodeMask(mask, encoding), iterations)
  const decodeMs = timeIt(() => decodeMask(bytes), iterations)
  const cidMs = timeIt(() => contentId(bytes), iterations)
  return {
    encoding,
    bytes: bytes.length,
    vsReference: REFERENCE_BYTES / bytes.length,
    encodeMs,
    decodeMs,
    cidMs,
    encodeMBps: bytes.length / 1e6 / (encodeMs / 1e3),
    decodeMBps: bytes.length / 1e6 / (decodeMs / 1e3),
    encodeMweightsPerS: 109_600 / 1e6 / (encodeMs / 1e3),
    decodeMweightsPerS: 109_600 / 1e6 / (decodeMs / 1e3)
  }
})

let fuzz: Array<{ name: string; frames: number; decoded: number; msPerFrame: number }> | undefined
if (values.fuzz !== undefined) {
  const frames = Number(values.fuzz)
  fuzz = decoders.map((d, i) => {
    const t0 = Date.now()
    const r = fuzzDecoder(d, frames, 0xbe9c4 + i)
    return { name: d.name, frames, decoded: r.decoded, msPerFrame: (Date.now() - t0) / frames }
  })
}

if (values.json) {
  console.log(
    JSON.stringify({ network: 'ctgraph 144-200-200-200-3/1', weights: 109_600, iterations, rows, fuzz }, null, 2)
  )
} else {
  console.log(`mask codec, CT-graph network (109,600 weights), ${iterations} iterations each, node ${process.version}`)
  console.log('encoding      bytes  vs ref(438,400)  encode ms  MB/s   Mw/s   decode ms  MB/s   Mw/s   CID ms')
  for (const r of rows) {
    console.log(
      `${r.encoding.padEnd(8)} ${String(r.bytes).padStart(10)}  ${r.vsReference.toFixed(1).padStart(14)}x  ${r.encodeMs.toFixed(3).padStart(9)}  ${r.encodeMBps.toFixed(0).padStart(5)}  ${r.encodeMweightsPerS.toFixed(0).padStart(5)}  ${r.decodeMs.toFixed(3).padStart(9)}  ${r.decodeMBps.toFixed(0).padStart(5)}  ${r.decodeMweightsPerS.toFixed(0).padStart(5)}  ${r.cidMs.toFixed(3).padStart(6)}`
    )
  }
  if (fuzz !== undefined) {
    console.log(`\nfuzzing: ${fuzz[0]?.frames ?? 0} frames per decoder, no exception other than ProtocolError`)
    for (const f of fuzz)
      console.log(`  ${f.name.padEnd(28)} decoded ${f.decoded}, ${(f.msPerFrame * 1000).toFixed(1)} µs/frame`)
  }
}
