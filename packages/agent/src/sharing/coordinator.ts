// The round runner does I/O and lives in network/mask-exchange/rounds.ts; sharing/ holds the
// pure policy. These type re-exports keep node/agent-node.ts compiling until it imports from
// network/mask-exchange/index.js; delete this file then.
export type { CandidateResult, CoordinatorOptions, RoundOptions, RoundResult } from '../network/mask-exchange/rounds.js'
