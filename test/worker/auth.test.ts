/**
 * Bearer JWT authentication from the outside: what a client sees (401/403 challenges, RFC 9728 metadata),
 * who a valid token acts as, and every forged, stale or misdirected token an attacker would try.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { Hono } from 'hono'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Identity } from '../../src/auth'
import { authenticate, onError, requestContext, withConfig, type AppEnv } from '../../src/http'
import { BASE } from '../helpers/mcp'
import {
  AUDIENCE,
  authEnv,
  bearer,
  callTool,
  claimsFor,
  connectWithToken,
  devEnv,
  foreignKeyToken,
  gatewayFetch,
  hs256WithPublicKey,
  tamperedToken,
  TestRealm,
  unsignedToken,
} from '../helpers/tokens'

const METADATA_URL = `${BASE}/.well-known/oauth-protected-resource/mcp`
const INVALID_TOKEN_MESSAGE =
  'The bearer token is invalid or expired. Get a new token from the authorization server.'

let realm: TestRealm
let gateway: Cloudflare.Env

beforeAll(() => {
  realm = TestRealm.create('auth')
  gateway = authEnv(realm)
})

afterEach(() => {
  vi.restoreAllMocks()
})

/** The identity `authenticate()` establishes, read through a probe app with the real middleware. */
async function identityFor(testEnv: Cloudflare.Env, authorization: string): Promise<Response> {
  const probe = new Hono<AppEnv>()
  probe.use(requestContext(), withConfig(), authenticate())
  probe.post('/whoami', (c) => c.json(c.get('identity')))
  probe.onError(onError)
  const ctx = createExecutionContext()
  const response = await probe.fetch(
    new Request(`${BASE}/whoami`, { method: 'POST', headers: { authorization } }),
    testEnv,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return response
}

async function dashboardIds(testEnv: Cloudflare.Env, token: string): Promise<number[]> {
  const response = await callTool(testEnv, 'list_dashboards', bearer(token), {
    page_size: 100,
    select_columns: ['id'],
    order_column: 'id',
    order_direction: 'asc',
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { dashboards: { id: number }[] }).dashboards.map(
    (dashboard) => dashboard.id,
  )
}

async function expectInvalidToken(response: Response): Promise<void> {
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe(
    `Bearer error="invalid_token", resource_metadata="${METADATA_URL}"`,
  )
  const body = (await response.json()) as any
  expect(body).toMatchObject({ error_type: 'AuthenticationError', error: INVALID_TOKEN_MESSAGE })
  expect(Date.parse(body.timestamp)).not.toBeNaN()
}

describe('a caller without a valid token', () => {
  it('gets 401 with a challenge naming the metadata document and the required scopes', async () => {
    const scoped = authEnv(realm, { MCP_REQUIRED_SCOPES: 'mcp:tools mcp:read' })
    const response = await callTool(scoped, 'list_dashboards', undefined)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${METADATA_URL}", scope="mcp:tools mcp:read"`,
    )
    expect(await response.json()).toMatchObject({
      error_type: 'AuthenticationError',
      error: 'Authentication required: send a bearer token in the Authorization header.',
      details: { resource_metadata: METADATA_URL },
    })
  })

  it('gets 401 on /mcp too, and the MCP client cannot connect', async () => {
    const response = await gatewayFetch(gateway)(`${BASE}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${METADATA_URL}"`)
    await expect(connectWithToken(gateway, 'not-a-jwt')).rejects.toThrow()
  })

  it('can follow the challenge to RFC 9728 metadata naming the issuer, resource and scopes', async () => {
    const scoped = authEnv(realm, { MCP_REQUIRED_SCOPES: 'mcp:tools' })
    const challenge = (await callTool(scoped, 'list_dashboards', undefined)).headers.get('www-authenticate')!
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1]!
    for (const url of [metadataUrl, `${BASE}/.well-known/oauth-protected-resource`]) {
      const response = await gatewayFetch(scoped)(url)
      expect(response.status).toBe(200)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(await response.json()).toEqual({
        resource: AUDIENCE,
        authorization_servers: [realm.issuer],
        scopes_supported: ['mcp:tools'],
        bearer_methods_supported: ['header'],
        resource_name: 'Superset MCP gateway',
      })
    }
  })

  it('ignores a token in the query string (never read): 401 as if none was sent', async () => {
    const token = await realm.mint('admin')
    const response = await gatewayFetch(gateway)(`${BASE}/tools/list_dashboards?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA_URL}"`)
  })

  it('treats another scheme (Basic) as no bearer token, and a malformed bearer value as invalid', async () => {
    const basic = await callTool(gateway, 'list_dashboards', 'Basic YWRtaW46YWRtaW4=')
    expect(basic.status).toBe(401)
    expect(basic.headers.get('www-authenticate')).not.toContain('error=')
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', 'Bearer not a token'))
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', 'Bearer'))
  })
})

describe('a valid token', () => {
  it('lets the MCP SDK client work as that Superset user', async () => {
    const client = await connectWithToken(gateway, await realm.mint('bob'))
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toContain('list_dashboards')
    const result = await client.callTool({
      name: 'list_dashboards',
      arguments: {
        request: { page_size: 100, select_columns: ['id'], order_column: 'id', order_direction: 'asc' },
      },
    })
    expect(result.isError).toBeFalsy()
    const ids = (result.structuredContent as { dashboards: { id: number }[] }).dashboards.map((d) => d.id)
    expect(ids).toEqual([1, 3, 5, 7])
    await client.close()
  })

  it('acts as exactly the user it names: bob sees his 4 dashboards, admin all 9', async () => {
    expect(await dashboardIds(gateway, await realm.mint('bob'))).toEqual([1, 3, 5, 7])
    expect(await dashboardIds(gateway, await realm.mint('admin'))).toHaveLength(9)
  })

  it('maps an email to the Superset user with that email (kim.lee@example.com → kim)', async () => {
    const token = await realm.mint('kim.lee@example.com')
    const response = await callTool(gateway, 'get_instance_info', bearer(token))
    expect(response.status).toBe(200)
    expect(((await response.json()) as any).current_user).toMatchObject({
      username: 'kim',
      email: 'kim.lee@example.com',
    })
  })

  it('takes the username from the first configured claim present', async () => {
    // An opaque `sub` (as Auth0 and Entra ID issue) and no preferred_username: `email` names the user.
    const token = await realm.mint('ignored', {
      claims: { preferred_username: null, sub: 'auth0|5f2b9c', email: 'kim.lee@example.com' },
    })
    const identity = (await (await identityFor(gateway, bearer(token))).json()) as Identity
    expect(identity.lookup).toEqual({ usernameOrEmail: 'kim.lee@example.com' })
    const custom = authEnv(realm, { MCP_USERNAME_CLAIMS: 'upn, sub' })
    const upn = await realm.mint('ignored', { claims: { upn: 'carol' } })
    expect(((await (await identityFor(custom, bearer(upn))).json()) as Identity).lookup).toEqual({
      usernameOrEmail: 'carol',
    })
  })

  it('carries the tenant claim (default "default") and the granted scopes into the identity', async () => {
    const plain = (await (await identityFor(gateway, bearer(await realm.mint('bob')))).json()) as Identity
    expect(plain).toEqual({
      lookup: { usernameOrEmail: 'bob' },
      tenant: 'default',
      method: 'jwt',
      scopes: [],
    })
    const tenantToken = await realm.mint('bob', { tenant: 'acme', scope: 'mcp:tools mcp:read' })
    expect(await (await identityFor(gateway, bearer(tenantToken))).json()).toEqual({
      lookup: { usernameOrEmail: 'bob' },
      tenant: 'acme',
      method: 'jwt',
      scopes: ['mcp:tools', 'mcp:read'],
    })
    const orgClaim = authEnv(realm, { MCP_TENANT_CLAIM: 'org_id' })
    const orgToken = await realm.mint('bob', { claims: { org_id: 'org_42' } })
    expect(((await (await identityFor(orgClaim, bearer(orgToken))).json()) as Identity).tenant).toBe('org_42')
  })

  it('refuses a tenant claim that is not a plain name with 403', async () => {
    const token = await realm.mint('bob', { tenant: 'acme:admin' })
    const response = await identityFor(gateway, bearer(token))
    expect(response.status).toBe(403)
    expect(((await response.json()) as any).details).toEqual({
      reason: 'invalid_tenant_claim',
      claim: 'tenant',
    })
  })

  it('refuses a user missing from Superset with 403 (fail closed)', async () => {
    const response = await callTool(gateway, 'list_dashboards', bearer(await realm.mint('oscar')))
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { reason: 'user_not_found' },
    })
  })

  it('refuses an inactive Superset user (frank) with 403', async () => {
    const response = await callTool(gateway, 'list_dashboards', bearer(await realm.mint('frank')))
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      error: 'The Superset user "frank" is inactive. Ask a Superset administrator for access if you need it.',
    })
  })

  it('refuses a token that names no user with 403', async () => {
    const token = await realm.mint('bob', { claims: { sub: null, preferred_username: null } })
    const response = await callTool(gateway, 'list_dashboards', bearer(token))
    expect(response.status).toBe(403)
    expect(((await response.json()) as any).details.reason).toBe('no_username_claim')
  })
})

describe('required scopes', () => {
  const scoped = (): Cloudflare.Env => authEnv(realm, { MCP_REQUIRED_SCOPES: 'mcp:tools mcp:read' })

  it('answers a token without every required scope with 403 insufficient_scope', async () => {
    const token = await realm.mint('bob', { scope: 'mcp:read profile' })
    const response = await callTool(scoped(), 'list_dashboards', bearer(token))
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="mcp:tools mcp:read", resource_metadata="${METADATA_URL}", error_description="The token lacks a required scope"`,
    )
    expect(await response.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { required_scopes: ['mcp:tools', 'mcp:read'] },
    })
  })

  it('accepts the scopes as a `scope` string, an `scp` array or an `scp` string', async () => {
    const tokens = [
      await realm.mint('bob', { scope: 'openid mcp:read mcp:tools' }),
      await realm.mint('bob', { claims: { scp: ['mcp:tools', 'mcp:read'] } }),
      await realm.mint('bob', { claims: { scp: 'mcp:tools mcp:read' } }),
    ]
    for (const token of tokens) {
      expect((await callTool(scoped(), 'health_check', bearer(token))).status).toBe(200)
    }
  })
})

describe('attacks', () => {
  it('refuses an unsigned token (alg: none)', async () => {
    await expectInvalidToken(
      await callTool(gateway, 'list_dashboards', bearer(unsignedToken(claimsFor(realm, 'admin')))),
    )
  })

  it('refuses HS256 signed with the RSA public key as the secret (algorithm confusion)', async () => {
    const token = await hs256WithPublicKey(realm, claimsFor(realm, 'admin'))
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
  })

  it('refuses a token signed by a key the issuer never published (unknown kid)', async () => {
    const token = await foreignKeyToken(claimsFor(realm, 'admin'), 'attacker-key')
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
  })

  it('refuses a token that reuses a published kid with a foreign signature', async () => {
    const { keys } = await realm.publishedKeys()
    const token = await foreignKeyToken(claimsFor(realm, 'admin'), keys[0]!.kid!)
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
  })

  it('refuses an expired token (beyond the 30 s clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await realm.mint('admin', { claims: { iat: now - 3_700, exp: now - 60 } })
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
  })

  it('accepts a token expired by less than the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await realm.mint('admin', { claims: { iat: now - 600, exp: now - 10 } })
    expect((await callTool(gateway, 'health_check', bearer(token))).status).toBe(200)
  })

  it('refuses a token not valid yet (nbf in the future) or issued in the future', async () => {
    const now = Math.floor(Date.now() / 1000)
    const notYet = await realm.mint('admin', { claims: { nbf: now + 3_600 } })
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(notYet)))
    const fromTheFuture = await realm.mint('admin', { claims: { iat: now + 3_600, exp: now + 7_200 } })
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(fromTheFuture)))
  })

  it('refuses a token without an expiry', async () => {
    const token = await realm.mint('admin', { claims: { exp: null } })
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
  })

  it('refuses a token from another issuer, even one signed by a trusted key', async () => {
    const wrongIssuer = await realm.mint('admin', { claims: { iss: 'https://evil.example/' } })
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(wrongIssuer)))
    const otherRealm = TestRealm.create('other-issuer')
    await expectInvalidToken(
      await callTool(gateway, 'list_dashboards', bearer(await otherRealm.mint('admin'))),
    )
  })

  it('refuses a token issued for another audience (RFC 8707)', async () => {
    for (const aud of [
      'https://other-service.example/mcp',
      'http://localhost/mcp/',
      ['https://api.example'],
    ]) {
      const token = await realm.mint('admin', { claims: { aud } })
      await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
    }
  })

  it('refuses a tampered payload (bob promoting himself to admin)', async () => {
    const token = tamperedToken(await realm.mint('bob'), { sub: 'admin', preferred_username: 'admin' })
    await expectInvalidToken(await callTool(gateway, 'list_dashboards', bearer(token)))
  })

  it('refuses an absurdly large token before parsing it', async () => {
    const fresh = TestRealm.create('large-token')
    const freshEnv = authEnv(fresh)
    const padding = 'A'.repeat(9 * 1024)
    const huge = `eyJhbGciOiJSUzI1NiJ9.${padding}.${padding}`
    await expectInvalidToken(await callTool(freshEnv, 'list_dashboards', bearer(huge)))
    // Refused before any key was looked up: the identity provider never heard of it.
    expect(await fresh.jwksFetches()).toBe(0)
  })

  it('answers every rejected token with the same words, whatever check failed', async () => {
    const now = Math.floor(Date.now() / 1000)
    const tokens = [
      unsignedToken(claimsFor(realm, 'admin')),
      await realm.mint('admin', { claims: { exp: now - 3_600 } }),
      await realm.mint('admin', { claims: { aud: 'https://elsewhere.example' } }),
      await foreignKeyToken(claimsFor(realm, 'admin'), 'nope'),
    ]
    const messages = new Set<string>()
    for (const token of tokens) {
      const response = await callTool(gateway, 'list_dashboards', bearer(token))
      messages.add(((await response.json()) as any).error)
    }
    expect([...messages]).toEqual([INVALID_TOKEN_MESSAGE])
  })

  it('never writes the token to the logs', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)))
    const verbose = authEnv(realm, { MCP_LOG_LEVEL: 'debug' })
    const good = await realm.mint('bob')
    const bad = tamperedToken(good, { preferred_username: 'admin' })
    await callTool(verbose, 'list_dashboards', bearer(good))
    await callTool(verbose, 'list_dashboards', bearer(bad))
    expect(lines.some((line) => line.includes('auth_rejected'))).toBe(true)
    for (const secret of [good, bad, good.split('.')[2]!]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([])
    }
  })
})

describe('claims with control characters', () => {
  /** C0 (NUL, tab, line feed, escape…), DEL, C1, and the Unicode line and paragraph separators. */
  const CONTROL_CHARACTERS: [string, string][] = [
    ['U+0000', '\u0000'],
    ['U+0001', '\u0001'],
    ['U+0009', '\t'],
    ['U+000A', '\n'],
    ['U+000D', '\r'],
    ['U+001B', '\u001b'],
    ['U+007F', '\u007f'],
    ['U+0085', '\u0085'],
    ['U+009F', '\u009f'],
    ['U+2028', '\u2028'],
    ['U+2029', '\u2029'],
  ]

  async function expectControlCharacterRefusal(
    response: Response,
    claim: string,
    character: string,
    scope?: string,
  ) {
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The ${claim} claim contains a control character", resource_metadata="${METADATA_URL}"` +
        (scope === undefined ? '' : `, scope="${scope}"`),
    )
    const body = (await response.json()) as any
    expect(body).toMatchObject({
      error_type: 'AuthenticationError',
      error: `The bearer token's "${claim}" claim contains a control character (${character}), which no user name may hold. Get a token whose claims name the user in plain text from the identity provider.`,
      details: { reason: 'control_character_in_claim', claim, character, resource_metadata: METADATA_URL },
    })
    expect(Date.parse(body.timestamp)).not.toBeNaN()
  }

  it('answers a NUL byte in the username claim with 401, not 500, on plain HTTP and on /mcp', async () => {
    const token = await realm.mint('bob\u0000admin')
    await expectControlCharacterRefusal(
      await callTool(gateway, 'list_dashboards', bearer(token)),
      'preferred_username',
      'U+0000',
    )
    const mcp = await gatewayFetch(gateway)(`${BASE}/mcp`, {
      method: 'POST',
      headers: {
        authorization: bearer(token),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    await expectControlCharacterRefusal(mcp, 'preferred_username', 'U+0000')
  })

  it.each(CONTROL_CHARACTERS)('refuses %s in the username claim with 401', async (code, character) => {
    const token = await realm.mint('ignored', {
      claims: { preferred_username: `bo${character}b`, sub: 'bob' },
    })
    await expectControlCharacterRefusal(await identityFor(gateway, bearer(token)), 'preferred_username', code)
  })

  it('checks every claim that can name the caller: a later username claim, sub, the tenant', async () => {
    // email is read only when preferred_username and username are absent; sub whatever the configuration.
    const email = await realm.mint('ignored', {
      claims: { preferred_username: null, sub: 'auth0|1', email: 'kim.lee@example.com\r\n' },
    })
    await expectControlCharacterRefusal(await identityFor(gateway, bearer(email)), 'email', 'U+000D')
    const sub = await realm.mint('ignored', { claims: { preferred_username: 'bob', sub: 'bob\u0000' } })
    await expectControlCharacterRefusal(await identityFor(gateway, bearer(sub)), 'sub', 'U+0000')
    const upnOnly = authEnv(realm, { MCP_USERNAME_CLAIMS: 'upn' })
    const upn = await realm.mint('ignored', { claims: { upn: 'carol\u2028' } })
    await expectControlCharacterRefusal(await identityFor(upnOnly, bearer(upn)), 'upn', 'U+2028')
    const tenant = await realm.mint('bob', { tenant: 'acme\u0000' })
    await expectControlCharacterRefusal(await identityFor(gateway, bearer(tenant)), 'tenant', 'U+0000')
  })

  it('refuses before the scope check, and leaves claims that name nobody and plain Unicode alone', async () => {
    const scoped = authEnv(realm, { MCP_REQUIRED_SCOPES: 'mcp:tools' })
    const unscoped = await realm.mint('bob\u0000', { scope: '' })
    await expectControlCharacterRefusal(
      await callTool(scoped, 'list_dashboards', bearer(unscoped)),
      'preferred_username',
      'U+0000',
      'mcp:tools',
    )
    // A display name with a line break is not an identity claim: bob is served.
    const named = await realm.mint('bob', { claims: { name: 'Bob\nBuilder' } })
    expect(await dashboardIds(gateway, named)).toEqual([1, 3, 5, 7])
    // Letters beyond ASCII are names, not control characters: the user is simply not in Superset.
    const unicode = await callTool(gateway, 'list_dashboards', bearer(await realm.mint('zoë\u00a0δ')))
    expect(unicode.status).toBe(403)
    expect(((await unicode.json()) as any).details.reason).toBe('user_not_found')
  })

  it('answers a NUL in a name that reaches the user lookup another way (MCP_DEV_USERNAME) with 403, not 500', async () => {
    const response = await callTool(devEnv({ MCP_DEV_USERNAME: 'bob\u0000' }), 'list_dashboards', undefined)
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      error:
        'No Superset user matches a name holding a NUL character. Ask a Superset administrator for access if you need it.',
      details: { reason: 'user_not_found' },
    })
  })
})

describe('configuration and development mode', () => {
  it('refuses MCP_DEV_USERNAME together with MCP_AUTH_ENABLED=true', async () => {
    const both = authEnv(realm, { MCP_DEV_USERNAME: 'admin' })
    const response = await callTool(both, 'list_dashboards', bearer(await realm.mint('bob')))
    expect(response.status).toBe(500)
    const body = (await response.json()) as any
    expect(body.error_type).toBe('ConfigurationError')
    expect(body.error).toContain('MCP_DEV_USERNAME')
  })

  it('keeps the development username when auth is disabled, and describes the resource by origin', async () => {
    const development = devEnv()
    const response = await callTool(development, 'get_instance_info', undefined)
    expect(response.status).toBe(200)
    expect(((await response.json()) as any).current_user.username).toBe('admin')
    const metadata = await gatewayFetch(development)(`${BASE}/.well-known/oauth-protected-resource`)
    expect(await metadata.json()).toMatchObject({
      resource: `${BASE}/mcp`,
      bearer_methods_supported: ['header'],
    })
  })

  it('warns on every request when auth is disabled in production, and /health is degraded', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)))
    const production = devEnv({ MCP_ENVIRONMENT: 'production', MCP_LOG_LEVEL: 'warn' })
    for (let i = 0; i < 2; i++)
      expect((await callTool(production, 'health_check', undefined)).status).toBe(200)
    expect(lines.filter((line) => line.includes('"auth_disabled_in_production"'))).toHaveLength(2)
    const health = (await (await gatewayFetch(production)(`${BASE}/health`)).json()) as any
    expect(health.status).toBe('degraded')
    expect(health.checks.auth).toMatchObject({ status: 'warning', mode: 'dev_username' })
  })
})
