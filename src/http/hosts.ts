/**
 * DNS-rebinding protection: which Host a request may name and which Origin may call, from one allow-list
 * (MCP_ALLOWED_HOSTS, the audience's host, loopback in development; src/config HostsConfig).
 *
 * A page on evil.example whose DNS name is re-pointed at the gateway's address sends `Host: evil.example`
 * and `Origin: http://evil.example`; the browser believes it talks to its own origin, so CORS never
 * stops it. Refusing every Host the gateway does not serve, before anything else answers (the HTTPS
 * redirect included), is what keeps such a page from reading any response at all.
 */
import type { MiddlewareHandler } from 'hono'
import { formatHost, parseHost, type Config, type HostName, type HostsConfig } from '../config'
import { GatewayError } from '../errors'
import type { AppEnv } from './app-env'
import { errorResponse } from './error-response'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** A loopback name: browsers resolve `localhost` and `*.localhost` themselves, so DNS cannot re-point them. */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost')
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** `host` (port omitted: the scheme's default) is one the gateway serves. */
export function isAllowedHost(host: HostName, hosts: HostsConfig, protocol: string): boolean {
  if (hosts.unchecked) return true
  if (hosts.loopback && isLoopback(host.hostname)) return true
  const port = host.port ?? DEFAULT_PORTS[protocol]
  return hosts.allowed.some(
    (allowed) => allowed.hostname === host.hostname && (allowed.port === undefined || allowed.port === port),
  )
}

/**
 * Every request names a Host the gateway serves, or gets 403 PermissionDeniedError before it is
 * redirected, routed or counted. Both the URL's host (what routing and the HTTPS redirect read) and the
 * Host header (what the client sent) are checked, so neither can disagree with the other in an attacker's
 * favour. With a configuration that does not parse there is no list to check: every route but /health
 * answers ConfigurationError then anyway.
 */
export function hostGuard(): MiddlewareHandler<AppEnv> {
  return async function hostGuard(c, next) {
    const parsed = c.get('configuration')
    if (parsed.ok && !parsed.config.hosts.unchecked) {
      const url = new URL(c.req.url)
      const named = [url.host, c.req.header('host')].filter((host) => host !== undefined)
      for (const text of new Set(named)) {
        const host = parseHost(text)
        if (host === undefined || !isAllowedHost(host, parsed.config.hosts, url.protocol)) {
          return errorResponse(c, hostNotAllowed(host))
        }
      }
    }
    await next()
    return undefined
  }
}

function hostNotAllowed(host: HostName | undefined): GatewayError {
  // The message carries its own hint: the PermissionDeniedError one (ask a Superset admin) does not apply.
  if (host === undefined) {
    return new GatewayError(
      'PermissionDeniedError',
      'The request names no valid host. Call the gateway by one of its host names.',
      { details: { reason: 'host_not_allowed' } },
    )
  }
  const named = formatHost(host)
  return new GatewayError(
    'PermissionDeniedError',
    `Host ${named} is not served by this gateway. Call it by one of its host names (MCP_ALLOWED_HOSTS).`,
    { details: { reason: 'host_not_allowed', host: named } },
  )
}

/**
 * An Origin may call: listed in MCP_ALLOWED_ORIGINS (or `*`), loopback in development, or a page on one of
 * the gateway's own hosts (the same allow-list as the Host check, whatever the scheme). "Every Host passes"
 * (`unchecked`) is not a list of hosts and allows no Origin.
 */
export function isAllowedOrigin(origin: string, config: Pick<Config, 'allowedOrigins' | 'hosts'>): boolean {
  if (config.allowedOrigins.includes('*') || config.allowedOrigins.includes(origin)) return true
  if (!URL.canParse(origin)) return false
  const url = new URL(origin)
  const host = parseHost(url.host)
  if (host === undefined || !Object.hasOwn(DEFAULT_PORTS, url.protocol)) return false
  return isAllowedHost(host, { ...config.hosts, unchecked: false }, url.protocol)
}
