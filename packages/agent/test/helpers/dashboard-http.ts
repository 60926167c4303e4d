import { request, type IncomingHttpHeaders } from 'node:http'
import type { LoginCodeDocument } from '@l2d2c/protocol'

/** The dashboard tests' HTTP calls: headers a test chooses (fetch would not let it set Host or read Set-Cookie plainly). */
export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** One request to `url`'s server with chosen method and headers. */
export async function call(
  url: string,
  path: string,
  o: { method?: string; headers?: Record<string, string> } = {}
): Promise<Answer> {
  const u = new URL(url)
  return await new Promise((resolve, reject) => {
    const req = request(
      { hostname: u.hostname, port: Number(u.port), path, method: o.method ?? 'GET', headers: o.headers ?? {} },
      res => {
        let body = ''
        res.on('data', d => {
          body += String(d)
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

/** Logs in as `l2d2c dashboard` does (the token mints a code, the code becomes a cookie): the Cookie header a browser would send. */
export async function login(url: string, token: string): Promise<string> {
  const minted = await call(url, '/v1/dashboard/login-code', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` }
  })
  const doc = JSON.parse(minted.body) as LoginCodeDocument
  const r = await call(url, doc.path)
  const setCookie = r.headers['set-cookie']?.[0] ?? ''
  return setCookie.split(';')[0] ?? ''
}
