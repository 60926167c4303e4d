import * as tf from '@tensorflow/tfjs'
import { DEFAULT_BACKEND, type BackendChoice } from './backend-choice.js'

export { BACKEND_CHOICES, type BackendChoice } from './backend-choice.js'

/**
 * The one place that chooses the TensorFlow.js backend (docs/dependencies.md §4.1).
 *  - 'auto': the native `@tensorflow/tfjs-node` if its addon loads (it is an optional dependency
 *    whose binary cannot be fetched on the project's machines), else wasm (SIMD, one thread),
 *    else the pure-JS cpu backend.
 *  - 'node' | 'wasm' | 'cpu': exactly that backend, or a TfBackendError.
 * Idempotent: repeated calls with the same (or 'auto') choice return the active backend without
 * re-initialising. It never logs; the caller reports `name`.
 */
export type BackendName = 'node' | 'wasm' | 'cpu'

export interface BackendInfo {
  /** The backend now active. */
  readonly name: BackendName
  /** tfjs's own name for it ('tensorflow' for the native backend). */
  readonly tfName: string
  /** Why the preferred backends of 'auto' were skipped (empty if none); LearnerInfo carries it to be logged. */
  readonly skipped: ReadonlyArray<{ backend: BackendName; reason: string }>
}

export class TfBackendError extends Error {
  constructor(
    message: string,
    readonly backend: BackendName
  ) {
    super(message)
    this.name = 'TfBackendError'
  }
}

const TF_NAMES: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' }

let active: BackendInfo | null = null
let pending: Promise<BackendInfo> | null = null

/** Selects (once) and returns the active backend. Concurrent calls share one initialisation. */
export async function initTfBackend(choice: BackendChoice = DEFAULT_BACKEND): Promise<BackendInfo> {
  if (pending !== null) await pending.catch(() => undefined)
  if (active !== null && (choice === 'auto' || choice === active.name)) return active
  pending = select(choice)
  try {
    active = await pending
    return active
  } finally {
    pending = null
  }
}

/** The backend chosen by `initTfBackend`, or null before it ran. */
export function activeBackend(): BackendInfo | null {
  return active
}

async function select(choice: BackendChoice): Promise<BackendInfo> {
  // tfjs's cpu backend prints a "install tfjs-node" banner on first use; PROD silences tfjs's
  // warnings (this module must not log) and skips debug-only checks.
  tf.env().set('PROD', true)
  const order: BackendName[] = choice === 'auto' ? ['node', 'wasm', 'cpu'] : [choice]
  const skipped: Array<{ backend: BackendName; reason: string }> = []
  for (const name of order) {
    const reason = await tryActivate(name)
    if (reason === null) return { name, tfName: TF_NAMES[name], skipped }
    skipped.push({ backend: name, reason })
  }
  const last = skipped[skipped.length - 1]
  throw new TfBackendError(
    `no TensorFlow.js backend could be initialised: ${skipped.map(s => `${s.backend}: ${s.reason}`).join('; ')}`,
    last?.backend ?? 'cpu'
  )
}

/** Registers (if needed) and activates one backend; returns null on success, else the reason. */
async function tryActivate(name: BackendName): Promise<string | null> {
  try {
    if (name === 'node') {
      // The package registers the 'tensorflow' backend on import; its native addon may be absent.
      await import('@tensorflow/tfjs-node')
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm')
    }
    const ok = await tf.setBackend(TF_NAMES[name])
    if (!ok) return `tf.setBackend('${TF_NAMES[name]}') returned false`
    await tf.ready()
    return null
  } catch (err) {
    return err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err)
  }
}
