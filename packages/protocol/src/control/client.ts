import { request } from 'node:http'

/** Why a control-API call failed, so the CLI can pick its exit code. */
export type ControlErrorKind = 'unreachable' | 'unauthorized' | 'timeout' | 'http' | 'malformed'

export class ControlError extends Error {
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'ControlError'
  }
}

export interface ControlClientOptions {
  /** `http://127.0.0.1:PORT` or `unix:/path/to.sock`. */
  url: string
  token?: string
  timeoutMs?: number
}

/** A small client of the daemon's control API (no dependencies beyond node:http). */
export class ControlClient {
  constructor(private readonly opts: ControlClientOptions) {}

  /** The daemon's control address (`http://…` or `unix:…`). */
  get url(): string {
    return this.opts.url
  }

  async get<T>(path: string): Promise<T> {
    return await this.call<T>('GET', path)
  }
  async post<T>(path: string): Promise<T> {
    return await this.call<T>('POST', path)
  }

  /** Raw text (for /metrics). */
  async text(path: string): Promise<string> {
    return await this.call<string>('GET', path, true)
  }

  private async call<T>(method: string, path: string, raw = false): Promise<T> {
    const { url, token } = this.opts
    const timeoutMs = this.opts.timeoutMs ?? 5_000
    const target = url.startsWith('unix:')
      ? { socketPath: url.slice(5), path }
      : (() => {
          const u = new URL(url)
          // URL keeps an IPv6 literal in brackets ("[::1]"); http.request wants the bare address.
          const hostname = u.hostname.replace(/^\[(.*)\]$/, '$1')
          return { hostname, port: Number(u.port), path }
        })()
    return await new Promise<T>((resolve, reject) => {
      const req = request(
        {
          ...target,
          method,
          headers: {
            ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
            accept: raw ? 'text/plain' : 'application/json'
          },
          timeout: timeoutMs
        },
        res => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8')
            if (res.statusCode === 401 || res.statusCode === 403) {
              reject(new ControlError('unauthorized', 'the daemon refused the API token', res.statusCode))
              return
            }
            if (res.statusCode === undefined || res.statusCode >= 400) {
              reject(
                new ControlError(
                  'http',
                  `daemon answered ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`,
                  res.statusCode
                )
              )
              return
            }
            if (raw) {
              resolve(body as T)
              return
            }
            try {
              resolve(JSON.parse(body) as T)
            } catch {
              reject(new ControlError('malformed', 'the daemon sent invalid JSON'))
            }
          })
        }
      )
      req.on('timeout', () => {
        req.destroy(new ControlError('timeout', `no answer from the daemon within ${timeoutMs} ms`))
      })
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof ControlError) {
          reject(err)
          return
        }
        reject(new ControlError('unreachable', `cannot reach the daemon at ${url}: ${err.code ?? err.message}`))
      })
      req.end()
    })
  }
}
