/**
 * Configuration, parsed once per isolate from the Worker's vars and secrets. A bad configuration fails
 * loudly and specifically (which variable, why) and never silently weakens anything.
 */
import { GatewayError } from '../errors'
import type { LimitRule } from '../limit-documents'
import { parseHost, type HostName } from './hosts'
import { ConfigSchema, type RawConfig } from './schema'

export { JWT_ALGORITHMS, LOG_LEVELS } from './schema'
export { formatHost, parseHost, type HostName } from './hosts'

export type Environment = RawConfig['MCP_ENVIRONMENT']
export type LogLevel = RawConfig['MCP_LOG_LEVEL']
export type JwtAlgorithm = RawConfig['MCP_JWT_ALGORITHM']

/** Where token signatures are checked against: exactly one, never the token itself. */
export type KeySource =
  { kind: 'jwks'; uri: string } | { kind: 'public_key'; pem: string } | { kind: 'secret'; secret: string }

/** MCP_AUTH_ENABLED=true: every request proves who it is with a bearer JWT. */
export interface JwtAuthConfig {
  enabled: true
  issuer: string
  audience: string
  algorithm: JwtAlgorithm
  keySource: KeySource
  requiredScopes: string[]
  usernameClaims: string[]
  tenantClaim: string
}

/** MCP_AUTH_ENABLED=false (development): every request acts as one Superset user. */
export interface DevelopmentAuthConfig {
  enabled: false
  devUsername: string
  /** Advertised in the resource metadata when set, so a client can still find the identity provider. */
  issuer: string | undefined
  requiredScopes: string[]
}

export type AuthConfig = JwtAuthConfig | DevelopmentAuthConfig

export interface DatabaseConfig {
  url: string
  /** `host:port/path` of a WebSocket→TCP proxy for a non-Neon Postgres; unset for Neon. */
  wsProxy: string | undefined
  wsSecure: boolean
  statementTimeoutMs: number
  poolMax: number
}

export interface Config {
  environment: Environment
  logLevel: LogLevel
  auth: AuthConfig
  allowedOrigins: string[]
  hosts: HostsConfig
  maxBodyBytes: number
  metricsToken: string | undefined
  database: DatabaseConfig
  /** Superset database name → Postgres URL, for chart data and SQL. */
  analyticsDatabaseUrls: Record<string, string>
  sql: SqlConfig
  superset: { baseUrl: string; adminRole: string; dashboardRbac: boolean; rlsInSqlLab: boolean }
  responseMaxBytes: number
  /** The tool-result cache (catalog tools). */
  cache: { enabled: boolean; ttlSeconds: number }
  /** How long an isolate reuses a loaded user, roles and permissions (0: reload every request). */
  principalCacheSeconds: number
  sentry: SentryConfig
  limits: LimitsConfig
  toolSearch: ToolSearchConfig
  confirm: ConfirmConfig
  /**
   * The conformance suite's fixtures (test_simple_text, test://static-text, test_simple_prompt, …) are
   * listed and callable beside the catalogue: `npm run conformance` only, never in production.
   */
  conformanceFixtures: boolean
  /**
   * Test settings of the cache's view of changes made in Superset (src/cache/external-changes.ts):
   * `refreshMs` replaces the built-in refresh interval (the state is re-read synchronously at twice it);
   * `mode: 'fingerprint'` ignores an installed change feed. Refused in production.
   */
  freshnessTest: { refreshMs: number | undefined; mode: 'auto' | 'fingerprint' }
}

/**
 * The names a request's Host may carry (DNS-rebinding protection, src/http hostGuard), and whose
 * Origins are the gateway's own (src/http originGuard).
 */
export interface HostsConfig {
  /** MCP_ALLOWED_HOSTS, and the host of MCP_JWT_AUDIENCE when it is an http(s) URL (clients connect to it). */
  allowed: HostName[]
  /** localhost, 127.0.0.1, [::1] and *.localhost on any port: in development only. */
  loopback: boolean
  /**
   * Nothing to check against (staging or production, MCP_ALLOWED_HOSTS unset, an audience that names no
   * host): every Host passes, as before the allow-list existed, and /health says so with a warning.
   */
  unchecked: boolean
}

/**
 * Confirmation of destructive calls (src/confirm): whether the gateway asks, what a client that cannot
 * answer gets, and the key that signs the request state a confirmation carries.
 */
export interface ConfirmConfig {
  /** MCP_CONFIRM_DESTRUCTIVE: ask before a destructive call (a tenant's limits document may override per tool). */
  destructive: boolean
  /** MCP_CONFIRM_FALLBACK: a client that cannot confirm runs the call unconfirmed (`allow`) or is refused. */
  fallback: RawConfig['MCP_CONFIRM_FALLBACK']
  /**
   * The HMAC key of confirmation states: MCP_CONFIRM_SECRET, or outside production, when unset, one derived
   * from DATABASE_URL (stable across isolates and restarts, never sent anywhere); undefined in production
   * without the secret, which the cross-check allows only while MCP_CONFIRM_DESTRUCTIVE=false.
   */
  secret: string | undefined
}

/** The shortest MCP_CONFIRM_SECRET accepted: as long as the HMAC-SHA256 output (RFC 2104 §3). */
export const CONFIRM_SECRET_MIN_BYTES = 32

/** Superset 6.1's tool search (MCP_TOOL_SEARCH_CONFIG): `tools/list` shows search_tools, call_tool and the pinned tools. */
export interface ToolSearchConfig {
  enabled: boolean
  /** Most tools one search answers with. */
  maxResults: number
  /** Tools listed beside the two search tools (when the caller may use them), left out of search results. */
  alwaysVisible: string[]
  /** Results carry each tool's compact input schema instead of a `parameters_hint`. */
  includeSchemas: boolean
}

/** How SQL reaches the analytics databases (docs/SECURITY.md). */
export interface SqlConfig {
  /** Superset database name → the role every analytics transaction runs as (`SET LOCAL ROLE`). */
  roles: Record<string, string>
  /** Run analytics queries even on a connection whose role is a superuser or can read server files. */
  allowPrivilegedRole: boolean
  /** Superset database name (or "*": every database) → additions to the function allow-list. */
  functions: Record<string, string[]>
}

export interface SentryConfig {
  dsn: string | undefined
  /** SENTRY_ENVIRONMENT, else MCP_ENVIRONMENT. */
  environment: string
  /** Share of error events sent. */
  sampleRate: number
  /** Share of requests sent as transactions (0: none). */
  tracesSampleRate: number
}

export interface LimitsConfig {
  /** What a tool call gets when the RateLimiter Durable Object cannot be reached. */
  failMode: RawConfig['MCP_RATE_LIMIT_FAIL_MODE']
  /** Unauthenticated requests per client IP, per isolate; undefined when "off". */
  ipLimit: LimitRule | undefined
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] }

const DEFAULT_USERNAME_CLAIMS = ['preferred_username', 'username', 'email', 'sub']

const parsed = new WeakMap<object, ConfigResult>()

/** Parses (once per env object, i.e. once per isolate) and reports every problem found. */
export function loadConfig(env: object): ConfigResult {
  let result = parsed.get(env)
  if (result === undefined) {
    result = parse(env)
    parsed.set(env, result)
  }
  return result
}

/** The configuration, or a ConfigurationError naming each bad variable. */
export function requireConfig(env: object): Config {
  return configOrError(loadConfig(env))
}

/** A parse result's configuration, or the ConfigurationError naming each bad variable. */
export function configOrError(result: ConfigResult): Config {
  if (result.ok) return result.config
  throw new GatewayError(
    'ConfigurationError',
    `The gateway is misconfigured: ${result.problems.join('; ')}`,
    {
      details: { problems: result.problems },
    },
  )
}

function parse(env: object): ConfigResult {
  const raw = ConfigSchema.safeParse(pickStrings(env))
  if (!raw.success) {
    return {
      ok: false,
      problems: raw.error.issues.map(
        (issue) => `${issue.path.join('.') || 'configuration'}: ${issue.message}`,
      ),
    }
  }
  // The rules that involve several variables run first, so the configuration built after them can type
  // what they guarantee (an issuer and an audience with authentication, exactly one key source) as given.
  const problems = crossCheck(raw.data)
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: toConfig(raw.data) }
}

/** Only string vars take part; bindings (KV, DO) are objects and are ignored. */
function pickStrings(env: object): Record<string, string> {
  const strings: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') strings[name] = value
  return strings
}

function toConfig(raw: RawConfig): Config {
  return {
    environment: raw.MCP_ENVIRONMENT,
    logLevel: raw.MCP_LOG_LEVEL,
    auth: toAuthConfig(raw),
    allowedOrigins: raw.MCP_ALLOWED_ORIGINS,
    hosts: toHostsConfig(raw),
    maxBodyBytes: raw.MCP_MAX_BODY_BYTES,
    metricsToken: raw.MCP_METRICS_TOKEN,
    database: {
      url: required(raw.DATABASE_URL),
      wsProxy: raw.DATABASE_WS_PROXY,
      wsSecure: raw.DATABASE_WS_SECURE,
      statementTimeoutMs: raw.MCP_DB_STATEMENT_TIMEOUT_MS,
      poolMax: raw.MCP_DB_POOL_MAX,
    },
    analyticsDatabaseUrls: raw.MCP_ANALYTICS_DATABASE_URLS,
    sql: {
      roles: raw.MCP_ANALYTICS_ROLES,
      allowPrivilegedRole: raw.MCP_ALLOW_PRIVILEGED_SQL_ROLE,
      functions: raw.MCP_SQL_FUNCTIONS,
    },
    superset: {
      baseUrl: raw.SUPERSET_WEBSERVER_ADDRESS,
      adminRole: raw.MCP_ADMIN_ROLE,
      dashboardRbac: raw.MCP_DASHBOARD_RBAC,
      rlsInSqlLab: raw.MCP_RLS_IN_SQLLAB,
    },
    responseMaxBytes: raw.MCP_RESPONSE_MAX_BYTES,
    cache: { enabled: raw.MCP_CACHE_ENABLED, ttlSeconds: raw.MCP_CACHE_TTL_SECONDS },
    principalCacheSeconds: raw.MCP_PRINCIPAL_CACHE_SECONDS,
    sentry: {
      dsn: raw.SENTRY_DSN,
      environment: raw.SENTRY_ENVIRONMENT ?? raw.MCP_ENVIRONMENT,
      sampleRate: raw.SENTRY_SAMPLE_RATE,
      tracesSampleRate: raw.SENTRY_TRACES_SAMPLE_RATE,
    },
    limits: { failMode: raw.MCP_RATE_LIMIT_FAIL_MODE, ipLimit: raw.MCP_IP_RATE_LIMIT },
    toolSearch: {
      enabled: raw.MCP_TOOL_SEARCH_ENABLED,
      maxResults: raw.MCP_TOOL_SEARCH_MAX_RESULTS,
      alwaysVisible: raw.MCP_TOOL_SEARCH_ALWAYS_VISIBLE,
      includeSchemas: raw.MCP_TOOL_SEARCH_INCLUDE_SCHEMAS,
    },
    confirm: {
      destructive: raw.MCP_CONFIRM_DESTRUCTIVE,
      fallback: raw.MCP_CONFIRM_FALLBACK,
      secret: confirmSecretOf(raw),
    },
    conformanceFixtures: raw.MCP_CONFORMANCE_FIXTURES,
    freshnessTest: {
      refreshMs: raw.MCP_TEST_FRESHNESS_MS === 0 ? undefined : raw.MCP_TEST_FRESHNESS_MS,
      mode: raw.MCP_TEST_CHANGE_FEED,
    },
  }
}

function toHostsConfig(raw: RawConfig): HostsConfig {
  const allowed = [...raw.MCP_ALLOWED_HOSTS]
  const audience = audienceHost(raw.MCP_JWT_AUDIENCE)
  if (audience !== undefined) allowed.push(audience)
  const loopback = raw.MCP_ENVIRONMENT === 'development'
  return { allowed, loopback, unchecked: !loopback && allowed.length === 0 }
}

/**
 * The host of an audience that is the gateway's URL (RFC 8707, as docs/AUTHENTICATION.md asks): MCP clients
 * connect to exactly that URL, so refusing its host would only ever be a misconfiguration. An audience that
 * is an identifier rather than a URL (Microsoft Entra's application id) names no host.
 */
function audienceHost(audience: string | undefined): HostName | undefined {
  if (audience === undefined || !URL.canParse(audience)) return undefined
  const url = new URL(audience)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  return parseHost(url.host)
}

/**
 * Outside production a missing secret is derived from the metadata database's URL: every isolate and
 * every restart of one deployment agrees on it, and it is as secret as that URL. Production names its own.
 */
function confirmSecretOf(raw: RawConfig): string | undefined {
  if (raw.MCP_CONFIRM_SECRET !== undefined) return raw.MCP_CONFIRM_SECRET
  if (raw.MCP_ENVIRONMENT === 'production') return undefined
  return `superset-mcp-gateway confirmation (${raw.MCP_ENVIRONMENT}): ${required(raw.DATABASE_URL)}`
}

/** A value crossCheck made sure of. */
function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('configuration: a value the cross-check requires is missing')
  return value
}

function toAuthConfig(raw: RawConfig): AuthConfig {
  if (!raw.MCP_AUTH_ENABLED) {
    return {
      enabled: false,
      devUsername: required(raw.MCP_DEV_USERNAME),
      issuer: raw.MCP_JWT_ISSUER,
      requiredScopes: raw.MCP_REQUIRED_SCOPES,
    }
  }
  return {
    enabled: true,
    issuer: required(raw.MCP_JWT_ISSUER),
    audience: required(raw.MCP_JWT_AUDIENCE),
    algorithm: raw.MCP_JWT_ALGORITHM,
    keySource: keySourceOf(raw),
    requiredScopes: raw.MCP_REQUIRED_SCOPES,
    usernameClaims: raw.MCP_USERNAME_CLAIMS.length > 0 ? raw.MCP_USERNAME_CLAIMS : DEFAULT_USERNAME_CLAIMS,
    tenantClaim: raw.MCP_TENANT_CLAIM ?? 'tenant',
  }
}

function keySourceOf(raw: RawConfig): KeySource {
  if (raw.MCP_JWKS_URI !== undefined) return { kind: 'jwks', uri: raw.MCP_JWKS_URI }
  if (raw.MCP_JWT_PUBLIC_KEY !== undefined) return { kind: 'public_key', pem: raw.MCP_JWT_PUBLIC_KEY }
  return { kind: 'secret', secret: required(raw.MCP_JWT_SECRET) }
}

/** Rules that involve more than one variable. */
function crossCheck(raw: RawConfig): string[] {
  const problems: string[] = []
  if (raw.DATABASE_URL === undefined) problems.push('DATABASE_URL: not set (the Superset metadata database)')
  if (raw.MCP_AUTH_ENABLED && raw.MCP_DEV_USERNAME !== undefined) {
    problems.push(
      'MCP_DEV_USERNAME: must not be set when MCP_AUTH_ENABLED=true (it would bypass authentication)',
    )
  }
  if (!raw.MCP_AUTH_ENABLED && raw.MCP_DEV_USERNAME === undefined) {
    problems.push(
      'MCP_DEV_USERNAME: required when MCP_AUTH_ENABLED=false (the Superset user every request acts as)',
    )
  }
  if (raw.MCP_AUTH_ENABLED) problems.push(...checkJwtSettings(raw))
  problems.push(...checkConfirmSettings(raw))
  // Test fixtures answer anyone with canned content: a production gateway refuses to start with them.
  if (raw.MCP_CONFORMANCE_FIXTURES && raw.MCP_ENVIRONMENT === 'production') {
    problems.push(
      'MCP_CONFORMANCE_FIXTURES: must not be true when MCP_ENVIRONMENT=production (test-only fixture tools for the conformance suite)',
    )
  }
  if (
    raw.MCP_ENVIRONMENT === 'production' &&
    (raw.MCP_TEST_FRESHNESS_MS !== 0 || raw.MCP_TEST_CHANGE_FEED !== 'auto')
  ) {
    problems.push(
      'MCP_TEST_FRESHNESS_MS, MCP_TEST_CHANGE_FEED: test-only settings of the cache, must not be set when MCP_ENVIRONMENT=production',
    )
  }
  return problems
}

function checkConfirmSettings(raw: RawConfig): string[] {
  const secret = raw.MCP_CONFIRM_SECRET
  if (secret !== undefined && new TextEncoder().encode(secret).length < CONFIRM_SECRET_MIN_BYTES) {
    return [
      `MCP_CONFIRM_SECRET: needs at least ${CONFIRM_SECRET_MIN_BYTES} bytes (e.g. openssl rand -hex 32)`,
    ]
  }
  if (raw.MCP_ENVIRONMENT === 'production' && raw.MCP_CONFIRM_DESTRUCTIVE && secret === undefined) {
    return [
      'MCP_CONFIRM_SECRET: required in production while MCP_CONFIRM_DESTRUCTIVE=true (the key that signs confirmation requests; `wrangler secret put MCP_CONFIRM_SECRET`)',
    ]
  }
  return []
}

function checkJwtSettings(raw: RawConfig): string[] {
  const problems: string[] = []
  const algorithm = raw.MCP_JWT_ALGORITHM
  const secret = raw.MCP_JWT_SECRET
  const sources = [raw.MCP_JWKS_URI, raw.MCP_JWT_PUBLIC_KEY, secret].filter((source) => source !== undefined)
  if (raw.MCP_JWT_AUDIENCE === undefined) {
    problems.push('MCP_JWT_AUDIENCE: required when MCP_AUTH_ENABLED=true (the canonical MCP URL, RFC 8707)')
  }
  if (raw.MCP_JWT_ISSUER === undefined) problems.push('MCP_JWT_ISSUER: required when MCP_AUTH_ENABLED=true')
  // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
  const minimumSecretBytes = algorithm.startsWith('HS') ? Number(algorithm.slice(2)) / 8 : 0
  if (secret !== undefined && new TextEncoder().encode(secret).length < minimumSecretBytes) {
    problems.push(`MCP_JWT_SECRET: ${algorithm} needs a secret of at least ${minimumSecretBytes} bytes`)
  }
  const pem = raw.MCP_JWT_PUBLIC_KEY?.replaceAll('\\n', '\n').trim()
  if (pem !== undefined && !/^-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
    problems.push(
      'MCP_JWT_PUBLIC_KEY: expected a PEM public key (BEGIN PUBLIC KEY) or certificate (BEGIN CERTIFICATE)',
    )
  }
  if (sources.length !== 1) {
    problems.push('MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY / MCP_JWT_SECRET: set exactly one key source')
  } else if (algorithm.startsWith('HS') !== (secret !== undefined)) {
    problems.push(
      algorithm.startsWith('HS')
        ? `MCP_JWT_SECRET: ${algorithm} needs a shared secret`
        : `MCP_JWT_ALGORITHM: ${algorithm} is asymmetric; use MCP_JWKS_URI or MCP_JWT_PUBLIC_KEY, or an HS* algorithm with MCP_JWT_SECRET`,
    )
  }
  return problems
}
