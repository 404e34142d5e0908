/**
 * What happens once a request has its response: one access-log line, the metrics (flushed in the
 * background when due), Analytics Engine data points and Sentry. Best effort throughout: observing a
 * request never fails it.
 */
import { describeError } from '../errors'
import type { Context } from 'hono'
import type { Identity } from '../auth'
import type { RequestScope } from '../dispatch'
import {
  isolateMetrics,
  reportToSentry,
  requestCacheStatus,
  requestErrorType,
  requestLimiterDecision,
  routeLabel,
  writeCallDataPoints,
  type RequestFacts,
} from '../observability'
import type { AppEnv } from './app-env'

/** Longest tool name the access line repeats (callers name tools freely, unknown ones included). */
const MAX_LOGGED_TOOL_NAME = 64

export async function finishRequest(c: Context<AppEnv>, facts: RequestFacts): Promise<void> {
  const log = c.get('log')
  try {
    const durationMs = Date.now() - facts.startedAt
    const path = new URL(c.req.url).pathname
    const route = routeLabel(c.req.method, path)
    const status = c.res.status
    const caller = await callerOf(c)
    const line = {
      method: c.req.method,
      path,
      route,
      status,
      duration_ms: durationMs,
      tenant: caller.tenant ?? null,
      user_id: caller.userId ?? null,
      auth: caller.method ?? null,
      tools: facts.calls.map((call) => call.tool.slice(0, MAX_LOGGED_TOOL_NAME)),
      rpc_methods: facts.rpcMethods,
      mcp_method: facts.mcpMethod ?? null,
      mcp_name: facts.mcpName?.slice(0, MAX_LOGGED_TOOL_NAME) ?? null,
      traceparent: facts.trace?.traceparent ?? null,
      mcp_log_level: facts.mcpLogLevel ?? null,
      error_type: requestErrorType(facts) ?? null,
      cache_status: requestCacheStatus(facts) ?? null,
      limiter: requestLimiterDecision(facts) ?? null,
      auth_failure: facts.authFailure ?? null,
    }
    if (status >= 500) log.error('request', line)
    else log.info('request', line)

    const background = backgroundOf(c)
    isolateMetrics.record(facts, { route, status, durationMs })
    if (isolateMetrics.flushDue()) {
      background(
        isolateMetrics
          .flush(c.env.METRICS_AGGREGATOR)
          .catch((err: unknown) => log.warn('metrics_flush_failed', describeError(err))),
      )
    }
    writeCallDataPoints(c.env.ANALYTICS, facts, caller.userId)
    const parsed = c.get('configuration')
    if (parsed.ok) {
      reportToSentry({
        settings: parsed.config.sentry,
        request: c.req.raw,
        waitUntil: background,
        facts,
        route,
        status,
        durationMs,
        tenant: caller.tenant,
        userId: caller.userId,
      })
    }
  } catch (err) {
    log.warn('observability_failed', describeError(err))
  }
}

/** Who called, as far as the request got: the tenant once authenticated, the Superset user once resolved. */
async function callerOf(
  c: Context<AppEnv>,
): Promise<{ tenant?: string; userId?: number; method?: Identity['method'] }> {
  const identity = c.get('identity') as Identity | undefined
  const scope = c.get('scope') as RequestScope | undefined
  // resolveCaller already awaited the principal: this reads a settled promise.
  const principal = await scope?.principal().catch(() => undefined)
  return {
    tenant: principal?.tenant ?? identity?.tenant,
    userId: principal?.user.id,
    method: identity?.method,
  }
}

/** `waitUntil` of the request, or a detached promise where there is no execution context (unit tests). */
function backgroundOf(c: Context<AppEnv>): (promise: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx
    return (promise) => ctx.waitUntil(promise)
  } catch {
    return (promise) => void promise.catch(() => undefined)
  }
}
