/**
 * RFC 9728 protected-resource metadata, at `/.well-known/oauth-protected-resource` and its path-inserted
 * form for `/mcp`: where an MCP client that got a 401 learns which authorization server to ask, for which
 * resource (the token audience, RFC 8707) and which scopes.
 */
import type { Context } from 'hono'
import type { AppEnv } from './app-env'

export const RESOURCE_NAME = 'Superset MCP gateway'

// Public and stable: clients and browsers may cache it briefly and read it from any origin.
const METADATA_HEADERS = { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }

export function protectedResourceMetadata(c: Context<AppEnv>): Response {
  const { auth } = c.get('config')
  const resource = auth.enabled ? auth.audience : new URL('/mcp', c.req.url).href
  return c.json(
    {
      resource,
      ...(auth.issuer === undefined ? {} : { authorization_servers: [auth.issuer] }),
      scopes_supported: auth.requiredScopes,
      bearer_methods_supported: ['header'],
      resource_name: RESOURCE_NAME,
    },
    200,
    METADATA_HEADERS,
  )
}
