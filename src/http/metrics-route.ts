/**
 * GET /metrics: Prometheus text for the whole deployment (every isolate's flushed counts, added up across
 * the aggregator shards). Who may scrape (operatorGate, shared with POST /admin/cache/invalidate):
 * - the bearer token MCP_METRICS_TOKEN (compared in constant time), always: what a scraper is configured with;
 * - with MCP_AUTH_ENABLED=true, otherwise a bearer JWT of a gateway admin (MCP_ADMIN_ROLE), verified like any
 *   /mcp request: every request to an authenticated gateway proves who it is;
 * - with authentication off and no token, nobody outside development (403); in development anyone (the
 *   local stack, where Prometheus scrapes 127.0.0.1). Metrics are operational data, not for the public.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { readBearerToken } from '../auth'
import { describeError, GatewayError } from '../errors'
import { collectMetrics, isolateMetrics } from '../observability'
import type { AppEnv } from './app-env'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * Serves a scrape that carries MCP_METRICS_TOKEN (or needs nothing) at once; hands any other scrape of an
 * authenticated gateway to the JWT chain after it (authenticate → resolveCaller → requireGatewayAdmin).
 */
export function metricsScrapeGate(): MiddlewareHandler<AppEnv> {
  return operatorGate(serveMetrics, {
    realm: 'metrics',
    route: 'GET /metrics',
    reason: 'metrics_token_not_set',
  })
}

/**
 * How the operator routes (/metrics, /admin/*) are authenticated: the bearer MCP_METRICS_TOKEN (compared
 * in constant time) serves at once; with MCP_AUTH_ENABLED=true any other request goes on to the JWT chain
 * (authenticate → resolveCaller → requireGatewayAdmin); with authentication off, a configured token is
 * required (401), and without one the route is open in development only (403 elsewhere).
 */
export function operatorGate(
  serve: (c: Context<AppEnv>) => Promise<Response>,
  route: { realm: string; route: string; reason: string },
): MiddlewareHandler<AppEnv> {
  return async function operatorGate(c, next) {
    const config = c.get('config')
    const bearer = readBearerToken(c.req.header('authorization'))
    const presented = bearer.ok ? bearer.token : ''
    const expected = config.metricsToken
    if (expected !== undefined && (await sameSecret(presented, expected))) return serve(c)
    if (config.auth.enabled) {
      await next()
      return
    }
    if (expected !== undefined) {
      throw new GatewayError(
        'AuthenticationError',
        `${route.route} needs the bearer token MCP_METRICS_TOKEN.`,
        {
          headers: { 'WWW-Authenticate': `Bearer realm="${route.realm}"` },
        },
      )
    }
    if (config.environment !== 'development') {
      throw new GatewayError(
        'PermissionDeniedError',
        `${route.route} is disabled: set the MCP_METRICS_TOKEN secret (wrangler secret put MCP_METRICS_TOKEN) and call it with it as a bearer token.`,
        { details: { reason: route.reason } },
      )
    }
    return serve(c)
  }
}

/** The JWT path's last check: the verified caller holds the gateway's admin role. */
export function requireGatewayAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireGatewayAdmin(c, next) {
    const principal = await c.get('scope').principal()
    if (!principal.isAdmin) {
      throw new GatewayError(
        'PermissionDeniedError',
        `${c.req.method} ${new URL(c.req.url).pathname} needs MCP_METRICS_TOKEN or the token of a user with the "${c.get('config').superset.adminRole}" role.`,
        { details: { reason: 'not_gateway_admin' } },
      )
    }
    await next()
  }
}

export async function serveMetrics(c: Context<AppEnv>): Promise<Response> {
  const config = c.get('config')
  // This isolate's own counts first, so a scrape right after traffic through it sees that traffic.
  await isolateMetrics
    .flush(c.env.METRICS_AGGREGATOR)
    .catch((err: unknown) => c.get('log').warn('metrics_flush_failed', describeError(err)))
  let text: string
  try {
    text = await collectMetrics(c.env.METRICS_AGGREGATOR, config.environment)
  } catch (err) {
    // Serving only some shards would look like counter resets to Prometheus: refuse the scrape instead.
    throw new GatewayError(
      'UpstreamError',
      'The metrics aggregator could not be read; try the scrape again.',
      {
        cause: err,
      },
    )
  }
  return c.body(text, 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE })
}

/** Equal secrets, compared in constant time over their SHA-256 digests (equal lengths whatever the input). */
async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const digest = async (text: string): Promise<ArrayBuffer> =>
    crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  const [left, right] = await Promise.all([digest(presented), digest(expected)])
  return crypto.subtle.timingSafeEqual(left, right)
}
