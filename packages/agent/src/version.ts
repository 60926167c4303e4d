/**
 * The l2d2c release: daemon.json, /v1/status and the libp2p user agents report it. Kept equal
 * to the agent and cli package.json versions (test/unit/version.test.ts checks it).
 */
export const L2D2C_VERSION = '0.1.0'
