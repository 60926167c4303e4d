import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { lstat, unlink } from 'node:fs/promises'
import { connect } from 'node:net'
import { CONTROL_POST_ROUTES, CONTROL_ROUTES } from '@l2d2c/protocol'
import { errorCode } from '../errors.js'
import { Dashboard } from './dashboard/dashboard.js'

/** A route's handler; `query` holds the URL's query parameters (POST routes take their arguments there). */
export type RouteHandler = (query: URLSearchParams) => Promise<unknown>

/** A handler's refusal with an HTTP status (404: no such thing, 409: not in this mode, 400: bad arguments). */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
    this.name = 'RouteError'
  }
}

/** Idle keep-alive connections close after this long: a stop never waits on a client's idle socket for long. */
const KEEP_ALIVE_MS = 1_000

/** The control API could not listen on its address (in use, not permitted...): a setup problem. */
export class ControlListenError extends Error {
  constructor(
    readonly address: string,
    cause: Error
  ) {
    const code = (cause as NodeJS.ErrnoException).code
    const reason =
      cause instanceof SocketPathError
        ? cause.message
        : code === 'EADDRINUSE'
          ? 'address in use'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EADDRNOTAVAIL'
              ? 'address not available'
              : cause.message
    super(`cannot serve the control API on ${address}: ${reason}`, { cause })
    this.name = 'ControlListenError'
  }
}

/** What is at a Unix-socket path, when it is not safe to replace. */
class SocketPathError extends Error {}

/**
 * Clears the way for a Unix socket at `path`: nothing there is fine; a socket nobody listens
 * on (a daemon that was killed) is stale and removed; a live socket is in use; anything else
 * (a file, a directory, a link) is not ours to delete, and is left alone.
 */
async function clearStaleSocket(path: string): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>
  try {
    st = await lstat(path)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return
    throw err
  }
  if (!st.isSocket())
    throw new SocketPathError(
      `${path} exists and is not a socket (${st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : 'a file'}); refusing to replace it`
    )
  const live = await new Promise<boolean>(resolve => {
    const probe = connect(path)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    // ECONNREFUSED: nobody listens there any more; any other error: do not guess, keep it
    probe.once('error', err => {
      resolve(errorCode(err) !== 'ECONNREFUSED')
    })
  })
  if (live) throw Object.assign(new Error(`${path} is in use`), { code: 'EADDRINUSE' })
  await unlink(path)
}

function listenOn(server: Server, address: string, listen: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      reject(new ControlListenError(address, err))
    }
    server.once('error', failed)
    listen(() => {
      server.off('error', failed)
      resolve()
    })
  })
}

/**
 * The control API: JSON over HTTP, bound to a loopback address or a Unix socket, with a bearer
 * token for everything but /health (which says only that the daemon answers). Over TCP the
 * Host header must name this server (its loopback address or localhost, with its port): a web
 * page whose domain was rebound to 127.0.0.1 sends its own name, and is refused with 421
 * before any route runs. Handlers only read state (and /v1/stop asks for a graceful stop);
 * nothing here blocks on the learner. The dashboard's paths (the page at /, its files, login,
 * event stream) go to the Dashboard, which also accepts its session cookie.
 */
export class ControlServer {
  private server: Server | null = null
  private url: string | null = null
  /** Host header values accepted (lower case); null: any (a Unix socket, which no browser reaches). */
  private hosts: ReadonlySet<string> | null = null

  constructor(
    private readonly opts: {
      listen: string
      token: string
      routes: Partial<Record<string, RouteHandler>>
      metrics: () => Promise<{ contentType: string; body: string }>
      /** The page at / and its routes (docs/architecture.md §3); absent: JSON routes only. */
      dashboard?: Dashboard
    }
  ) {}

  get address(): string {
    if (this.url === null) throw new Error('control server not started')
    return this.url
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res)
    })
    server.keepAliveTimeout = KEEP_ALIVE_MS
    this.server = server
    const listen = this.opts.listen
    if (listen.startsWith('unix:')) {
      const path = listen.slice(5)
      try {
        await clearStaleSocket(path)
      } catch (err) {
        throw new ControlListenError(listen, err as Error)
      }
      await listenOn(server, listen, done => server.listen(path, done))
      this.url = listen
      this.hosts = null
    } else {
      const i = listen.lastIndexOf(':')
      const host = listen.slice(0, i).replace(/^\[|\]$/g, '')
      const port = Number(listen.slice(i + 1))
      await listenOn(server, listen, done => server.listen(port, host, done))
      const addr = server.address()
      if (addr === null || typeof addr === 'string') throw new Error('unexpected server address')
      const authority = `${host.includes(':') ? `[${host}]` : host}:${addr.port}`
      this.url = `http://${authority}`
      const names = [authority, `localhost:${addr.port}`]
      // "localhost" may have been bound on either loopback family
      if (host === 'localhost') names.push(`127.0.0.1:${addr.port}`, `[::1]:${addr.port}`)
      this.hosts = new Set(names.map(n => n.toLowerCase()))
    }
    return this.url
  }

  async stop(): Promise<void> {
    const server = this.server
    if (server === null) return
    this.server = null
    this.opts.dashboard?.stop() // its event streams end before their sockets are closed
    server.closeAllConnections()
    await new Promise<void>(resolve => {
      server.close(() => {
        resolve()
      })
    })
  }

  private authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
    const want = Buffer.from(this.opts.token)
    return given.length === want.length && timingSafeEqual(given, want)
  }

  /** Whether the request's Origin header is this server's own (`http://` + an accepted Host). */
  private sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin
    if (origin === undefined || this.hosts === null) return false
    try {
      const u = new URL(origin)
      return u.protocol === 'http:' && u.origin === origin && this.hosts.has(u.host.toLowerCase())
    } catch {
      return false // "null" (an opaque origin) or garbage
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const send = (status: number, body: unknown, type = 'application/json'): void => {
      const text = typeof body === 'string' && type !== 'application/json' ? body : JSON.stringify(body)
      res.writeHead(status, {
        'content-type': type === 'application/json' ? 'application/json; charset=utf-8' : type,
        'cache-control': 'no-store'
      })
      res.end(text)
    }
    try {
      if (this.hosts !== null && !this.hosts.has((req.headers.host ?? '').toLowerCase())) {
        send(421, { error: `this server answers only for ${[...this.hosts].join(', ')}` })
        return
      }
      if (path === CONTROL_ROUTES.health) {
        send(200, { ok: true })
        return
      }
      const dashboard = this.opts.dashboard
      if (dashboard !== undefined && Dashboard.handles(path)) {
        await dashboard.handle(req, res, { bearer: this.authorised(req), sameOrigin: this.sameOrigin(req) })
        return
      }
      if (!this.authorised(req)) {
        send(401, { error: 'missing or wrong API token (see api.token in the data dir)' })
        return
      }
      if (path === CONTROL_ROUTES.metrics) {
        const m = await this.opts.metrics()
        send(200, m.body, m.contentType)
        return
      }
      const handler = this.opts.routes[path]
      if (handler === undefined) {
        send(404, { error: `no route ${path}` })
        return
      }
      const isPost = CONTROL_POST_ROUTES.includes(path)
      if (isPost !== (req.method === 'POST')) {
        send(405, { error: `use ${isPost ? 'POST' : 'GET'} for ${path}` })
        return
      }
      send(200, await handler(new URL(req.url ?? '/', 'http://control').searchParams))
    } catch (err) {
      if (res.headersSent) res.destroy()
      else send(err instanceof RouteError ? err.status : 500, { error: (err as Error).message })
    }
  }
}
