import * as z from 'zod'
import { BUILT_IN_IP_LIMIT, MAX_TOKEN_BUCKET_COUNT, parseLimit } from '../limit-documents'
import { CALL_TOOL_NAME, SEARCH_TOOL_NAME, TOOL_NAMES } from '../tool-names'
import { parseHost, type HostName } from './hosts'

/** `"true"`/`"false"` (any case, also 1/0, yes/no) as a boolean; empty or absent → the default. */
function flag(defaultValue: boolean) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return defaultValue
      if (['true', '1', 'yes', 'on'].includes(value)) return true
      if (['false', '0', 'no', 'off'].includes(value)) return false
      ctx.addIssue({ code: 'custom', message: `expected "true" or "false", got "${value}"` })
      return z.NEVER
    })
}

/** A number given as a string: `defaultValue` when unset, an issue naming `expected` when `valid` refuses it. */
function numeric(defaultValue: number, valid: (value: number) => boolean, expected: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return defaultValue
      const parsed = Number(value)
      if (!valid(parsed)) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}, got "${value}"` })
        return z.NEVER
      }
      return parsed
    })
}

/** A positive integer given as a string, within bounds. */
function integer(defaultValue: number, min: number, max: number) {
  const valid = (value: number) => Number.isInteger(value) && value >= min && value <= max
  return numeric(defaultValue, valid, `an integer from ${min} to ${max}`)
}

/** A share from 0 to 1 (a sampling rate) given as a string. */
function fraction(defaultValue: number) {
  return numeric(
    defaultValue,
    (value) => Number.isFinite(value) && value >= 0 && value <= 1,
    'a number from 0 to 1',
  )
}

/** Absent and empty are the same thing: unset. */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value))

/** Space- or comma-separated words. */
const wordList = optionalText.transform((value) =>
  value === undefined ? [] : value.split(/[\s,]+/).filter((word) => word.length > 0),
)

/**
 * MCP_ALLOWED_HOSTS: host names with an optional port, comma- or space-separated. A URL or a wildcard is
 * refused rather than read as something narrower or wider than what was meant.
 */
const hostList = wordList.transform((entries, ctx): HostName[] => {
  const hosts: HostName[] = []
  for (const entry of entries) {
    const host = parseHost(entry)
    if (host === undefined || entry.includes('*')) {
      ctx.addIssue({
        code: 'custom',
        message: `expected host names with an optional port (mcp.example.com, mcp.example.com:8443, [::1]), got "${entry}"`,
      })
      return z.NEVER
    }
    hosts.push(host)
  }
  return hosts
})

const url = (what: string) =>
  optionalText.refine((value) => value === undefined || URL.canParse(value), {
    message: `expected an absolute URL (${what})`,
  })

const postgresUrl = optionalText.refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
  message: 'expected a postgres:// or postgresql:// connection string',
})

/** A JSON object given as a string, each value checked by `values`; `shape` describes it in the error. */
function jsonObject<T>(values: z.ZodType<T>, shape: string, meaning: string) {
  return optionalText.transform((value, ctx): Record<string, T> => {
    if (value === undefined) return {}
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a JSON object ${shape}` })
      return z.NEVER
    }
    const result = z.record(z.string().min(1), values).safeParse(parsed)
    if (!result.success) {
      const issue = result.error.issues[0]
      const where = issue === undefined || issue.path.length === 0 ? '' : ` (at ${issue.path.join('.')})`
      ctx.addIssue({ code: 'custom', message: `expected a JSON object ${meaning}${where}` })
      return z.NEVER
    }
    return result.data
  })
}

const analyticsUrls = jsonObject(
  z.string().regex(/^postgres(ql)?:\/\//),
  '{"<Superset database name>": "postgres://…"}',
  'mapping Superset database names to postgres:// connection strings',
)

/**
 * What MCP_SQL_FUNCTIONS may add for a database: `name`, `schema.name`, `schema.*` (functions and types)
 * or an operator symbol. See src/guardrails/policy.ts.
 */
const SQL_NAME = '[A-Za-z_][A-Za-z0-9_$]*'
const SQL_FUNCTION_ENTRY = new RegExp(`^(?:${SQL_NAME}(?:\\.(?:${SQL_NAME}|\\*))?|[+\\-*/<>=~!@#%^&|\`?]+)$`)

const sqlFunctions = jsonObject(
  z.array(z.string().regex(SQL_FUNCTION_ENTRY)),
  '{"<Superset database name or *>": ["name", "schema.name", "schema.*", "<operator>"]}',
  'mapping Superset database names (or "*") to lists of function names ("name", "schema.name", "schema.*") or operator symbols',
)

const analyticsRoles = jsonObject(
  z.string().regex(new RegExp(`^${SQL_NAME}$`)),
  '{"<Superset database name>": "<role>"}',
  'mapping Superset database names to PostgreSQL role names',
)

/** A flask-limiter limit ("300 per minute") for a token bucket, or "off". */
function limitOrOff(defaultValue: string) {
  return optionalText.transform((value, ctx) => {
    const text = value ?? defaultValue
    if (text.toLowerCase() === 'off') return undefined
    const parsed = parseLimit(text, MAX_TOKEN_BUCKET_COUNT)
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: `${parsed.problem}, or "off"` })
      return z.NEVER
    }
    return parsed.rule
  })
}

/**
 * Superset 6.1's pinned tools (MCP_TOOL_SEARCH_CONFIG `always_visible`): names of catalogue tools,
 * space- or comma-separated; unset → 6.1's two; `none` → nothing pinned.
 */
export const DEFAULT_ALWAYS_VISIBLE = ['health_check', 'get_instance_info'] as const

const pinnedTools = optionalText.transform((value, ctx): string[] => {
  if (value === undefined) return [...DEFAULT_ALWAYS_VISIBLE]
  if (value.toLowerCase() === 'none') return []
  const names = [...new Set(value.split(/[\s,]+/).filter((word) => word.length > 0))]
  const unknown = names.filter((name) => !TOOL_NAMES.includes(name))
  if (unknown.length > 0) {
    const meta = unknown.filter((name) => name === SEARCH_TOOL_NAME || name === CALL_TOOL_NAME)
    ctx.addIssue({
      code: 'custom',
      message:
        meta.length > 0
          ? `${meta.join(', ')} ${meta.length > 1 ? 'are' : 'is'} always listed with tool search; name catalogue tools only`
          : `no tool is called ${unknown.map((name) => `"${name}"`).join(', ')} (a list of tool names, or "none")`,
    })
    return z.NEVER
  }
  return names
})

export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
] as const

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const

/** Every variable the gateway reads, by its name in wrangler.toml / `wrangler secret`. */
export const ConfigSchema = z.object({
  MCP_ENVIRONMENT: z.enum(['development', 'staging', 'production']).default('development'),
  MCP_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),

  MCP_AUTH_ENABLED: flag(false),
  MCP_DEV_USERNAME: optionalText,
  MCP_JWT_ISSUER: optionalText,
  MCP_JWT_AUDIENCE: optionalText,
  MCP_JWT_ALGORITHM: z.enum(JWT_ALGORITHMS).default('RS256'),
  MCP_JWKS_URI: url('the identity provider JWKS endpoint'),
  MCP_JWT_PUBLIC_KEY: optionalText,
  MCP_JWT_SECRET: optionalText,
  MCP_REQUIRED_SCOPES: wordList,
  MCP_USERNAME_CLAIMS: wordList,
  MCP_TENANT_CLAIM: optionalText,

  MCP_ALLOWED_ORIGINS: wordList,
  MCP_ALLOWED_HOSTS: hostList,
  MCP_METRICS_TOKEN: optionalText,
  MCP_MAX_BODY_BYTES: integer(1_048_576, 1024, 4_194_304),

  DATABASE_URL: postgresUrl,
  DATABASE_WS_PROXY: optionalText,
  DATABASE_WS_SECURE: flag(true),
  MCP_DB_STATEMENT_TIMEOUT_MS: integer(10_000, 100, 300_000),
  MCP_DB_POOL_MAX: integer(4, 1, 32),
  MCP_ANALYTICS_DATABASE_URLS: analyticsUrls,
  MCP_ANALYTICS_ROLES: analyticsRoles,
  MCP_ALLOW_PRIVILEGED_SQL_ROLE: flag(false),
  MCP_SQL_FUNCTIONS: sqlFunctions,

  SUPERSET_WEBSERVER_ADDRESS: url('the Superset web server').transform((value) =>
    (value ?? 'http://localhost:8088').replace(/\/+$/, ''),
  ),
  MCP_ADMIN_ROLE: optionalText.transform((value) => value ?? 'Admin'),
  MCP_DASHBOARD_RBAC: flag(false),
  MCP_RLS_IN_SQLLAB: flag(false),
  MCP_RESPONSE_MAX_BYTES: integer(50_000, 1_000, 5_000_000),
  MCP_CACHE_ENABLED: flag(true),
  MCP_PRINCIPAL_CACHE_SECONDS: integer(10, 0, 300),
  MCP_CACHE_TTL_SECONDS: integer(300, 1, 86_400),

  // Superset 6.1's MCP_TOOL_SEARCH_CONFIG, with its defaults (src/tool-search).
  MCP_TOOL_SEARCH_ENABLED: flag(true),
  MCP_TOOL_SEARCH_MAX_RESULTS: integer(5, 1, 50),
  MCP_TOOL_SEARCH_ALWAYS_VISIBLE: pinnedTools,
  MCP_TOOL_SEARCH_INCLUDE_SCHEMAS: flag(false),

  // Confirmation of destructive calls (src/confirm, docs/SECURITY.md).
  MCP_CONFIRM_DESTRUCTIVE: flag(true),
  MCP_CONFIRM_FALLBACK: z.enum(['allow', 'refuse']).default('allow'),
  MCP_CONFIRM_SECRET: optionalText,

  SENTRY_DSN: url('the Sentry DSN'),
  SENTRY_ENVIRONMENT: optionalText,
  SENTRY_SAMPLE_RATE: fraction(1),
  SENTRY_TRACES_SAMPLE_RATE: fraction(0),

  MCP_RATE_LIMIT_FAIL_MODE: z.enum(['open', 'closed']).default('open'),
  MCP_IP_RATE_LIMIT: limitOrOff(BUILT_IN_IP_LIMIT),

  // The MCP conformance suite's fixture tools, resources and prompts (src/tools/conformance); test only.
  MCP_CONFORMANCE_FIXTURES: flag(false),
  // How often the cache re-reads what changed in Superset (src/cache/external-changes.ts), in ms, instead
  // of the built-in 20 s / 40 s (0); and reading fingerprints even where the change feed is installed.
  // Test only: refused in production.
  MCP_TEST_FRESHNESS_MS: integer(0, 0, 20_000),
  MCP_TEST_CHANGE_FEED: z.enum(['auto', 'fingerprint']).default('auto'),
})

export type RawConfig = z.infer<typeof ConfigSchema>
