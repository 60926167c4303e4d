import { spawn } from 'node:child_process'
import { type ControlClient, DASHBOARD_ROUTES, type LoginCodeDocument } from '@l2d2c/protocol'
import type { Command } from 'commander'
import { action } from '../action.js'
import { addDaemonTargetOptions, controlFailure, daemonClient, type DaemonTargetOptions } from '../daemon-client.js'
import { CliError, ExitCode } from '../exit-codes.js'
import type { Io } from '../output.js'

export interface DashboardLink {
  url: string
  expiresAt: string
}

/**
 * A one-time login URL for a daemon's dashboard: the daemon mints a code (the client holds the
 * API token, which never leaves this process); the URL carries only the code, which works once.
 */
export async function dashboardLink(client: ControlClient, ttlSeconds?: number): Promise<DashboardLink> {
  if (client.url.startsWith('unix:'))
    throw new CliError(
      `the daemon's control API is a Unix socket (${client.url}), which a browser cannot open: run the daemon with --api 127.0.0.1:PORT for its dashboard`,
      ExitCode.USAGE
    )
  let doc: LoginCodeDocument
  try {
    const query = ttlSeconds !== undefined ? `?ttl=${Math.round(ttlSeconds)}` : ''
    doc = await client.post<LoginCodeDocument>(`${DASHBOARD_ROUTES.loginCode}${query}`)
  } catch (err) {
    return controlFailure(err)
  }
  return { url: `${client.url}${doc.path}`, expiresAt: doc.expiresAt }
}

/** The desktop's "open this URL" command, or null where there is none we know. */
function opener(platform: NodeJS.Platform): string | null {
  if (platform === 'darwin') return 'open'
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'xdg-open'
  return null
}

/** Opens a URL in the default browser; resolves with why not when it cannot (the URL is printed anyway). */
async function openInBrowser(url: string): Promise<string | null> {
  const cmd = opener(process.platform)
  if (cmd === null) return `no known way to open a browser on ${process.platform}`
  return await new Promise<string | null>(resolve => {
    // The URL is an argument, not a shell string; the child outlives this command.
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true })
    child.once('error', err => {
      resolve(`cannot run ${cmd}: ${err.message}`)
    })
    child.once('spawn', () => {
      child.unref()
      resolve(null)
    })
  })
}

export function registerDashboardCommand(program: Command, io: Io): void {
  addDaemonTargetOptions(
    program
      .command('dashboard')
      .description('print a one-time login URL for the local daemon\'s dashboard (see README "Dashboard")')
  )
    .option('--open', 'also open the URL in the default browser')
    .option('--json', 'print one JSON document')
    .action(
      action(io, async (opts: DaemonTargetOptions & { open?: boolean }) => {
        const link = await dashboardLink(await daemonClient(opts, io))
        if (opts.open === true) {
          const why = await openInBrowser(link.url)
          if (why !== null) io.stderr.write(`l2d2c: ${why}; open the URL yourself\n`)
        }
        return {
          data: link,
          human: (l: DashboardLink) =>
            `${l.url}\n(the link logs one browser in, once, until ${new Date(l.expiresAt).toLocaleTimeString()})`
        }
      })
    )
}
