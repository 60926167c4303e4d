import { execFile, execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GUARD_COUNTER, LAB_TABLE, type Command } from './plan.js'

/**
 * The lab's only contact with the host: running `ip`, `nft` and `sysctl`, checking that it can
 * (root, Linux, the tools), and tearing down. Teardown works from names alone (namespaces
 * with the run's prefix), so it also cleans up after a run that died: see cleanStale.
 */

export class HostCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string
  ) {
    super(`\`${argv.join(' ')}\` failed: ${stderr.trim() || 'no message'}`)
    this.name = 'HostCommandError'
  }
}

/** Runs one command; rejects with its stderr. */
export async function run(cmd: Command, timeoutMs = 20_000): Promise<string> {
  const [file, ...args] = cmd.argv as [string, ...string[]]
  return await new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new HostCommandError(cmd.argv, `${stderr}${stderr === '' ? err.message : ''}`))
      else resolve(stdout)
    })
    if (cmd.stdin !== undefined) child.stdin?.end(cmd.stdin)
    else child.stdin?.end()
  })
}

function runSync(argv: readonly string[]): string {
  const [file, ...args] = argv as [string, ...string[]]
  return execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString()
}

function hasTool(argv: string[]): boolean {
  try {
    runSync(argv)
    return true
  } catch {
    return false
  }
}

/**
 * Why the lab cannot run here, or null when it can: Linux, root, iproute2, nftables and
 * sysctl present, and a namespace with an nftables table can really be created (a container
 * without CAP_SYS_ADMIN or a kernel without nf_tables fails there). The probe namespace is
 * removed at once.
 */
export function labUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux network namespaces (this is ${process.platform})`
  if (process.getuid?.() !== 0)
    return 'the lab needs root (it creates network namespaces, veth pairs and nftables rules): run it with sudo'
  if (!hasTool(['ip', '-V'])) return 'iproute2 (`ip`) is not installed'
  if (!hasTool(['nft', '--version'])) return 'nftables (`nft`) is not installed (apt-get install -y nftables)'
  if (!hasTool(['sysctl', '--version'])) return 'sysctl (procps) is not installed'
  const probe = `l2l-probe-${process.pid}`
  try {
    runSync(['ip', 'netns', 'add', probe])
  } catch (err) {
    return `cannot create a network namespace: ${stderrOf(err)}`
  }
  try {
    runSync(['ip', 'netns', 'exec', probe, 'nft', 'add', 'table', 'inet', LAB_TABLE])
    return null
  } catch (err) {
    return `nftables does not work in a network namespace: ${stderrOf(err)}`
  } finally {
    try {
      runSync(['ip', 'netns', 'del', probe])
    } catch {
      /* reported by the leftover check of the run, if it matters */
    }
  }
}

function stderrOf(err: unknown): string {
  const e = err as { stderr?: Buffer; message?: string }
  const text = e.stderr?.toString().trim()
  return text !== undefined && text !== '' ? text : (e.message ?? String(err))
}

/** Network namespaces whose name starts with prefix. */
export async function listNamespaces(prefix: string): Promise<string[]> {
  const out = await run({ argv: ['ip', 'netns', 'list'] })
  return parseNamespaceList(out).filter(n => n.startsWith(prefix))
}

/** `ip netns list` prints "name" or "name (id: N)" per line. */
export function parseNamespaceList(text: string): string[] {
  return text
    .split('\n')
    .map(l => l.trim().split(/\s+/)[0] ?? '')
    .filter(n => n !== '')
}

/** Links of the host's own namespace whose name starts with prefix (the lab never creates any there). */
export async function listHostLinks(prefix: string): Promise<string[]> {
  const out = await run({ argv: ['ip', '-o', 'link', 'show'] })
  return out
    .split('\n')
    .map(l => /^[0-9]+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter(n => n !== '' && n.startsWith(prefix))
}

/** Processes running inside a namespace. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await run({ argv: ['ip', 'netns', 'pids', ns] }).catch(() => '')
  return out
    .split('\n')
    .map(s => Number(s.trim()))
    .filter(n => Number.isInteger(n) && n > 0)
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    /* already gone */
  }
}

/** Kills whatever still runs in each namespace, then deletes the namespaces (their links and nft tables go with them). */
export async function deleteNamespaces(names: readonly string[]): Promise<string[]> {
  const errors: string[] = []
  for (const ns of [...names].reverse()) {
    for (const pid of await namespacePids(ns)) killQuietly(pid)
    await run({ argv: ['ip', 'netns', 'del', ns] }).catch((err: Error) => {
      if (!/No such file|not found|does not exist/i.test(err.message)) errors.push(err.message)
    })
  }
  return errors
}

/** The same, synchronously: for process exit (a second Ctrl-C), where nothing asynchronous runs any more. */
export function deleteNamespacesSync(names: readonly string[]): void {
  for (const ns of [...names].reverse()) {
    try {
      for (const line of runSync(['ip', 'netns', 'pids', ns]).split('\n')) {
        const pid = Number(line.trim())
        if (Number.isInteger(pid) && pid > 0) killQuietly(pid)
      }
      runSync(['ip', 'netns', 'del', ns])
    } catch {
      /* gone already, or reported by `l2d2c lab --clean-stale` later */
    }
  }
}

/** Packets the guard of a namespace refused to let out (addressed outside the lab, or IPv6). */
export async function guardDrops(ns: string): Promise<number> {
  const out = await run({
    argv: ['ip', 'netns', 'exec', ns, 'nft', '-j', 'list', 'counter', 'inet', LAB_TABLE, GUARD_COUNTER]
  })
  const doc = JSON.parse(out) as { nftables?: Array<{ counter?: { packets?: number } }> }
  const c = doc.nftables?.find(e => e.counter !== undefined)?.counter
  if (c?.packets === undefined) throw new Error(`no ${GUARD_COUNTER} counter in ${ns}`)
  return c.packets
}

/** Whether a process exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The owner file of a run: the pid of the lab process that built it (read by cleanStale). */
export function ownerFile(runId: string): string {
  return join(tmpdir(), `l2l-${runId}.owner`)
}

export function writeOwner(runId: string): void {
  writeFileSync(ownerFile(runId), `${process.pid}\n`)
}

export function removeOwner(runId: string): void {
  rmSync(ownerFile(runId), { force: true })
}

/**
 * Namespaces of lab runs whose lab process is gone (killed with SIGKILL, machine crash):
 * removed, with what ran in them and the run's temporary work dir.
 */
export async function cleanStale(): Promise<{ removed: string[]; kept: string[] }> {
  const all = (await listNamespaces('l2l-')).filter(n => /^l2l-[0-9a-f]{6}-/.test(n))
  const removed: string[] = []
  const kept: string[] = []
  for (const ns of all) {
    const runId = ns.slice(4, 10)
    let owner: number | null = null
    try {
      owner = Number(readFileSync(ownerFile(runId), 'utf8').trim())
    } catch {
      owner = null
    }
    if (owner !== null && Number.isInteger(owner) && owner > 0 && processAlive(owner)) kept.push(ns)
    else removed.push(ns)
  }
  const errors = await deleteNamespaces(removed)
  if (errors.length > 0) throw new Error(errors.join('; '))
  for (const id of new Set(removed.map(n => n.slice(4, 10)))) {
    removeOwner(id)
    // The run's temporary work dir (data dirs, logs); a --keep-logs dir is the user's and stays.
    for (const f of readdirSync(tmpdir()).filter(f => f.startsWith(`l2l-${id}-`)))
      rmSync(join(tmpdir(), f), { recursive: true, force: true })
  }
  return { removed, kept }
}
