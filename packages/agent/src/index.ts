import './polyfill.js'

export * from './envs/env.js'
