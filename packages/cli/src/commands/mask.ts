import { readFile, stat } from 'node:fs/promises'
import {
  CODEC_ENCODINGS,
  contentId,
  decodeMask,
  type DeltaBase,
  encodeMask,
  encodeMaskCompact,
  encodeMaskFile,
  isProtocolError,
  MAX_MASK_FILE_BYTES,
  type MaskHeader,
  maskDigest,
  maskOnes,
  readMaskFile,
  readMaskHeader
} from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { choiceArg, intArg } from '../args.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'

/**
 * Every node's backbone seed unless configured otherwise (the agent's DEFAULT_BACKBONE_SEED,
 * repeated here so that inspecting a BITS, F16 or F32 file never loads the agent).
 */
const DEFAULT_BACKBONE_SEED = 9157

export interface MaskInspection {
  file: string
  taskKey: string
  backboneId: string
  encoding: string
  layers: Array<{ name: string; shape: number[] }>
  weights: number
  /** Size of the canonical mask encoding inside the file (what crosses the wire). */
  bytes: number
  fileBytes: number
  cid: string
  cidValid: boolean
  /** CID the content actually hashes to (differs from cid when the file is corrupt). */
  computedCid: string
  /** Weights switched on (score >= 0); null when the payload is corrupt. */
  ones: number | null
  /**
   * sha2-256 (hex) of the binary mask packed as BITS packs it: equal for every encoding of the
   * same mask, so two files carry the same policy exactly when their digests agree. Null when
   * the payload is corrupt.
   */
  maskDigest: string | null
  reward: number
  stepsTrained: number
  origin: string
  createdAt: string | null
}

/** Reads a mask file's bytes, with the CLI's errors for a missing, odd or oversized file. */
async function readMaskFileBytes(path: string): Promise<Uint8Array> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new CliError(`${path} is not a file`, ExitCode.UNAVAILABLE)
    if (info.size > MAX_MASK_FILE_BYTES)
      throw new CliError(
        `${path} is ${info.size} bytes, larger than any mask file (${MAX_MASK_FILE_BYTES})`,
        ExitCode.UNAVAILABLE
      )
    return await readFile(path)
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, ExitCode.UNAVAILABLE)
  }
}

/**
 * A DELTA base provider for masks of the given backbone seed. Loads @l2d2c/agent (about a
 * second), so only DELTA files pay for it. A backbone the seed does not reproduce is a usage
 * error naming the flag; a layer table no backbone has makes the file unusable (exit 3).
 */
async function deltaBases(path: string, seed: number): Promise<(header: MaskHeader) => DeltaBase> {
  const agent = await import('@l2d2c/agent')
  return header => {
    try {
      return agent.deltaBaseOfMask(header, seed)
    } catch (err) {
      if (err instanceof agent.MaskBackboneError && err.code === 'seed-mismatch')
        throw new CliError(`${err.message} (--backbone-seed, default ${DEFAULT_BACKBONE_SEED})`, ExitCode.USAGE)
      if (err instanceof agent.MaskBackboneError)
        throw new CliError(`${path} cannot be decoded: ${err.message}`, ExitCode.UNAVAILABLE)
      throw err
    }
  }
}

/** readMaskFile, with a DELTA base derived from the backbone seed when (and only when) the file is DELTA. */
async function readAnyMaskFile(
  path: string,
  bytes: Uint8Array,
  seed: number
): Promise<ReturnType<typeof readMaskFile>> {
  try {
    try {
      return readMaskFile(bytes)
    } catch (err) {
      if (!isProtocolError(err, 'MISSING_BASE')) throw err
      return readMaskFile(bytes, { deltaBase: await deltaBases(path, seed) })
    }
  } catch (err) {
    if (isProtocolError(err))
      throw new CliError(`${path} is not a valid mask file (${err.code}): ${err.message}`, ExitCode.UNAVAILABLE)
    throw err
  }
}

function seedArg(text: string | undefined): number {
  return text === undefined ? DEFAULT_BACKBONE_SEED : intArg(text, '--backbone-seed', 0, Number.MAX_SAFE_INTEGER)
}

export async function inspectMaskFile(path: string, backboneSeed = DEFAULT_BACKBONE_SEED): Promise<MaskInspection> {
  const bytes = await readMaskFileBytes(path)
  const f = await readAnyMaskFile(path, bytes, backboneSeed)
  return {
    file: path,
    taskKey: f.header.taskKey,
    backboneId: f.header.backboneId,
    encoding: f.header.encoding,
    layers: f.header.layers.map(l => ({ name: l.name, shape: [...l.shape] })),
    weights: f.header.weights,
    bytes: f.maskBytes.length,
    fileBytes: bytes.length,
    cid: f.cid.toString(),
    cidValid: f.cidValid,
    computedCid: f.computedCid.toString(),
    ones: f.mask === null ? null : maskOnes(f.mask),
    maskDigest: f.mask === null ? null : maskDigest(f.mask),
    reward: f.meta.reward,
    stepsTrained: f.meta.stepsTrained,
    origin: f.meta.origin,
    createdAt: f.meta.createdAtMs > 0 ? new Date(f.meta.createdAtMs).toISOString() : null
  }
}

function humanInspection(m: MaskInspection): string {
  const lines = [
    `file         ${m.file}`,
    `task         ${m.taskKey}`,
    `backbone     ${m.backboneId}`,
    `encoding     ${m.encoding}`,
    `weights      ${m.weights.toLocaleString('en-US')}`,
    `bytes        ${m.bytes.toLocaleString('en-US')} (file ${m.fileBytes.toLocaleString('en-US')})`,
    `cid          ${m.cid} ${m.cidValid ? '(valid)' : `(INVALID: content hashes to ${m.computedCid})`}`,
    `ones         ${m.ones === null ? '-' : `${m.ones.toLocaleString('en-US')} of ${m.weights.toLocaleString('en-US')} weights on`}`,
    `mask digest  ${m.maskDigest ?? '-'}`,
    `reward       ${m.reward}`,
    `steps        ${m.stepsTrained.toLocaleString('en-US')}`,
    `origin       ${m.origin === '' ? '-' : m.origin}`,
    `created      ${m.createdAt ?? '-'}`,
    '',
    table(
      ['layer', 'shape', 'weights'],
      m.layers.map(l => [l.name, l.shape.join(' x '), l.shape.reduce((a, b) => a * b, 1)])
    )
  ]
  return lines.join('\n')
}

export interface MaskConversion {
  in: string
  out: string
  taskKey: string
  /** Encoding of the input file. */
  from: string
  /** Encoding asked for. */
  requested: string
  /** Encoding written: BITS when DELTA was asked for but would be larger (a mask far from its initial one). */
  encoding: string
  /** Size of the canonical mask encoding, in and out (what crosses the wire). */
  inBytes: number
  bytes: number
  fileBytes: number
  cid: string
  ones: number
  /** The same for input and output: the policy is unchanged. */
  maskDigest: string
  note: string | null
}

/**
 * Re-encodes a mask file (same mask, same metadata) in another encoding. The input must be
 * intact (a corrupt file is refused, exit 3); the output is decoded again and must carry the
 * same binary mask before it is written, atomically.
 */
export async function convertMaskFile(
  path: string,
  opts: { encoding: string; out: string; backboneSeed?: string }
): Promise<MaskConversion> {
  const requested = choiceArg(opts.encoding, '--encoding', CODEC_ENCODINGS)
  const seed = seedArg(opts.backboneSeed)
  const bytes = await readMaskFileBytes(path)
  const f = await readAnyMaskFile(path, bytes, seed)
  if (f.mask === null)
    throw new CliError(
      `${path} is corrupt: its content hashes to ${f.computedCid.toString()}, not to the recorded ${f.cid.toString()}`,
      ExitCode.UNAVAILABLE
    )
  const mask = f.mask
  const digest = maskDigest(mask)
  let base: DeltaBase | undefined
  let out: Uint8Array
  if (requested === 'delta') {
    base = (await deltaBases(path, seed))(f.header)
    out = encodeMaskCompact(mask, { base })
  } else {
    out = encodeMask(mask, requested)
  }
  const encoding = readMaskHeader(out).encoding
  // Decoded again before anything is written: the file must carry the very policy it came from.
  const back = decodeMask(out, base !== undefined ? { deltaBase: base } : {})
  if (maskDigest(back) !== digest) throw new Error(`re-encoding ${path} as ${encoding} changed its binary mask`)
  const cid = contentId(out)
  const file = encodeMaskFile(out, f.meta, { cid })
  const { writeFileAtomic } = await import('@l2d2c/agent')
  try {
    await writeFileAtomic(opts.out, file)
  } catch (err) {
    throw new CliError(`cannot write ${opts.out}: ${(err as Error).message}`, ExitCode.UNAVAILABLE)
  }
  return {
    in: path,
    out: opts.out,
    taskKey: f.header.taskKey,
    from: f.header.encoding,
    requested,
    encoding,
    inBytes: f.maskBytes.length,
    bytes: out.length,
    fileBytes: file.length,
    cid: cid.toString(),
    ones: maskOnes(back),
    maskDigest: digest,
    note:
      encoding === requested
        ? null
        : 'DELTA would be larger than BITS (the mask is far from its initial mask): wrote BITS'
  }
}

function humanConversion(c: MaskConversion): string {
  const size = (n: number) => n.toLocaleString('en-US')
  return [
    `${c.in} (${c.from}, ${size(c.inBytes)} B) -> ${c.out} (${c.encoding}, ${size(c.bytes)} B, ${(c.inBytes / c.bytes).toFixed(2)}x)`,
    `cid          ${c.cid}`,
    `mask digest  ${c.maskDigest} (unchanged)`,
    ...(c.note !== null ? [`note         ${c.note}`] : [])
  ].join('\n')
}

export function registerMaskCommands(program: Command, io: Io): void {
  const mask = program.command('mask').description('work with mask files')
  mask
    .command('inspect')
    .description('show what a mask file holds and check its content id (exit 3 if corrupt)')
    .argument('<file>', 'a mask file (as written by `train --save-masks`, `fetch --out` or the daemon)')
    .option('--backbone-seed <s>', `backbone seed of a DELTA mask's base (default ${DEFAULT_BACKBONE_SEED})`)
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (file: string, opts: { backboneSeed?: string }) => {
        const data = await inspectMaskFile(file, seedArg(opts.backboneSeed))
        return data.cidValid
          ? { data, human: humanInspection }
          : {
              data,
              human: humanInspection,
              exitCode: ExitCode.UNAVAILABLE,
              reason: `${file} is corrupt: its content hashes to ${data.computedCid}, not to the recorded ${data.cid}`
            }
      })
    )
  mask
    .command('convert')
    .description('re-encode a mask file in another encoding (same mask, same metadata)')
    .argument('<file>', 'a mask file')
    .requiredOption('--encoding <e>', `${CODEC_ENCODINGS.join(' | ')} (delta: BITS instead when DELTA would be larger)`)
    .requiredOption('--out <file>', 'where to write the converted mask file')
    .option('--backbone-seed <s>', `backbone seed of the DELTA base (default ${DEFAULT_BACKBONE_SEED})`)
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (file: string, opts: { encoding: string; out: string; backboneSeed?: string }) => ({
        data: await convertMaskFile(file, opts),
        human: humanConversion
      }))
    )
}
