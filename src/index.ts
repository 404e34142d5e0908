/**
 * The composition root: the request pipeline, wired. No decisions are made here.
 */
import { Hono } from 'hono'
import { authenticate } from './auth'
import { GatewayError } from './errors'
import { healthReport } from './health'
import {
  bodyLimit,
  errorResponse,
  handleToolCall,
  httpsRedirect,
  onError,
  originGuard,
  requestContext,
  resolveCaller,
  securityHeaders,
  withConfig,
  type AppEnv,
} from './http'
import { createLimiter } from './limits'
import { handleMcp, mcpMethodNotAllowed } from './mcp'

const app = new Hono<AppEnv>()

app.use(requestContext(), securityHeaders(), httpsRedirect())

app.get('/health', async (c) => {
  const report = await healthReport(c.env, c.get('log'), (promise) => c.executionCtx.waitUntil(promise))
  return c.json(report, report.status === 'unhealthy' ? 503 : 200)
})

/** The per-request services every tool call goes through. */
const callServices = () => ({ limiter: createLimiter() })

app.on(['GET', 'DELETE'], '/mcp', mcpMethodNotAllowed)
app.post(
  '/mcp',
  withConfig(),
  originGuard(),
  bodyLimit(),
  authenticate(),
  resolveCaller(callServices),
  handleMcp,
)

const toolRoute = [
  withConfig(),
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
export default app
