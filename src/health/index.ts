/**
 * GET /health: real checks — configuration, a metadata database round trip (and its Superset layout),
 * KV, and the tenants' limit documents — summarised as healthy / degraded / unhealthy.
 */
import type { Config, ConfigResult } from '../config'
import { createMetadataDb, sql } from '../db'
import type { Logger } from '../observability'
import { assertSupportedLayout, readSchemaProfile } from '../superset'
import { GATEWAY_VERSION } from '../version'
import { asGatewayError, describeError } from '../errors'
import { limitsHealth } from '../limits'
import { analyticsPosture } from '../query'

export type CheckStatus = 'ok' | 'warning' | 'error'

export interface Check {
  status: CheckStatus
  message?: string
  latency_ms?: number
  [extra: string]: unknown
}

export interface HealthReport {
  status: 'healthy' | 'degraded' | 'unhealthy'
  timestamp: string
  version: string
  checks: Record<string, Check>
}

const HEALTH_PROBE_KEY = 'health:probe'

export async function healthReport(
  parsed: ConfigResult,
  env: Env,
  log: Logger,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<HealthReport> {
  const checks: Record<string, Check> = {}
  if (!parsed.ok) {
    checks.config = { status: 'error', message: 'Invalid configuration', problems: parsed.problems }
  } else {
    checks.config = { status: 'ok', environment: parsed.config.environment }
    checks.auth = authCheck(parsed.config)
    checks.hosts = hostsCheck(parsed.config)
    checks.database = await databaseCheck(parsed.config, log, waitUntil)
    checks.analytics = await analyticsCheck(parsed.config, log)
  }
  checks.kv = await kvCheck(env)
  checks.limits = await limitsHealth(env.CONFIG, { log, waitUntil })
  const statuses = Object.values(checks).map((check) => check.status)
  const critical = ['config', 'database'].some((name) => checks[name]?.status === 'error')
  return {
    status: critical ? 'unhealthy' : statuses.some((status) => status !== 'ok') ? 'degraded' : 'healthy',
    timestamp: new Date().toISOString(),
    version: GATEWAY_VERSION,
    checks,
  }
}

function authCheck(config: Config): Check {
  if (config.auth.enabled) return { status: 'ok', mode: 'jwt' }
  if (config.environment === 'production') {
    return {
      status: 'warning',
      mode: 'dev_username',
      message: 'Authentication is disabled in production: every request acts as MCP_DEV_USERNAME.',
    }
  }
  return { status: 'ok', mode: 'dev_username' }
}

/** The Host allow-list has something to check against (src/http/hosts.ts), or says why not. */
function hostsCheck(config: Config): Check {
  if (!config.hosts.unchecked) return { status: 'ok' }
  return {
    status: 'warning',
    message:
      "Every Host is accepted: MCP_ALLOWED_HOSTS is unset and MCP_JWT_AUDIENCE is not the gateway's URL. List the gateway's host names in MCP_ALLOWED_HOSTS.",
  }
}

async function databaseCheck(
  config: Config,
  log: Logger,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Check> {
  const started = Date.now()
  const db = createMetadataDb(config.database, log)
  try {
    await db.query(sql`SELECT 1`)
    const profile = await readSchemaProfile(db)
    const latency = Date.now() - started
    try {
      assertSupportedLayout(profile)
    } catch (err) {
      return {
        status: 'error',
        message: asGatewayError(err).message,
        latency_ms: latency,
        layout: profile.layout,
      }
    }
    return {
      status: 'ok',
      latency_ms: latency,
      layout: profile.layout,
      revision: profile.revision,
      // How the cache learns of changes made in Superset (docs/storage.md, "Freshness").
      change_feed: profile.changeFeed ? 'installed' : 'not installed (fingerprints)',
    }
  } catch (err) {
    log.warn('health_database_failed', describeError(err))
    return { status: 'error', message: asGatewayError(err).message, latency_ms: Date.now() - started }
  } finally {
    waitUntil(db.close())
  }
}

/**
 * The role each analytics connection runs as, and whether it has privileges the gateway refuses to
 * run queries with (docs/SECURITY.md, "Least privilege"). Not critical: catalog tools keep working.
 */
async function analyticsCheck(config: Config, log: Logger): Promise<Check> {
  const postures = await analyticsPosture(config, log)
  if (postures.length === 0) return { status: 'ok', databases: {} }
  const databases: Record<string, Record<string, unknown>> = {}
  let status: CheckStatus = 'ok'
  const worse = (next: CheckStatus) => {
    if (next === 'error' || (next === 'warning' && status === 'ok')) status = next
  }
  for (const { database, report, problem } of postures) {
    if (report === undefined) {
      databases[database] = {
        status: 'warning',
        message: `Could not check the connection: ${problem ?? 'unknown'}`,
      }
      worse('warning')
      continue
    }
    const privileged = report.privileges.length > 0
    const entryStatus: CheckStatus = !privileged ? 'ok' : config.sql.allowPrivilegedRole ? 'warning' : 'error'
    worse(entryStatus)
    databases[database] = {
      status: entryStatus,
      role: report.currentUser,
      session_user: report.sessionUser,
      ...(report.setRole === undefined ? {} : { set_role: report.setRole }),
      privileged,
      temp_file_limit: report.tempFileLimit,
      ...(privileged
        ? {
            privileges: report.privileges,
            message: config.sql.allowPrivilegedRole
              ? 'The connection is privileged; MCP_ALLOW_PRIVILEGED_SQL_ROLE=true lets queries run anyway.'
              : 'The connection is privileged: chart data, previews and execute_sql are refused until it runs as a least-privilege role.',
          }
        : {}),
    }
  }
  return { status, databases }
}

async function kvCheck(env: Env): Promise<Check> {
  const started = Date.now()
  try {
    await env.CONFIG.get(HEALTH_PROBE_KEY)
    await env.CACHE.get(HEALTH_PROBE_KEY)
    return { status: 'ok', latency_ms: Date.now() - started }
  } catch (err) {
    return {
      status: 'error',
      message: `KV unavailable: ${err instanceof Error ? err.name : 'error'}`,
      latency_ms: Date.now() - started,
    }
  }
}
