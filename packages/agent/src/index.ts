import './polyfill.js'

export * from './envs/index.js'
export * from './store/mask-store.js'
export { FileMaskStore } from './store/file-mask-store.js'
export { MemoryMaskStore } from './store/memory-mask-store.js'
export { writeFileAtomic, writeJsonAtomic } from './store/atomic-file.js'
export * from './sharing/strategy.js'
export { l2d2cStrategy, type L2d2cStrategyOptions } from './sharing/l2d2c-strategy.js'
