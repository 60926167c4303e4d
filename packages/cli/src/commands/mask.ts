import { readFile, stat } from 'node:fs/promises'
import { isProtocolError, readMaskFile, MAX_MASK_FILE_BYTES } from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { CliError, ExitCode } from '../exit-codes.js'
import { table, type Io } from '../output.js'

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
  reward: number
  stepsTrained: number
  origin: string
  createdAt: string | null
}

export async function inspectMaskFile(path: string): Promise<MaskInspection> {
  let bytes: Uint8Array
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new CliError(`${path} is not a file`, ExitCode.UNAVAILABLE)
    if (info.size > MAX_MASK_FILE_BYTES)
      throw new CliError(
        `${path} is ${info.size} bytes, larger than any mask file (${MAX_MASK_FILE_BYTES})`,
        ExitCode.UNAVAILABLE
      )
    bytes = await readFile(path)
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, ExitCode.UNAVAILABLE)
  }
  try {
    const f = readMaskFile(bytes)
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
      reward: f.meta.reward,
      stepsTrained: f.meta.stepsTrained,
      origin: f.meta.origin,
      createdAt: f.meta.createdAtMs > 0 ? new Date(f.meta.createdAtMs).toISOString() : null
    }
  } catch (err) {
    if (isProtocolError(err))
      throw new CliError(`${path} is not a valid mask file (${err.code}): ${err.message}`, ExitCode.UNAVAILABLE)
    throw err
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

export function registerMaskCommands(program: Command, io: Io): void {
  const mask = program.command('mask').description('work with mask files')
  mask
    .command('inspect')
    .description('show what a mask file holds and check its content id (exit 3 if corrupt)')
    .argument('<file>', 'a mask file (as written by `train --save-masks`, `fetch --out` or the daemon)')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (file: string) => {
        const data = await inspectMaskFile(file)
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
}
