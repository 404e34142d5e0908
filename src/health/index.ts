/**
 * GET /health: real checks — configuration, a metadata database round trip (and its Superset layout),
 * KV, and the tenants' limit documents — summarised as healthy / degraded / unhealthy.
 */
import { loadConfig, type Config } from '../config'
import { createMetadataDb, sql } from '../db'
import type { Env } from '../env'
import type { Logger } from '../observability'
import { describeError } from '../observability'
import { assertSupportedLayout, readSchemaProfile } from '../superset'
import { GATEWAY_VERSION } from '../version'
import { asGatewayError } from '../errors'
import { limitsHealth } from '../limits'

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
  env: Env,
  log: Logger,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<HealthReport> {
  const parsed = loadConfig(env)
  const checks: Record<string, Check> = {}
  if (!parsed.ok) {
    checks.config = { status: 'error', message: 'Invalid configuration', problems: parsed.problems }
  } else {
    checks.config = { status: 'ok', environment: parsed.config.environment }
    checks.auth = authCheck(parsed.config)
    checks.database = await databaseCheck(parsed.config, log, waitUntil)
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
    return { status: 'ok', latency_ms: latency, layout: profile.layout, revision: profile.revision }
  } catch (err) {
    log.warn('health_database_failed', describeError(err))
    return { status: 'error', message: asGatewayError(err).message, latency_ms: Date.now() - started }
  } finally {
    waitUntil(db.close())
  }
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
