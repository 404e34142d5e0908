import { describe, expect, it } from 'vitest'
import { loadConfig, requireConfig } from '../../src/config'

const base = { DATABASE_URL: 'postgres://u@db:5432/superset', MCP_DEV_USERNAME: 'admin' }

describe('configuration', () => {
  it('parses defaults from a minimal development configuration', () => {
    const config = requireConfig({ ...base })
    expect(config).toMatchObject({
      environment: 'development',
      auth: { enabled: false, devUsername: 'admin', issuer: undefined, requiredScopes: [] },
      database: { statementTimeoutMs: 10_000, wsSecure: true },
      superset: { baseUrl: 'http://localhost:8088', adminRole: 'Admin', dashboardRbac: false },
    })
  })

  it('types what the cross-checks guarantee: issuer, audience and exactly one key source with authentication', () => {
    const config = requireConfig({
      DATABASE_URL: base.DATABASE_URL,
      MCP_AUTH_ENABLED: 'true',
      MCP_JWT_ISSUER: 'https://issuer.example',
      MCP_JWT_AUDIENCE: 'https://gw.example/mcp',
      MCP_JWKS_URI: 'https://issuer.example/jwks.json',
    })
    expect(config.auth).toEqual({
      enabled: true,
      issuer: 'https://issuer.example',
      audience: 'https://gw.example/mcp',
      algorithm: 'RS256',
      keySource: { kind: 'jwks', uri: 'https://issuer.example/jwks.json' },
      requiredScopes: [],
      usernameClaims: ['preferred_username', 'username', 'email', 'sub'],
      tenantClaim: 'tenant',
    })
    expect(config.database.url).toBe(base.DATABASE_URL)
  })

  it('names each bad variable and why', () => {
    const result = loadConfig({
      ...base,
      MCP_AUTH_ENABLED: 'sometimes',
      MCP_DB_STATEMENT_TIMEOUT_MS: '-5',
      MCP_ANALYTICS_DATABASE_URLS: '{not json',
      SUPERSET_WEBSERVER_ADDRESS: 'not a url',
      MCP_JWT_ALGORITHM: 'none',
    })
    expect(result.ok).toBe(false)
    const problems = result.ok ? [] : result.problems
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MCP_AUTH_ENABLED: expected "true" or "false"/),
        expect.stringMatching(/^MCP_DB_STATEMENT_TIMEOUT_MS: expected an integer/),
        expect.stringMatching(/^MCP_ANALYTICS_DATABASE_URLS: expected a JSON object/),
        expect.stringMatching(/^SUPERSET_WEBSERVER_ADDRESS: expected an absolute URL/),
        expect.stringMatching(/^MCP_JWT_ALGORITHM:/),
      ]),
    )
  })

  it('refuses MCP_DEV_USERNAME together with authentication, and auth without a key source', () => {
    const result = loadConfig({ ...base, MCP_AUTH_ENABLED: 'true' })
    expect(result.ok).toBe(false)
    const problems = result.ok ? [] : result.problems
    expect(problems.join('\n')).toContain('MCP_DEV_USERNAME: must not be set when MCP_AUTH_ENABLED=true')
    expect(problems.join('\n')).toContain('set exactly one key source')
    expect(() => requireConfig({ DATABASE_URL: base.DATABASE_URL })).toThrow(/MCP_DEV_USERNAME: required/)
  })

  it('checks key material up front, so /health names a weak secret or a malformed PEM', () => {
    const jwt = {
      DATABASE_URL: base.DATABASE_URL,
      MCP_AUTH_ENABLED: 'true',
      MCP_JWT_ISSUER: 'https://issuer.example',
      MCP_JWT_AUDIENCE: 'https://gw.example/mcp',
    }
    const weak = loadConfig({ ...jwt, MCP_JWT_ALGORITHM: 'HS256', MCP_JWT_SECRET: 'short' })
    expect(weak.ok ? [] : weak.problems).toContain(
      'MCP_JWT_SECRET: HS256 needs a secret of at least 32 bytes',
    )
    const pem = loadConfig({ ...jwt, MCP_JWT_PUBLIC_KEY: 'not a key' })
    expect((pem.ok ? [] : pem.problems).join('\n')).toContain('MCP_JWT_PUBLIC_KEY: expected a PEM public key')
    expect(loadConfig({ ...jwt, MCP_JWT_ALGORITHM: 'HS256', MCP_JWT_SECRET: 'x'.repeat(32) }).ok).toBe(true)
  })

  it('requires DATABASE_URL, a postgres URL', () => {
    expect(() => requireConfig({ MCP_DEV_USERNAME: 'admin' })).toThrow(/DATABASE_URL: not set/)
    expect(() => requireConfig({ ...base, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/)
  })

  it('normalises MCP_ALLOWED_HOSTS and adds the audience’s host; loopback only in development', () => {
    const config = requireConfig({
      ...base,
      MCP_ALLOWED_HOSTS: 'MCP.Example.com., [0:0::1]:8787,127.1',
      MCP_JWT_AUDIENCE: 'https://gw.example:8443/mcp',
    })
    expect(config.hosts).toEqual({
      allowed: [
        { hostname: 'mcp.example.com', port: undefined },
        { hostname: '[::1]', port: 8787 },
        { hostname: '127.0.0.1', port: undefined },
        { hostname: 'gw.example', port: 8443 },
      ],
      loopback: true,
      unchecked: false,
    })
    const production = { ...base, MCP_ENVIRONMENT: 'production', MCP_CONFIRM_SECRET: 'k'.repeat(32) }
    expect(requireConfig(production).hosts).toEqual({ allowed: [], loopback: false, unchecked: true })
    expect(requireConfig({ ...production, MCP_JWT_AUDIENCE: 'api://superset-mcp' }).hosts.unchecked).toBe(
      true,
    )
    expect(requireConfig({ ...production, MCP_ALLOWED_HOSTS: 'mcp.example.com' }).hosts.unchecked).toBe(false)
  })

  it('treats empty strings as unset and ignores bindings', () => {
    const config = requireConfig({ ...base, MCP_JWT_ISSUER: '', CACHE: {}, MCP_REQUIRED_SCOPES: 'a, b  c' })
    expect(config.auth.issuer).toBeUndefined()
    expect(config.auth.requiredScopes).toEqual(['a', 'b', 'c'])
  })
})

describe('tool search settings (Superset 6.1 MCP_TOOL_SEARCH_CONFIG)', () => {
  it('defaults to 6.1: on, 5 results, health_check and get_instance_info pinned, no schemas', () => {
    expect(requireConfig({ ...base }).toolSearch).toEqual({
      enabled: true,
      maxResults: 5,
      alwaysVisible: ['health_check', 'get_instance_info'],
      includeSchemas: false,
    })
  })

  it('reads each setting, and "none" pins nothing', () => {
    const config = requireConfig({
      ...base,
      MCP_TOOL_SEARCH_ENABLED: 'false',
      MCP_TOOL_SEARCH_MAX_RESULTS: '12',
      MCP_TOOL_SEARCH_ALWAYS_VISIBLE: 'health_check, list_charts list_charts',
      MCP_TOOL_SEARCH_INCLUDE_SCHEMAS: 'true',
    })
    expect(config.toolSearch).toEqual({
      enabled: false,
      maxResults: 12,
      alwaysVisible: ['health_check', 'list_charts'],
      includeSchemas: true,
    })
    expect(
      requireConfig({ ...base, MCP_TOOL_SEARCH_ALWAYS_VISIBLE: 'none' }).toolSearch.alwaysVisible,
    ).toEqual([])
  })

  it('names a bad value: a count out of range, an unknown or a search tool pinned', () => {
    const result = loadConfig({
      ...base,
      MCP_TOOL_SEARCH_ENABLED: 'maybe',
      MCP_TOOL_SEARCH_MAX_RESULTS: '0',
      MCP_TOOL_SEARCH_ALWAYS_VISIBLE: 'health_check,list_chart',
    })
    expect(result.ok ? [] : result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MCP_TOOL_SEARCH_ENABLED: expected "true" or "false"/),
        expect.stringMatching(/^MCP_TOOL_SEARCH_MAX_RESULTS: expected an integer from 1 to 50/),
        expect.stringMatching(/^MCP_TOOL_SEARCH_ALWAYS_VISIBLE: no tool is called "list_chart"/),
      ]),
    )
    const meta = loadConfig({ ...base, MCP_TOOL_SEARCH_ALWAYS_VISIBLE: 'search_tools' })
    expect(meta.ok ? [] : meta.problems).toEqual([
      expect.stringMatching(/^MCP_TOOL_SEARCH_ALWAYS_VISIBLE: search_tools is always listed/),
    ])
  })
})

describe('confirmation settings (src/confirm)', () => {
  const KEY = 'k'.repeat(32)

  it('asks by default and lets clients that cannot confirm run unconfirmed, as Superset does', () => {
    expect(requireConfig({ ...base, MCP_CONFIRM_SECRET: KEY }).confirm).toEqual({
      destructive: true,
      fallback: 'allow',
      secret: KEY,
    })
    expect(
      requireConfig({ ...base, MCP_CONFIRM_DESTRUCTIVE: 'false', MCP_CONFIRM_FALLBACK: 'refuse' }).confirm,
    ).toMatchObject({ destructive: false, fallback: 'refuse' })
  })

  it('derives a stable key outside production when none is set, one per metadata database', () => {
    const first = requireConfig({ ...base }).confirm.secret
    expect(first).toContain(base.DATABASE_URL)
    expect(requireConfig({ ...base, MCP_LOG_LEVEL: 'warn' }).confirm.secret).toBe(first)
    expect(
      requireConfig({ ...base, DATABASE_URL: 'postgres://u@other:5432/superset' }).confirm.secret,
    ).not.toBe(first)
  })

  it('refuses to start in production without MCP_CONFIRM_SECRET while confirming, and a short key anywhere', () => {
    const production = { ...base, MCP_ENVIRONMENT: 'production' }
    expect(() => requireConfig(production)).toThrow(
      /MCP_CONFIRM_SECRET: required in production while MCP_CONFIRM_DESTRUCTIVE=true/,
    )
    expect(requireConfig({ ...production, MCP_CONFIRM_SECRET: KEY }).confirm.secret).toBe(KEY)
    // Not confirming, production needs no key (and derives none).
    expect(requireConfig({ ...production, MCP_CONFIRM_DESTRUCTIVE: 'false' }).confirm.secret).toBeUndefined()
    expect(loadConfig({ ...base, MCP_CONFIRM_SECRET: 'short' })).toEqual({
      ok: false,
      problems: ['MCP_CONFIRM_SECRET: needs at least 32 bytes (e.g. openssl rand -hex 32)'],
    })
    expect(loadConfig({ ...base, MCP_CONFIRM_FALLBACK: 'maybe' })).toMatchObject({ ok: false })
  })
})
