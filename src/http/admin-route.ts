/**
 * POST /admin/cache/invalidate: drops a tenant's cached catalog answers at once, for an operator who knows
 * Superset changed (a restore, a bulk edit) and will not wait for the change to be noticed. Authenticated
 * like /metrics (operatorGate: MCP_METRICS_TOKEN, or a gateway admin's JWT).
 *
 * Body (optional, JSON): `{"kinds": ["chart", …], "tenant": "acme"}`. Without `kinds`, every kind is
 * bumped, 'permissions' included, which is part of every answer's key. `tenant` is the caller's own with a
 * JWT (another is refused) and `default` unless named with the operator token. The isolate's memory
 * (answers, generations, principals, its view of Superset's changes) is forgotten; other isolates read
 * the new generations from KV (docs/storage.md, "Freshness").
 */
import type { Context, MiddlewareHandler } from 'hono'
import * as z from 'zod'
import { CACHE_KINDS, clearMemoryCache, createToolCache, forgetChanges } from '../cache'
import { forgetPrincipals, type RequestScope } from '../dispatch'
import { GatewayError } from '../errors'
import type { AppEnv } from './app-env'
import { parseJsonText, readBodyText } from './json-body'
import { operatorGate } from './metrics-route'

const InvalidateBody = z
  .object({
    kinds: z.array(z.enum(CACHE_KINDS)).min(1).max(CACHE_KINDS.length).optional(),
    tenant: z.string().min(1).max(200).optional(),
  })
  .strict()

/** The token (or open development) path of POST /admin/cache/invalidate; the JWT path follows it. */
export function invalidateGate(): MiddlewareHandler<AppEnv> {
  return operatorGate(invalidateCache, {
    realm: 'admin',
    route: 'POST /admin/cache/invalidate',
    reason: 'metrics_token_not_set',
  })
}

export async function invalidateCache(c: Context<AppEnv>): Promise<Response> {
  const body = await readBody(c)
  // Reached through the JWT chain: the verified caller's tenant; through the token: the one named.
  const scope = c.get('scope') as RequestScope | undefined
  const ownTenant = scope === undefined ? undefined : (await scope.principal()).tenant
  if (ownTenant !== undefined && body.tenant !== undefined && body.tenant !== ownTenant) {
    throw new GatewayError(
      'PermissionDeniedError',
      `A gateway admin invalidates the cache of their own tenant ("${ownTenant}"); use MCP_METRICS_TOKEN to name another.`,
      { details: { reason: 'other_tenant', tenant: body.tenant } },
    )
  }
  const tenant = ownTenant ?? body.tenant ?? 'default'
  const kinds = body.kinds === undefined ? [...CACHE_KINDS] : [...new Set(body.kinds)]
  // Forget this isolate's memory first: invalidate() then records the new generations in it.
  clearMemoryCache()
  forgetChanges()
  forgetPrincipals()
  createToolCache({
    kv: c.env.CACHE,
    config: c.get('config'),
    log: c.get('log'),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  }).invalidate(tenant, kinds)
  c.get('log').info('cache_invalidated', { tenant, kinds })
  return c.json({ tenant, kinds, invalidated_at: new Date().toISOString() }, 200)
}

async function readBody(c: Context<AppEnv>): Promise<z.infer<typeof InvalidateBody>> {
  const text = await readBodyText(c.req.raw)
  if (text.trim() === '') return {}
  const parsed = parseJsonText(text)
  if (parsed.kind === 'invalid')
    throw new GatewayError('ValidationError', 'The request body is not valid JSON.')
  const checked = InvalidateBody.safeParse(parsed.value)
  if (!checked.success) {
    throw new GatewayError(
      'ValidationError',
      `The body is {"kinds": [...], "tenant": "..."}, both optional; kinds are ${CACHE_KINDS.join(', ')}.`,
      {
        details: {
          issues: checked.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
        },
      },
    )
  }
  return checked.data
}
