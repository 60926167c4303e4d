import { describe, expect, it } from 'vitest'
import { DAEMON_FILE, DATA_DIR_FILES, dataDirPaths, TOKEN_FILE } from '../src/index.js'

describe('data-dir layout', () => {
  it('names every file under the root, and the quarantine folder under masks/', () => {
    const p = dataDirPaths('/srv/node-a')
    expect(p.root).toBe('/srv/node-a')
    expect(p.discovery).toBe('/srv/node-a/daemon.json')
    expect(p.token).toBe('/srv/node-a/api.token')
    expect(p.masks).toBe('/srv/node-a/masks')
    expect(p.corruptMasks).toBe('/srv/node-a/masks/corrupt')
    for (const [k, name] of Object.entries(DATA_DIR_FILES))
      expect(p[k as keyof typeof DATA_DIR_FILES]).toBe(`/srv/node-a/${name}`)
  })

  it('does not double a trailing slash, and keeps relative roots relative', () => {
    expect(dataDirPaths('node-b/').state).toBe('node-b/state.json')
    expect(dataDirPaths('./n').lock).toBe('./n/lock')
  })

  it('is the source of the control API file names', () => {
    expect(DAEMON_FILE).toBe(DATA_DIR_FILES.discovery)
    expect(TOKEN_FILE).toBe(DATA_DIR_FILES.token)
  })
})
