/**
 * Limit documents in real KV deciding real RateLimiter objects: tenant documents, limits:default and the
 * built-in defaults, per-user overrides, an invalid document keeping the last valid one (in this
 * isolate and in a cold one), the staleness bound, and the /health check.
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Admission, CallSubject } from '../../src/limits'
import { createLimiter, DOCUMENT_MAX_AGE_MS, LimitDocumentStore } from '../../src/limits'
import { createLogger } from '../../src/observability'
import { BASE, workerFetch } from '../helpers/mcp'

/** One isolate's view: its own document cache and clock; KV writes it leaves for after the response. */
function isolate(startMs = Date.now()) {
  const pending: Promise<unknown>[] = []
  const logLines: Record<string, unknown>[] = []
  const clock = { now: startMs }
  const log = createLogger('debug', {}, (line) => logLines.push(JSON.parse(line)))
  const documents = new LimitDocumentStore(env.CONFIG, () => clock.now)
  const limiter = createLimiter({
    env,
    config: { limits: { failMode: 'open', ipLimit: undefined } },
    log,
    waitUntil: (promise) => pending.push(promise),
    documents,
  })
  return {
    limiter,
    documents,
    logLines,
    io: { log, waitUntil: (promise: Promise<unknown>) => pending.push(promise) },
    advance: (ms: number) => (clock.now += ms),
    /** Lets the writes a response would have left to waitUntil finish. */
    settle: async () => void (await Promise.all(pending.splice(0))),
  }
}

let nextUserId = 1000
/** A fresh user (own RateLimiter object) of a tenant. */
function caller(tenant: string, username = `user${nextUserId}`) {
  const userId = nextUserId++
  return (tool: string): CallSubject => ({ tenant, userId, username, tool })
}

async function admitTimes(limiter: ReturnType<typeof isolate>['limiter'], call: CallSubject, times: number) {
  const admissions: Admission[] = []
  for (let i = 0; i < times; i++) admissions.push(await limiter.admit(call))
  return admissions
}

const allowedCount = (admissions: Admission[]) => admissions.filter((admission) => admission.allowed).length

async function putDocument(tenant: string, document: unknown): Promise<void> {
  await env.CONFIG.put(`limits:${tenant}`, typeof document === 'string' ? document : JSON.stringify(document))
}

// The first call of a test file starts the RateLimiter's module in workerd under vitest (seconds, not
// the milliseconds of a deployed Worker), which can outlast the limiter's 3 s timeout and make the call
// fail open; the tests here are about which limits apply, so they start from a running limiter.
beforeAll(async () => {
  await env.RATE_LIMITER.getByName('warm-up').consume([])
})

afterEach(async () => {
  const { keys } = await env.CONFIG.list()
  await Promise.all(keys.map((key) => env.CONFIG.delete(key.name)))
})

describe('which limits apply', () => {
  it('uses the built-in defaults when neither the tenant nor limits:default has a document', async () => {
    const { limiter } = isolate()
    const sql = caller('initech')('execute_sql')
    const admissions = await admitTimes(limiter, sql, 11)
    expect(allowedCount(admissions)).toBe(10)
    expect(admissions[0]?.headers['RateLimit-Policy']).toBe(
      '"user-minute";q=100;w=60, "user-hour";q=1000;w=3600, "tool";q=10;w=60',
    )
    expect(admissions[0]?.headers.RateLimit).toBe('"tool";r=9;t=60')
    const refused = admissions[10]
    expect(refused?.allowed).toBe(false)
    if (refused?.allowed !== false) return
    expect(refused.error).toMatchObject({
      type: 'RateLimitExceeded',
      details: { limit: '10 per minute', scope: 'tool', tool: 'execute_sql', retry_after_seconds: 60 },
    })
    expect(refused.error.message).toBe(
      'Rate limit exceeded: execute_sql allows 10 per minute. Retry after 60 seconds.',
    )
    expect(refused.headers).toMatchObject({ 'Retry-After': '60', RateLimit: '"tool";r=0;t=60' })
  })

  it("applies the tenant's per-tool limit and keeps every other limit from below", async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '3 per minute' } })
    const { limiter } = isolate()
    const alice = caller('acme', 'alice')
    expect(allowedCount(await admitTimes(limiter, alice('execute_sql'), 4))).toBe(3)
    const other = await limiter.admit(alice('list_charts'))
    expect(other).toMatchObject({ allowed: true })
    expect(other.headers['RateLimit-Policy']).toBe(
      '"user-minute";q=100;w=60, "user-hour";q=1000;w=3600, "tool";q=100;w=60',
    )
    // Another user of the same tenant has their own counts.
    expect(allowedCount(await admitTimes(limiter, caller('acme', 'bob')('execute_sql'), 3))).toBe(3)
  })

  it('falls back to limits:default for tenants without a document, field by field', async () => {
    await putDocument('default', {
      default_limits: ['4 per minute'],
      per_tool_limits: { list_charts: '2 per minute' },
    })
    await putDocument('hooli', { per_tool_limits: { list_charts: '5 per minute' } })
    const { limiter } = isolate()
    // No document: limits:default entirely.
    expect(allowedCount(await admitTimes(limiter, caller('globex')('list_charts'), 3))).toBe(2)
    // Own per-tool limit, user-wide limit from limits:default.
    const hooli = await admitTimes(limiter, caller('hooli')('list_charts'), 5)
    expect(allowedCount(hooli)).toBe(4)
    expect(hooli[4]).toMatchObject({
      allowed: false,
      error: { details: { scope: 'user', limit: '4 per minute' } },
    })
  })

  it('applies per-user overrides to that user of that tenant only', async () => {
    await putDocument('acme', {
      per_tool_limits: { list_charts: '5 per minute' },
      users: { alice: { default_limits: ['2 per minute'], per_tool_limits: { execute_sql: '1 per hour' } } },
    })
    await putDocument('default', { users: { carol: { default_limits: ['1 per minute'] } } })
    const { limiter } = isolate()
    const alice = caller('acme', 'alice')
    expect(allowedCount(await admitTimes(limiter, alice('execute_sql'), 2))).toBe(1)
    // The allowed execute_sql call used one of alice's two user-wide calls; one is left.
    expect(await limiter.admit(alice('list_charts'))).toMatchObject({ allowed: true })
    expect(await limiter.admit(alice('list_charts'))).toMatchObject({
      allowed: false,
      error: { details: { scope: 'user', limit: '2 per minute' } },
    })
    expect(allowedCount(await admitTimes(limiter, caller('acme', 'bob')('list_charts'), 6))).toBe(5)
    // Users in limits:default are the default tenant's users, not every tenant's.
    expect(allowedCount(await admitTimes(limiter, caller('acme', 'carol')('list_charts'), 2))).toBe(2)
    expect(allowedCount(await admitTimes(limiter, caller('default', 'carol')('list_charts'), 2))).toBe(1)
  })

  it('counts 50 concurrent calls against a document limit of 20 exactly', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '20 per minute' } })
    const { limiter } = isolate()
    const sql = caller('acme')('execute_sql')
    const admissions = await Promise.all(Array.from({ length: 50 }, () => limiter.admit(sql)))
    expect(allowedCount(admissions)).toBe(20)
  })
})

describe('editing documents', () => {
  it('takes an edit into account once the cached copy is older than 30 seconds, not before', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '1 per minute' } })
    const view = isolate()
    expect(await view.documents.documentsFor('acme', view.io)).toMatchObject({
      own: { per_tool_limits: { execute_sql: [{ text: '1 per minute' }] } },
    })
    await putDocument('acme', { per_tool_limits: { execute_sql: '7 per minute' } })
    view.advance(DOCUMENT_MAX_AGE_MS - 1)
    const cached = await view.documents.documentsFor('acme', view.io)
    expect(cached.own?.per_tool_limits?.execute_sql?.[0]?.text).toBe('1 per minute')
    view.advance(1)
    const fresh = await view.documents.documentsFor('acme', view.io)
    expect(fresh.own?.per_tool_limits?.execute_sql?.[0]?.text).toBe('7 per minute')
  })

  it('keeps the last valid document in force when the stored one becomes invalid', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '2 per minute' } })
    const view = isolate()
    const sql = caller('acme')('execute_sql')
    expect(await view.limiter.admit(sql)).toMatchObject({ allowed: true })
    await putDocument('acme', { per_tool_limits: { execute_sql: '2 per fortnight' } })
    view.advance(DOCUMENT_MAX_AGE_MS)
    const admissions = await admitTimes(view.limiter, sql, 2)
    expect(admissions.map((admission) => admission.allowed)).toEqual([true, false])
    expect((await view.documents.state('acme', view.io)).problem).toBe(
      'limits:acme is invalid (per_tool_limits.execute_sql: "2 per fortnight" has an unknown unit "fortnight"; use second, minute, hour or day); the last valid document stays in force',
    )
    expect(view.logLines).toContainEqual(
      expect.objectContaining({ level: 'warn', event: 'limits_document_invalid', tenant: 'acme' }),
    )
  })

  it('keeps the last valid document in force in a cold isolate too (the copy kept in KV)', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '2 per minute' } })
    const warm = isolate()
    await warm.documents.documentsFor('acme', warm.io)
    await warm.settle()
    await putDocument('acme', '{"per_tool_limits": {"execute_sql": "2 per minute",}}')
    const cold = isolate()
    const sql = caller('acme')('execute_sql')
    expect((await admitTimes(cold.limiter, sql, 3)).map((admission) => admission.allowed)).toEqual([
      true,
      true,
      false,
    ])
    expect((await cold.documents.state('acme', cold.io)).problem).toMatch(
      /^limits:acme is invalid \(not valid JSON: /,
    )
  })

  it('never lets an invalid document loosen limits: without a valid one, the fallback stays in force', async () => {
    await putDocument('acme', {
      per_tool_limits: { execute_sql: '1000 per minute' },
      default_limit: ['5 per day'],
    })
    const view = isolate()
    expect(allowedCount(await admitTimes(view.limiter, caller('acme')('execute_sql'), 11))).toBe(10)
    expect((await view.documents.state('acme', view.io)).problem).toBe(
      'limits:acme is invalid (default_limit: unknown field; the fields are default_limits, per_tool_limits, users, confirm); limits:default and the built-in defaults stay in force',
    )
  })

  it('falls back when a document is deleted, and forgets its last valid copy', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '2 per minute' } })
    const view = isolate()
    await view.documents.documentsFor('acme', view.io)
    await view.settle()
    expect(await env.CONFIG.get('v1:limits-last-valid:acme')).not.toBeNull()
    await env.CONFIG.delete('limits:acme')
    view.advance(DOCUMENT_MAX_AGE_MS)
    expect(await view.documents.documentsFor('acme', view.io)).toEqual({
      own: undefined,
      fallback: undefined,
    })
    await view.settle()
    expect(await env.CONFIG.get('v1:limits-last-valid:acme')).toBeNull()
  })
})

describe('/health', () => {
  it('names the tenant and the problem of an invalid document in a limits warning', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '3 per minute' } })
    await putDocument('badco', { default_limits: [] })
    const response = await workerFetch(`${BASE}/health`)
    const body = (await response.json()) as any
    expect(body.status).toBe('degraded')
    expect(body.checks.limits).toMatchObject({
      status: 'warning',
      documents: 2,
      problems: [
        {
          tenant: 'badco',
          problem:
            'limits:badco is invalid (default_limits: needs at least one limit (set a high one to loosen)); limits:default and the built-in defaults stay in force',
        },
      ],
    })
    expect(body.checks.limits.message).toContain('tenant "badco"')
  })

  it('reports ok while every document is valid', async () => {
    await putDocument('acme', { per_tool_limits: { execute_sql: '3 per minute' } })
    const body = (await (await workerFetch(`${BASE}/health`)).json()) as any
    expect(body.checks.limits).toEqual({ status: 'ok', documents: 1 })
  })
})
