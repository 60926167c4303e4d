import { MiniGridEnv } from '../../../../src/envs/minigrid/env.js'
import { envComplianceSuite } from '../../../suites/env-compliance.js'

// Observation values: types 0..9 (the agent type 10 never appears in the view), colours 0..5, states 0..2.
envComplianceSuite('MiniGrid SimpleCrossingS9N1', {
  create: () => new MiniGridEnv('SimpleCrossingS9N1'),
  maxEpisodeSteps: 324,
  observationRange: [0, 9]
})

envComplianceSuite('MiniGrid LavaCrossingS9N2', {
  create: () => new MiniGridEnv('LavaCrossingS9N2'),
  maxEpisodeSteps: 324,
  observationRange: [0, 9]
})

envComplianceSuite('MiniGrid DoorKey-5x5', {
  create: () => new MiniGridEnv('DoorKey-5x5'),
  maxEpisodeSteps: 250,
  observationRange: [0, 9]
})
