export * from './constants.js'
export * from './errors.js'
export * from './cid.js'
export * from './validate.js'
export * from './mask-codec.js'
export {
  DELTA_CLASSES,
  DeltaBase,
  type DeltaBaseLayer,
  type DeltaBaseLayerInput,
  type DeltaBaseSource
} from './delta-base.js'
export { MAX_RICE_PARAMETER } from './delta-codec.js'
export { maskDigest, maskOnes, packedMaskBits } from './mask-digest.js'
export * from './mask-file.js'
export * from './messages/index.js'
export * from './transfer.js'
export { toHalfBits, fromHalfBits } from './half-float.js'
// Stream framing lives at '@l2d2c/protocol/framing': it loads @libp2p/utils (~200 ms), which
// nothing but the network code needs (the CLI's status, masks, inspect would pay it on every run).
export * from './control/api.js'
export * from './control/client.js'
export * from './control/dashboard.js'
export * from './control/data-dir.js'
