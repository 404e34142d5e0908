/**
 * Configuration, parsed once per isolate from the Worker's vars and secrets. A bad configuration fails
 * loudly and specifically (which variable, why) and never silently weakens anything.
 */
import { GatewayError } from '../errors'
import type { LimitRule } from '../limit-documents'
import { ConfigSchema, type RawConfig } from './schema'

export { JWT_ALGORITHMS, LOG_LEVELS } from './schema'

export type Environment = RawConfig['MCP_ENVIRONMENT']
export type LogLevel = RawConfig['MCP_LOG_LEVEL']
export type JwtAlgorithm = RawConfig['MCP_JWT_ALGORITHM']

export interface AuthConfig {
  enabled: boolean
  devUsername: string | undefined
  issuer: string | undefined
  audience: string | undefined
  algorithm: JwtAlgorithm
  jwksUri: string | undefined
  publicKey: string | undefined
  secret: string | undefined
  requiredScopes: string[]
  usernameClaims: string[]
  tenantClaim: string
}

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
  const result = loadConfig(env)
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
  const config = toConfig(raw.data)
  const problems = crossCheck(config)
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config }
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
    auth: {
      enabled: raw.MCP_AUTH_ENABLED,
      devUsername: raw.MCP_DEV_USERNAME,
      issuer: raw.MCP_JWT_ISSUER,
      audience: raw.MCP_JWT_AUDIENCE,
      algorithm: raw.MCP_JWT_ALGORITHM,
      jwksUri: raw.MCP_JWKS_URI,
      publicKey: raw.MCP_JWT_PUBLIC_KEY,
      secret: raw.MCP_JWT_SECRET,
      requiredScopes: raw.MCP_REQUIRED_SCOPES,
      usernameClaims: raw.MCP_USERNAME_CLAIMS.length > 0 ? raw.MCP_USERNAME_CLAIMS : DEFAULT_USERNAME_CLAIMS,
      tenantClaim: raw.MCP_TENANT_CLAIM ?? 'tenant',
    },
    allowedOrigins: raw.MCP_ALLOWED_ORIGINS,
    maxBodyBytes: raw.MCP_MAX_BODY_BYTES,
    metricsToken: raw.MCP_METRICS_TOKEN,
    database: {
      url: raw.DATABASE_URL ?? '',
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
  }
}

/** Rules that involve more than one variable. */
function crossCheck(config: Config): string[] {
  const problems: string[] = []
  const { auth } = config
  if (config.database.url === '') problems.push('DATABASE_URL: not set (the Superset metadata database)')
  if (auth.enabled && auth.devUsername !== undefined) {
    problems.push(
      'MCP_DEV_USERNAME: must not be set when MCP_AUTH_ENABLED=true (it would bypass authentication)',
    )
  }
  if (!auth.enabled && auth.devUsername === undefined) {
    problems.push(
      'MCP_DEV_USERNAME: required when MCP_AUTH_ENABLED=false (the Superset user every request acts as)',
    )
  }
  if (auth.enabled) problems.push(...checkJwtSettings(auth))
  return problems
}

function checkJwtSettings(auth: AuthConfig): string[] {
  const problems: string[] = []
  const sources = [auth.jwksUri, auth.publicKey, auth.secret].filter((source) => source !== undefined)
  if (auth.audience === undefined) {
    problems.push('MCP_JWT_AUDIENCE: required when MCP_AUTH_ENABLED=true (the canonical MCP URL, RFC 8707)')
  }
  if (auth.issuer === undefined) problems.push('MCP_JWT_ISSUER: required when MCP_AUTH_ENABLED=true')
  // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
  const minimumSecretBytes = auth.algorithm.startsWith('HS') ? Number(auth.algorithm.slice(2)) / 8 : 0
  if (auth.secret !== undefined && new TextEncoder().encode(auth.secret).length < minimumSecretBytes) {
    problems.push(`MCP_JWT_SECRET: ${auth.algorithm} needs a secret of at least ${minimumSecretBytes} bytes`)
  }
  const pem = auth.publicKey?.replaceAll('\\n', '\n').trim()
  if (pem !== undefined && !/^-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
    problems.push(
      'MCP_JWT_PUBLIC_KEY: expected a PEM public key (BEGIN PUBLIC KEY) or certificate (BEGIN CERTIFICATE)',
    )
  }
  if (sources.length !== 1) {
    problems.push('MCP_JWKS_URI / MCP_JWT_PUBLIC_KEY / MCP_JWT_SECRET: set exactly one key source')
  } else if (auth.algorithm.startsWith('HS') !== (auth.secret !== undefined)) {
    problems.push(
      auth.algorithm.startsWith('HS')
        ? `MCP_JWT_SECRET: ${auth.algorithm} needs a shared secret`
        : `MCP_JWT_ALGORITHM: ${auth.algorithm} is asymmetric; use MCP_JWKS_URI or MCP_JWT_PUBLIC_KEY, or an HS* algorithm with MCP_JWT_SECRET`,
    )
  }
  return problems
}
