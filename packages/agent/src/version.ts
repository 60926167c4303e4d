/** The l2d2c release: daemon.json, /v1/status and the libp2p user agents report it. */
export const L2D2C_VERSION = '0.1.0'
