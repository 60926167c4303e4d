import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The page's files, shipped in the package (`packages/agent/dashboard/`, next to `dist/`). */
const PAGE_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url))
const require = createRequire(import.meta.url)

/**
 * Every file the dashboard serves, by the name it is served under: a fixed list, so no request
 * path ever reaches the file system. uPlot comes from its npm package (no CDN: the page works
 * offline); its minified IIFE build defines the global `uPlot` the page's script uses.
 */
const FILES: Record<string, { path: () => string; type: string }> = {
  'index.html': { path: () => `${PAGE_DIR}index.html`, type: 'text/html; charset=utf-8' },
  'login.html': { path: () => `${PAGE_DIR}login.html`, type: 'text/html; charset=utf-8' },
  'app.js': { path: () => `${PAGE_DIR}app.js`, type: 'text/javascript; charset=utf-8' },
  'style.css': { path: () => `${PAGE_DIR}style.css`, type: 'text/css; charset=utf-8' },
  'uplot.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' }
}

export interface Asset {
  body: Buffer
  type: string
}

/** Reads each file once, on first use (a handful of small files: the cache is bounded by FILES). */
export class DashboardAssets {
  private readonly cache = new Map<string, Promise<Asset>>()

  /** The named file, or null when the name is not one of the page's files. */
  async get(name: string): Promise<Asset | null> {
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined
    if (file === undefined) return null
    let asset = this.cache.get(name)
    if (asset === undefined) {
      asset = readFile(file.path()).then(body => ({ body, type: file.type }))
      // A failed read (a broken install) is not cached: the next request tries again.
      asset.catch(() => this.cache.delete(name))
      this.cache.set(name, asset)
    }
    return await asset
  }
}
