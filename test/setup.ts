// Loaded by vitest before every test file (see vitest.config.ts).
// libp2p 3 calls Promise.withResolvers, a Node 22 API; Node 20 needs the polyfill.
import '../packages/agent/src/polyfill.js'
