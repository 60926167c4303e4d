import type { ConfigLayer, DaemonSettingSpec } from '@l2d2c/agent'

type Agent = typeof import('@l2d2c/agent')

/**
 * How the daemon's settings are given on the command line and in the environment: one row per
 * setting of @l2d2c/agent (DAEMON_SETTINGS), with its flag, its L2D2C_* variable and its help.
 * The agent owns the settings, their types, defaults and validation; this table owns the
 * words a user types. A unit test checks that it covers exactly the agent's settings.
 */
export interface DaemonOption {
  /** The agent's setting path: "stepsPerTask", "sharing.windowMs". */
  readonly path: string
  readonly env: string
  /** The commander flag: "--query-window-ms <ms>" (no value: a boolean; "--no-x": sets false). */
  readonly flag: string
  /** The help text; a function receives a choice setting's values joined by " | ". */
  readonly help: string | ((choices: string) => string)
  /**
   * How a list flag is given: 'repeat', one value per flag (--listen A --listen B); 'comma',
   * comma-separated values, and a repeated flag adds its values (--tasks A,B --tasks C). In
   * the environment every list is comma-separated.
   */
  readonly list?: 'repeat' | 'comma'
  /**
   * A boolean flag that also has the opposite form (--x and --no-x), so the command line can
   * override the file or environment either way.
   */
  readonly negatable?: true
  /** The default as the help should state it, from the agent's default (as text), when that alone does not say it. */
  readonly defaultHelp?: (agentDefault: string) => string
}

const choices = (c: string): string => c

export const DAEMON_OPTIONS: readonly DaemonOption[] = [
  {
    path: 'dataDir',
    env: 'L2D2C_DATA_DIR',
    flag: '--data-dir <dir>',
    help: 'where the peer key, masks and state live'
  },
  {
    path: 'peerKeyFile',
    env: 'L2D2C_PEER_KEY_FILE',
    flag: '--peer-key-file <file>',
    help: 'use this existing peer key (fixed peer id) instead of <data-dir>/peer.key'
  },
  {
    path: 'listen',
    env: 'L2D2C_LISTEN',
    flag: '--listen <multiaddr>',
    help: 'listen address, repeatable',
    list: 'repeat'
  },
  {
    path: 'announce',
    env: 'L2D2C_ANNOUNCE',
    flag: '--announce <multiaddr>',
    help: 'address to advertise instead, repeatable',
    list: 'repeat'
  },
  {
    path: 'bootstrap',
    env: 'L2D2C_BOOTSTRAP',
    flag: '--bootstrap <multiaddr>',
    help: 'peer to connect to (with /p2p/ID), repeatable',
    list: 'repeat'
  },
  {
    path: 'mdns',
    env: 'L2D2C_MDNS',
    flag: '--mdns',
    help: 'discover peers by mDNS (only on private networks)',
    negatable: true
  },
  {
    path: 'relayServer',
    env: 'L2D2C_RELAY_SERVER',
    flag: '--relay-server',
    help: 'relay connections for peers behind NAT (Circuit Relay v2); run it on a publicly reachable node',
    negatable: true
  },
  {
    path: 'relayReservation',
    env: 'L2D2C_RELAY_RESERVATION',
    flag: '--relay-reservation <when>',
    help: c => `reserve a slot on a relay: ${c} (auto: once this node is found behind a NAT and meets a relay)`
  },
  {
    path: 'upnp',
    env: 'L2D2C_UPNP',
    flag: '--upnp',
    help: 'ask the router for a port mapping by UPnP (changes the router: only where you want that)',
    negatable: true
  },
  { path: 'api', env: 'L2D2C_API', flag: '--api <host:port>', help: 'control API address (loopback) or unix:/path' },
  { path: 'role', env: 'L2D2C_ROLE', flag: '--role <role>', help: choices },
  {
    path: 'tasks',
    env: 'L2D2C_TASKS',
    flag: '--tasks <keys>',
    help: 'curriculum shorthand: comma-separated task keys or catalogue groups (meta-ctgraph, minigrid-crossing, ...; see l2d2c env list)',
    list: 'comma'
  },
  { path: 'curriculum', env: 'L2D2C_CURRICULUM', flag: '--curriculum <file>', help: 'curriculum JSON document' },
  {
    path: 'agentIndex',
    env: 'L2D2C_AGENT_INDEX',
    flag: '--agent-index <i>',
    help: 'which agent of --curriculum this node is',
    defaultHelp: () => '0'
  },
  {
    path: 'stepsPerTask',
    env: 'L2D2C_STEPS_PER_TASK',
    flag: '--steps-per-task <n>',
    help: 'env steps per task',
    defaultHelp: d => `${d} or the curriculum's`
  },
  {
    path: 'fixedBudget',
    env: 'L2D2C_FIXED_BUDGET',
    flag: '--fixed-budget',
    help: 'train every task for its whole --steps-per-task (the reference) instead of moving on once it is mastered',
    negatable: true
  },
  {
    path: 'seed',
    env: 'L2D2C_SEED',
    flag: '--seed <n>',
    help: 'learner seed',
    defaultHelp: d => `${d} or the curriculum's`
  },
  { path: 'backboneSeed', env: 'L2D2C_BACKBONE_SEED', flag: '--backbone-seed <n>', help: 'shared backbone seed' },
  { path: 'backend', env: 'L2D2C_BACKEND', flag: '--backend <b>', help: choices },
  { path: 'maskInit', env: 'L2D2C_MASK_INIT', flag: '--mask-init <m>', help: choices },
  { path: 'preset', env: 'L2D2C_PRESET', flag: '--preset <p>', help: c => `PPO preset: ${c}` },
  {
    path: 'closeToInit',
    env: 'L2D2C_CLOSE_TO_INIT',
    flag: '--close-to-init <lambda>',
    help: "weight of the penalty keeping each mask near its task's initial mask (smaller DELTA masks); 0: off",
    defaultHelp: () => "the preset's"
  },
  {
    path: 'encoding',
    env: 'L2D2C_ENCODING',
    flag: '--encoding <e>',
    help: c => `mask encoding to fetch: ${c} (delta: DELTA or BITS, whichever the holder can make smaller)`
  },
  {
    path: 'sharing.drop',
    env: 'L2D2C_DROP',
    flag: '--drop <p>',
    help: 'drop each outbound message with probability p, for experiments'
  },
  {
    path: 'sharing.dropMode',
    env: 'L2D2C_DROP_MODE',
    flag: '--drop-mode <m>',
    help: c => `which messages --drop applies to: ${c} (all, or only that type; the reference dropped queries only)`
  },
  {
    path: 'sharing.commPerTask',
    env: 'L2D2C_COMM_PER_TASK',
    flag: '--comm-per-task <n>',
    help: 'sharing rounds per task besides the first'
  },
  {
    path: 'sharing.importBasis',
    env: 'L2D2C_IMPORT_BASIS',
    flag: '--import-basis <k>',
    help: "transfer: a task nobody holds starts from up to k peers' masks of other tasks (BLC basis; needs --mask-init blc or lc; 0: off)"
  },
  {
    path: 'sharing.hysteresis',
    env: 'L2D2C_HYSTERESIS',
    flag: '--hysteresis <h>',
    help: 'share only masks better by this factor'
  },
  {
    path: 'sharing.windowMs',
    env: 'L2D2C_QUERY_WINDOW_MS',
    flag: '--query-window-ms <ms>',
    help: 'how long a round collects offers'
  },
  {
    path: 'sharing.enabled',
    env: 'L2D2C_SHARING',
    flag: '--no-sharing',
    help: 'never ask peers for masks (still serve own masks)',
    negatable: true
  },
  {
    path: 'evaluation.episodes',
    env: 'L2D2C_EVAL_EPISODES',
    flag: '--eval-episodes <n>',
    help: 'episodes per evaluation'
  },
  {
    path: 'evaluation.everySteps',
    env: 'L2D2C_EVAL_EVERY_STEPS',
    flag: '--eval-every-steps <n>',
    help: 'env steps between evaluations'
  },
  {
    path: 'evaluation.intervalMs',
    env: 'L2D2C_EVAL_INTERVAL_MS',
    flag: '--eval-interval-ms <ms>',
    help: 'evaluator: time between evaluation cycles'
  },
  {
    path: 'evaluation.greedy',
    env: 'L2D2C_EVAL_GREEDY',
    flag: '--eval-greedy',
    help: 'evaluate with greedy actions, not sampled ones as the reference does',
    negatable: true
  },
  {
    path: 'announceIntervalMs',
    env: 'L2D2C_ANNOUNCE_INTERVAL_MS',
    flag: '--announce-interval-ms <ms>',
    help: 'inventory re-announcement period'
  },
  {
    path: 'exitWhenDone',
    env: 'L2D2C_EXIT_WHEN_DONE',
    flag: '--exit-when-done',
    help: 'exit after the curriculum instead of serving masks',
    negatable: true
  },
  {
    path: 'paced',
    env: 'L2D2C_PACED',
    flag: '--paced',
    help: 'experiments: train only below the step limit a runner sets with POST /v1/pace (it starts at 0)',
    negatable: true
  },
  { path: 'log.level', env: 'L2D2C_LOG_LEVEL', flag: '--log-level <level>', help: choices },
  { path: 'log.format', env: 'L2D2C_LOG_FORMAT', flag: '--log-format <f>', help: choices },
  {
    path: 'policy.serve',
    env: 'L2D2C_SERVE',
    flag: '--serve <glob>',
    help: 'serve masks only for tasks matching this pattern (* within a segment, ** any segments), repeatable',
    list: 'repeat'
  },
  {
    path: 'policy.accept',
    env: 'L2D2C_ACCEPT',
    flag: '--accept <glob>',
    help: 'ask peers for masks only for tasks matching this pattern, repeatable',
    list: 'repeat'
  },
  {
    path: 'policy.acceptFrom',
    env: 'L2D2C_ACCEPT_FROM',
    flag: '--accept-from <peer-id>',
    help: 'take masks only from this peer, repeatable',
    list: 'repeat',
    defaultHelp: () => 'any peer'
  },
  {
    path: 'policy.adopt',
    env: 'L2D2C_ADOPT',
    flag: '--adopt <mode>',
    help: c =>
      `${c}: adopt verified candidates after local evaluation, or hold them for l2d2c candidates / adopt / reject`
  },
  {
    path: 'security.swarmKeyFile',
    env: 'L2D2C_SWARM_KEY_FILE',
    flag: '--swarm-key <file>',
    help: 'private swarm: only nodes with this key file (l2d2c keygen swarm-key) can connect'
  },
  {
    path: 'security.allowPeers',
    env: 'L2D2C_ALLOW_PEERS',
    flag: '--allow-peer <id>',
    help: 'admit only these peers (and the bootstrap peers), repeatable',
    list: 'repeat'
  },
  {
    path: 'security.allowPeersFile',
    env: 'L2D2C_ALLOW_PEERS_FILE',
    flag: '--allow-peers-file <file>',
    help: 'more peers to admit: one peer id per line, # comments'
  },
  {
    path: 'security.denyPeers',
    env: 'L2D2C_DENY_PEERS',
    flag: '--deny-peer <id>',
    help: 'never admit this peer, repeatable',
    list: 'repeat'
  },
  {
    path: 'security.maxConnectionsPerIp',
    env: 'L2D2C_MAX_CONNECTIONS_PER_IP',
    flag: '--max-connections-per-ip <n>',
    help: 'inbound connections from one IP address (loopback is not capped)'
  },
  {
    path: 'security.maxConnectionsPerPeer',
    env: 'L2D2C_MAX_CONNECTIONS_PER_PEER',
    flag: '--max-connections-per-peer <n>',
    help: 'connections with one peer'
  },
  {
    path: 'security.allowPrivateDial',
    env: 'L2D2C_ALLOW_PRIVATE_DIAL',
    flag: '--allow-private-dial',
    help: "dial private, loopback and link-local addresses peers announce, even outside this node's own ranges",
    negatable: true
  },
  {
    path: 'dashboard.links',
    env: 'L2D2C_LINK_DASHBOARD',
    flag: '--link-dashboard <data-dir>',
    help: "data dir of another daemon on this machine whose dashboard this one's page links to (logged in, no token in the browser), repeatable",
    list: 'repeat',
    defaultHelp: () => 'none'
  }
]

/** L2D2C_* variables that are not daemon settings: the CLI client's token. */
const OTHER_VARS = new Set(['L2D2C_API_TOKEN'])

/** Environment variables and the setting path each one sets. Lists are comma-separated. */
export const ENV_VARS: Readonly<Record<string, string>> = Object.fromEntries(DAEMON_OPTIONS.map(o => [o.env, o.path]))

function specOf(agent: Agent, path: string): DaemonSettingSpec {
  const spec = agent.DAEMON_SETTINGS.find(s => s.path === path)
  if (spec === undefined) throw new Error(`the agent has no daemon setting ${path}`)
  return spec
}

/** An option's help text (a choice setting's values come from the agent). */
export function optionHelp(o: DaemonOption, agent: Agent): string {
  return typeof o.help === 'string' ? o.help : o.help((specOf(agent, o.path).choices ?? []).join(' | '))
}

/** The default of an option as a word for the help ('' when there is nothing to say). */
export function optionDefault(o: DaemonOption, agent: Agent): string {
  const [a, b] = o.path.split('.') as [string, string | undefined]
  const top = (agent.DAEMON_DEFAULTS as Record<string, unknown>)[a]
  const v = b === undefined ? top : (top as Record<string, unknown> | undefined)?.[b]
  const text = Array.isArray(v)
    ? v.join(', ')
    : typeof v === 'boolean'
      ? // A --no-x flag's own default would read backwards ("--no-sharing ... default true").
        o.flag.startsWith('--no-')
        ? ''
        : String(v)
      : typeof v === 'string' || typeof v === 'number'
        ? String(v)
        : ''
  return o.defaultHelp !== undefined ? o.defaultHelp(text) : text
}

/**
 * The environment's layer: L2D2C_* variables as settings (values stay text; the agent's
 * resolver converts and checks them; lists are split at commas). An unknown L2D2C_* name is
 * an error, as an unknown key in the file is: a misspelt variable would otherwise be ignored
 * without a word.
 */
export function envLayer(env: Record<string, string | undefined>, agent: Agent): ConfigLayer {
  for (const name of Object.keys(env)) {
    if (name.startsWith('L2D2C_') && !(name in ENV_VARS) && !OTHER_VARS.has(name)) {
      throw new agent.ConfigError(name, 'env', `unknown variable (known: ${Object.keys(ENV_VARS).join(', ')})`)
    }
  }
  const layer: ConfigLayer = {}
  for (const o of DAEMON_OPTIONS) {
    const v = env[o.env]
    if (v === undefined || v === '') continue
    agent.setInLayer(
      layer,
      o.path,
      o.list !== undefined
        ? v
            .split(',')
            .map(s => s.trim())
            .filter(s => s !== '')
        : v
    )
  }
  return layer
}
