// Apart from tf-backend.ts so that configuration code can list the choices without loading tfjs.
export type BackendChoice = 'auto' | 'node' | 'wasm' | 'cpu'
/** Every BackendChoice, in the order flags and config documents list them. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'node']
/** The fastest backend that loads here (see tf-backend.ts). */
export const DEFAULT_BACKEND: BackendChoice = 'auto'
