import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { dataDirPaths } from '@l2d2c/protocol'
import { inspectMaskFile } from '../commands/mask.js'

export interface MaskDirInspection {
  /** task → content id of each valid mask file. */
  readonly valid: Map<string, string>
  /** Files that cannot be read or fail their content check, and files the daemon set aside. */
  readonly corrupt: string[]
  /** Leftover temporary files of interrupted atomic writes. */
  readonly tmp: number
}

/** The mask files of a data dir, inspected like `l2d2c mask inspect` (after a kill, or at the end). */
export async function inspectMaskDir(dataDir: string, label: string): Promise<MaskDirInspection> {
  const dir = dataDirPaths(dataDir).masks
  const names = await readdir(dir).catch(() => [] as string[])
  const valid = new Map<string, string>()
  const corrupt: string[] = []
  let tmp = 0
  for (const f of names) {
    if (f.endsWith('.l2dm')) {
      try {
        const m = await inspectMaskFile(join(dir, f))
        if (m.cidValid) valid.set(m.taskKey, m.cid)
        else corrupt.push(`${label}/${f}: content does not match its id`)
      } catch (err) {
        corrupt.push(`${label}/${f}: ${(err as Error).message}`)
      }
    } else if (f.includes('.tmp')) tmp++
  }
  // A file the daemon found damaged at start was moved aside: a lost mask too.
  for (const f of await readdir(dataDirPaths(dataDir).corruptMasks).catch(() => [] as string[]))
    corrupt.push(`${label}/corrupt/${f}: set aside by the daemon as damaged`)
  return { valid, corrupt, tmp }
}
