/**
 * The benchmark's local ceiling: a Worker that does nothing but answer, run by its own `wrangler dev`
 * beside the gateway and driven by the same load generator. Plain JavaScript so that the scripts'
 * TypeScript project (Node types) does not have to type the Workers runtime.
 *
 *   POST|GET /          a fixed JSON response (the body, if any, is read first, as the gateway does)
 *   POST /limiter       the same, after one RPC to the gateway's own RateLimiter Durable Object
 *                       (src/limits) with the buckets the gateway would check; the
 *                       difference to `/` is the limiter's cost per tool call
 */
/* global Response, URL */
import { RateLimiter } from '../../src/limits/index.ts'

export { RateLimiter }

const FIXED = JSON.stringify({ status: 'ok', source: 'bare worker' })
const HEADERS = { 'content-type': 'application/json' }

export default {
  async fetch(request, env) {
    if (request.method === 'POST') await request.text()
    const url = new URL(request.url)
    if (url.pathname === '/limiter') {
      // One object per user, as the gateway shards them ("<tenant>:<user id>"); the bench names the user.
      const user = request.headers.get('x-bench-user') ?? '1'
      const window = Number(url.searchParams.get('window_ms') ?? '1000')
      const limit = Number(url.searchParams.get('limit') ?? '10000')
      const decision = await env.RATE_LIMITER.getByName(`default:${user}`).consume([
        { key: `user/${window}`, limit, windowMs: window },
        { key: `tool:list_charts/${window}`, limit, windowMs: window },
      ])
      if (!decision.allowed) return new Response('{"status":"refused"}', { status: 429, headers: HEADERS })
    }
    return new Response(FIXED, { headers: HEADERS })
  },
}
