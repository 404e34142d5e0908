/**
 * Edge concerns, each a small Hono middleware: request ids and access logs, security headers, the
 * HTTPS redirect, the Origin allow-list, body limits and configuration.
 */
import type { MiddlewareHandler } from 'hono'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import { loadConfig, requireConfig } from '../config'
import { GatewayError } from '../errors'
import { createLogger } from '../observability'
import type { AppEnv } from './app-env'
import { errorResponse } from './error-response'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost')
}

/** Request id (cf-ray when Cloudflare set one), a request-scoped logger, and one access-log line. */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const started = Date.now()
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID()
    const parsed = loadConfig(c.env)
    const level = parsed.ok ? parsed.config.logLevel : 'info'
    const log = createLogger(level, { request_id: requestId })
    c.set('requestId', requestId)
    c.set('log', log)
    await next()
    c.header('X-Request-Id', requestId)
    log.info('request', {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      duration_ms: Date.now() - started,
    })
  }
}

/** Parses the configuration (once per isolate) or answers with a ConfigurationError naming each bad variable. */
export function withConfig(): MiddlewareHandler<AppEnv> {
  return async function withConfig(c, next) {
    c.set('config', requireConfig(c.env))
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
    if (insecure && !isLoopback(url.hostname)) {
      url.protocol = 'https:'
      const method = c.req.method
      return c.redirect(url.toString(), method === 'GET' || method === 'HEAD' ? 301 : 308)
    }
    await next()
    return undefined
  }
}

/**
 * DNS-rebinding protection (MCP transport spec): a request carrying an Origin header must come from an
 * allowed origin. Loopback origins are allowed in development so browser tools (MCP Inspector) work.
 */
export function originGuard(): MiddlewareHandler<AppEnv> {
  return async function originGuard(c, next) {
    const origin = c.req.header('origin')
    if (
      origin !== undefined &&
      !isAllowedOrigin(origin, c.get('config').allowedOrigins, c.get('config').environment)
    ) {
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

export function isAllowedOrigin(origin: string, allowed: readonly string[], environment: string): boolean {
  if (allowed.includes('*') || allowed.includes(origin)) return true
  if (environment !== 'development') return false
  try {
    return isLoopback(new URL(origin).hostname)
  } catch {
    return false
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
