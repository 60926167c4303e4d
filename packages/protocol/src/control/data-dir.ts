/**
 * The layout of a daemon's data directory, named once. The daemon writes it, the CLI reads
 * the discovery file and token from it without loading the agent, and the demo cleans up
 * only what it names. Plain path arithmetic: nothing here touches the disk.
 *
 * ```
 * <data dir>/            mode 0700
 *   peer.key             the node's private key (0600): a stable peer id across restarts
 *   masks/               one L2DF mask file per task, written atomically
 *   masks/corrupt/       mask files that failed verification at start, moved aside
 *   state.json           curriculum position and knowledge base (provenance of every mask)
 *   peers.json           peers met before, redialled at start
 *   reputation.json      what peers did: offers that failed verification or over-claimed, fetch
 *                        failures, and the content ids rejected (never fetched again); bounded
 *   candidates.json      with --adopt review: verified candidates held for the operator; bounded
 *   lock                 the running daemon's pid: one daemon per data dir
 *   daemon.json          discovery file of the running daemon (pid, control address, peer id)
 *   api.token            control-API bearer token (0600)
 *   evaluation.csv       an evaluator's per-cycle returns and ICR (one row per cycle)
 *   evaluation.jsonl     the same rows as JSON lines
 *   daemon.log           the daemon's log when a launcher (the demo) redirects it
 * ```
 */
export const DATA_DIR_FILES = {
  peerKey: 'peer.key',
  masks: 'masks',
  state: 'state.json',
  peers: 'peers.json',
  reputation: 'reputation.json',
  candidates: 'candidates.json',
  lock: 'lock',
  discovery: 'daemon.json',
  token: 'api.token',
  evaluationCsv: 'evaluation.csv',
  evaluationJsonl: 'evaluation.jsonl',
  log: 'daemon.log'
} as const

/** Folder under masks/ where damaged mask files are moved. */
export const CORRUPT_MASKS_DIR = 'corrupt'

export type DataDirPaths = { readonly [K in keyof typeof DATA_DIR_FILES]: string } & {
  readonly root: string
  readonly corruptMasks: string
}

/** Every path of the layout under `root` (POSIX separators; `root` is used as given). */
export function dataDirPaths(root: string): DataDirPaths {
  const base = root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root
  const at = (name: string): string => `${base}/${name}`
  const files = Object.fromEntries(Object.entries(DATA_DIR_FILES).map(([k, name]) => [k, at(name)])) as {
    [K in keyof typeof DATA_DIR_FILES]: string
  }
  return { ...files, root, corruptMasks: `${files.masks}/${CORRUPT_MASKS_DIR}` }
}
