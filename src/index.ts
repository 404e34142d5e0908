/**
 * The composition root: the request pipeline, wired. No decisions are made here.
 */
import { Hono, type Context } from 'hono'
import { bearerCredentials, MCP_RESOURCE_METADATA_PATH, RESOURCE_METADATA_PATH } from './auth'
import { consumeAuditBatch } from './audit'
import { createToolCache } from './cache'
import { GatewayError } from './errors'
import { healthReport } from './health'
import {
  authenticate,
  bodyLimit,
  clientRateLimit,
  corsPolicy,
  errorResponse,
  handleToolCall,
  hostGuard,
  httpsRedirect,
  invalidateCache,
  invalidateGate,
  metricsScrapeGate,
  onError,
  originGuard,
  protectedResourceMetadata,
  requestContext,
  requireGatewayAdmin,
  resolveCaller,
  securityHeaders,
  serveMetrics,
  withConfig,
  type AppEnv,
} from './http'
import { createLimiter } from './limits'
import { handleMcp, mcpMethodNotAllowed } from './mcp'
import { factsObserver } from './observability'

const app = new Hono<AppEnv>()

// A Host the gateway does not serve (DNS rebinding) is refused before anything can answer, the HTTPS
// redirect included; /health too (its report is not for a rebinding page to read). Unauthenticated
// requests then spend a per-client budget before any other work; valid tokens never do.
app.use(requestContext(), securityHeaders(), hostGuard(), httpsRedirect(), clientRateLimit(bearerCredentials))
// Browser-based MCP clients: preflights and CORS headers for the allowed origins (MCP_ALLOWED_ORIGINS).
app.use('/mcp', corsPolicy())
app.use('/tools/*', corsPolicy())
app.use('/.well-known/*', corsPolicy())

app.get('/health', async (c) => {
  const report = await healthReport(c.get('configuration'), c.env, c.get('log'), (promise) =>
    c.executionCtx.waitUntil(promise),
  )
  return c.json(report, report.status === 'unhealthy' ? 503 : 200)
})

// Everything below reads a valid configuration; a misconfigured gateway says what is wrong (ConfigurationError).
app.use(withConfig())

// RFC 9728 metadata, at the root and in the path-inserted form for /mcp; public, no authentication.
app.get(RESOURCE_METADATA_PATH, protectedResourceMetadata)
app.get(MCP_RESOURCE_METADATA_PATH, protectedResourceMetadata)

/** The per-request services every tool call goes through. */
const callServices = (c: Context<AppEnv>) => ({
  limiter: createLimiter({
    env: c.env,
    config: c.get('config'),
    log: c.get('log'),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }),
  cache: createToolCache({
    kv: c.env.CACHE,
    config: c.get('config'),
    log: c.get('log'),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }),
  // Every finished call joins the request's facts: access line, metrics, Sentry (src/observability).
  observer: factsObserver(c.get('facts')),
})

// Prometheus text: bearer MCP_METRICS_TOKEN, or (authentication on) a gateway admin's JWT; open only in
// development without either (src/http/metrics-route.ts).
app.get(
  '/metrics',
  metricsScrapeGate(),
  authenticate(),
  resolveCaller(callServices),
  requireGatewayAdmin(),
  serveMetrics,
)

// Drops a tenant's cached answers at once (all kinds, or those named): authenticated like /metrics
// (src/http/admin-route.ts).
app.post(
  '/admin/cache/invalidate',
  originGuard(),
  bodyLimit(),
  invalidateGate(),
  authenticate(),
  resolveCaller(callServices),
  requireGatewayAdmin(),
  invalidateCache,
)

// A tools/call's path: Origin allow-list → body limit → who is calling (auth) → their Superset user and
// the call's services → MCP → the dispatcher (limits, cache, the tool) → src/tools/<domain>.
app.on(['GET', 'DELETE'], '/mcp', mcpMethodNotAllowed)
app.post('/mcp', originGuard(), bodyLimit(), authenticate(), resolveCaller(callServices), handleMcp)

// The same tools over plain HTTP: POST /tools/<name> (and /<name>) with the request as the JSON body.
const toolRoute = [
  originGuard(),
  bodyLimit(),
  authenticate(),
  resolveCaller(callServices),
  handleToolCall,
] as const
app.post('/tools/:name', ...toolRoute)
app.post('/:name', ...toolRoute)

app.notFound((c) =>
  errorResponse(
    c,
    new GatewayError('NotFoundError', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`, {
      details: { resource_type: 'route' },
    }),
  ),
)
app.onError(onError)

export { RateLimiter } from './limits'
export { MetricsAggregator } from './observability'
export default {
  fetch: app.fetch,
  // The audit trail's batches (AUDIT_QUEUE): one INSERT per batch, retried on failure.
  queue: (batch, env) => consumeAuditBatch(batch, env),
} satisfies ExportedHandler<Env>
