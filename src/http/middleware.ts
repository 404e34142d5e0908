/**
 * Edge concerns, each a small Hono middleware: request ids and access logs, security headers, the
 * HTTPS redirect, the Origin allow-list (with the Host allow-list, ./hosts.ts), body limits and configuration.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { configOrError, loadConfig, parseHost } from '../config'
import { GatewayError } from '../errors'
import { createLogger, createRequestFacts, noteLogEvent } from '../observability'
import type { AppEnv } from './app-env'
import { errorResponse } from './error-response'
import { isAllowedOrigin, isLoopback } from './hosts'
import { finishRequest } from './request-end'

/** A request id we accept from `cf-ray` (Cloudflare's ray id); anything else gets a generated one. */
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/

export function requestIdFrom(cfRay: string | undefined): string {
  return cfRay !== undefined && REQUEST_ID.test(cfRay) ? cfRay : crypto.randomUUID()
}

/**
 * Request id (cf-ray when Cloudflare set one), a request-scoped logger whose events also feed the
 * request's facts, and, once the response is ready, one access-log line, the metrics and Sentry.
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const requestId = requestIdFrom(c.req.header('cf-ray'))
    const facts = createRequestFacts(requestId)
    // The one place a request asks for the configuration: parsed once per isolate, then handed down.
    const parsed = loadConfig(c.env)
    c.set('configuration', parsed)
    const level = parsed.ok ? parsed.config.logLevel : 'info'
    const log = createLogger(level, { request_id: requestId }, undefined, (at, event, fields) =>
      noteLogEvent(facts, at, event, fields),
    )
    c.set('requestId', requestId)
    c.set('log', log)
    c.set('facts', facts)
    await next()
    c.header('X-Request-Id', requestId)
    await finishRequest(c, facts)
  }
}

/**
 * Every step after this one reads a valid configuration (`c.var.config`); a misconfigured gateway answers
 * each request with a ConfigurationError naming every bad variable (only /health, mounted before, says more).
 */
export function withConfig(): MiddlewareHandler<AppEnv> {
  return async function withConfig(c, next) {
    c.set('config', configOrError(c.get('configuration')))
    await next()
  }
}

/** HSTS and the other headers of design §4, on every response. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeaders(c, next) {
    await next()
    c.header('Strict-Transport-Security', 'max-age=63072000; includeSubDomains')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('X-Frame-Options', 'DENY')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
    c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'no-store')
  }
}

/** Plain http:// goes to https://, except on loopback addresses (local development). */
export function httpsRedirect(): MiddlewareHandler<AppEnv> {
  return async function httpsRedirect(c, next) {
    const url = new URL(c.req.url)
    const forwarded = c.req.header('x-forwarded-proto')
    const insecure = (forwarded ?? url.protocol.replace(':', '')) === 'http'
    // The Host guard's normalised name: `localhost.` is as local as `localhost`.
    const hostname = parseHost(url.host)?.hostname ?? url.hostname
    if (insecure && !isLoopback(hostname)) {
      url.protocol = 'https:'
      const method = c.req.method
      return c.redirect(url.toString(), method === 'GET' || method === 'HEAD' ? 301 : 308)
    }
    await next()
    return undefined
  }
}

/**
 * DNS-rebinding protection (MCP transport spec: an Origin present and invalid gets 403): a request carrying
 * an Origin header must come from an allowed origin (src/http/hosts.ts: MCP_ALLOWED_ORIGINS, the gateway's
 * own hosts, loopback in development so browser tools such as MCP Inspector work).
 */
export function originGuard(): MiddlewareHandler<AppEnv> {
  return async function originGuard(c, next) {
    const origin = c.req.header('origin')
    if (origin !== undefined && !isAllowedOrigin(origin, c.get('config'))) {
      return errorResponse(
        c,
        new GatewayError('PermissionDeniedError', `Origin ${origin} is not allowed to call this gateway.`, {
          details: { reason: 'origin_not_allowed' },
        }),
      )
    }
    await next()
    return undefined
  }
}

/** What a browser client may send and read (MCP transport and authorization specs, RFC 9728 challenges, limits). */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'MCP-Protocol-Version', 'Last-Event-ID']
export const CORS_EXPOSED_HEADERS = [
  'WWW-Authenticate',
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'X-Request-Id',
]
/** How long a browser may reuse a preflight answer. */
const CORS_MAX_AGE_SECONDS = 600

/**
 * CORS for browser-based MCP clients: preflights are answered here, and an allowed Origin (the same
 * allow-list as originGuard: MCP_ALLOWED_ORIGINS, the gateway's own hosts, loopback in development) is
 * echoed with the headers a client needs to read. No credentials mode: the bearer token is a header,
 * never a cookie.
 */
export function corsPolicy(): MiddlewareHandler<AppEnv> {
  const handler = cors({
    origin: (origin, c) => {
      const parsed = (c as Context<AppEnv>).get('configuration')
      if (origin === '' || !parsed.ok) return null
      return isAllowedOrigin(origin, parsed.config) ? origin : null
    },
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  })
  return async function corsPolicy(c, next) {
    return handler(c, next)
  }
}

/** 413 with the gateway's error shape when a body exceeds MCP_MAX_BODY_BYTES. */
export function bodyLimit(): MiddlewareHandler<AppEnv> {
  return async function bodyLimit(c, next) {
    const maxSize = c.get('config').maxBodyBytes
    return honoBodyLimit({
      maxSize,
      onError: (ctx) =>
        errorResponse(
          ctx as never,
          new GatewayError(
            'PayloadTooLargeError',
            `The request body exceeds the limit of ${maxSize} bytes.`,
            {
              details: { max_bytes: maxSize },
            },
          ),
        ),
    })(c, next)
  }
}
