import { describe, expect, it } from 'vitest'
import { childEnvironment } from '../../src/demo/launcher.js'

describe('childEnvironment', () => {
  it('drops every inherited L2D2C_* variable and keeps the rest, then adds what the launcher sets', () => {
    const parent = { PATH: '/bin', HOME: '/h', L2D2C_API: '127.0.0.1:5001', L2D2C_STEPS_PER_TASK: '5', L2D2C_DATA_DIR: '/data', L2D2C_API_TOKEN: 't' }
    expect(childEnvironment(parent, { L2D2C_SEED: '3' })).toEqual({ PATH: '/bin', HOME: '/h', L2D2C_SEED: '3' })
    expect(childEnvironment(parent)).toEqual({ PATH: '/bin', HOME: '/h' })
  })
})
