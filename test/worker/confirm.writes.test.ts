/**
 * Confirmation of destructive calls, from the attacker's side (docs/SECURITY.md "Destructive calls"):
 * through the dispatcher as the MCP layer will call it (with canConfirm), and through the Worker's own
 * fetch on the plain-HTTP route (which cannot confirm). Real metadata and analytics databases, real KV
 * (limit documents) and the real RateLimiter Durable Object (nonces); what a call changed is read back from
 * the tables themselves.
 */
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { digestArguments } from '../../src/audit'
import { requireConfig } from '../../src/config'
import { issueConfirmationState } from '../../src/confirm'
import { sql } from '../../src/db'
import { createDispatcher, createRequestScope, type ToolOutcome } from '../../src/dispatch'
import { createLimiter, LimitDocumentStore } from '../../src/limits'
import { createLogger } from '../../src/observability'
import { parseToolRequest, TOOLS } from '../../src/tools'
import { withAnalyticsSuperuser, withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { callTool, devEnv } from '../helpers/tokens'

const TABLE = 'scratch.confirm_probe'
const RELAXED = { default_limits: ['10000 per minute'], per_tool_limits: { execute_sql: '10000 per minute' } }

/** One request through the dispatcher, as a user, with the transport's confirmation options. */
async function dispatch(
  username: string,
  name: string,
  args: unknown,
  options: { canConfirm: boolean; confirmation?: { state: string; accepted: boolean } },
  variables: Record<string, string> = {},
): Promise<{ requestId: string; outcome?: ToolOutcome; error?: any }> {
  // The test's own bindings unless variables change: a new object parses its configuration afresh.
  const testEnv = Object.keys(variables).length === 0 ? env : { ...env, ...variables }
  const config = requireConfig(testEnv)
  const log = createLogger('error')
  const requestId = `confirm-${crypto.randomUUID()}`
  const scope = createRequestScope({
    requestId,
    config,
    log,
    identity: { lookup: { username }, tenant: 'default', method: 'dev_username', scopes: [] },
    transport: 'mcp',
    services: {
      // A store of its own per request: a limits document a test just wrote is read, not a cached one.
      limiter: createLimiter({
        env: testEnv,
        config,
        log,
        waitUntil: () => undefined,
        documents: new LimitDocumentStore(env.CONFIG),
      }),
    },
  })
  try {
    return { requestId, outcome: await createDispatcher(scope).callTool(name, args, options) }
  } catch (error) {
    return { requestId, error }
  } finally {
    await scope.finish()
  }
}

const asking = { canConfirm: true }
const sqlCall = (text: string, extra: Record<string, unknown> = {}) => ({
  request: { database_id: 3, sql: text, ...extra },
})

async function rows(): Promise<number[]> {
  const found = await withAnalyticsSuperuser((db) =>
    db.query<{ n: number }>(sql`SELECT n FROM scratch.confirm_probe ORDER BY n`),
  )
  return found.map((row) => row.n)
}

/** The call's audit row: written at the request's end, or by the audit queue's consumer (plain HTTP). */
function auditOf(requestId: string): Promise<any> {
  return eventually(
    async () => {
      const [row] = await withMetadataDb((db) =>
        db.query<any>(sql`SELECT tool, outcome, error_type, confirmation, objects_affected
                            FROM mcp_gateway.audit_log WHERE request_id = ${requestId}`),
      )
      expect(row).toBeDefined()
      return row
    },
    { timeout: 5_000, interval: 50 },
  )
}

/** Asks, and returns the state the user would be asked with. */
async function stateFor(username: string, name: string, args: unknown): Promise<string> {
  const { outcome, error } = await dispatch(username, name, args, asking)
  expect(error).toBeUndefined()
  expect(outcome?.kind).toBe('confirmation_required')
  return (outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>).state
}

beforeAll(async () => {
  await env.CONFIG.put('limits:default', JSON.stringify(RELAXED))
  // Made by the gateway's own analytics role, as the caller's tables are: a fallback-allowed call.
  const made = await dispatch('admin', 'execute_sql', sqlCall(`CREATE TABLE ${TABLE} (n int)`), {
    canConfirm: false,
  })
  expect(made.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
})
afterAll(async () => {
  await withAnalyticsSuperuser((db) => db.query(sql`DROP TABLE IF EXISTS scratch.confirm_probe`))
})

describe('execute_sql with DML, for a client that can confirm', () => {
  it('asks first and changes nothing, naming what would change', async () => {
    const before = await rows()
    const { outcome, requestId } = await dispatch(
      'admin',
      'execute_sql',
      sqlCall(`INSERT INTO ${TABLE} VALUES (1); UPDATE ${TABLE} SET n = n; SELECT 1`),
      asking,
    )
    expect(outcome).toMatchObject({ kind: 'confirmation_required', state: expect.stringMatching(/^c1\./) })
    const asked = outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>
    // The tables written and each changing statement as it will run: a swapped WHERE clause shows.
    expect(asked.message).toBe(
      'Run 2 SQL statements that change data or tables on database 3 (\uE000scratchpad\uE001): 1 INSERT, 1 UPDATE (and 1 query), ' +
        `writing ${TABLE}:\n  INSERT INTO ${TABLE} VALUES (1)\n  UPDATE ${TABLE} SET n = n`,
    )
    const expires = new Date(asked.expiresAt).getTime()
    expect(expires).toBeGreaterThan(Date.now() + 4 * 60_000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 5 * 60_000)
    expect(await rows()).toEqual(before)
    expect(await auditOf(requestId)).toMatchObject({
      tool: 'execute_sql',
      outcome: 'success',
      confirmation: 'required',
      objects_affected: 0,
    })
  })

  it('runs a confirmed call exactly once; the same state again is refused', async () => {
    const args = sqlCall(`INSERT INTO ${TABLE} VALUES (10)`)
    const state = await stateFor('admin', 'execute_sql', args)
    expect(await rows()).not.toContain(10)
    const confirmed = await dispatch('admin', 'execute_sql', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(confirmed.outcome).toMatchObject({ kind: 'answer', result: { success: true, affected_rows: 1 } })
    expect(await auditOf(confirmed.requestId)).toMatchObject({
      outcome: 'success',
      confirmation: 'confirmed',
    })
    const replay = await dispatch('admin', 'execute_sql', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(replay.error).toMatchObject({
      type: 'ValidationError',
      details: { reason: 'confirmation_state_used' },
    })
    expect((await rows()).filter((n) => n === 10)).toHaveLength(1)
  })

  it('runs once when the same state is sent twice at the same time', async () => {
    const args = sqlCall(`INSERT INTO ${TABLE} VALUES (20)`)
    const state = await stateFor('admin', 'execute_sql', args)
    const attempts = await Promise.all(
      [1, 2, 3].map(() =>
        dispatch('admin', 'execute_sql', args, { canConfirm: true, confirmation: { state, accepted: true } }),
      ),
    )
    expect(attempts.filter((attempt) => attempt.outcome?.kind === 'answer')).toHaveLength(1)
    expect(
      attempts.filter((attempt) => attempt.error?.details?.reason === 'confirmation_state_used'),
    ).toHaveLength(2)
    expect((await rows()).filter((n) => n === 20)).toHaveLength(1)
  })

  it('runs nothing when the user declines, and the declined state cannot be accepted afterwards', async () => {
    const args = sqlCall(`INSERT INTO ${TABLE} VALUES (30)`)
    const state = await stateFor('admin', 'execute_sql', args)
    const declined = await dispatch('admin', 'execute_sql', args, {
      canConfirm: true,
      confirmation: { state, accepted: false },
    })
    expect(declined.outcome).toEqual({
      kind: 'declined',
      message: 'The user declined to confirm this execute_sql call: nothing was run and nothing changed.',
    })
    expect(await auditOf(declined.requestId)).toMatchObject({ outcome: 'success', confirmation: 'declined' })
    const later = await dispatch('admin', 'execute_sql', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(later.error).toMatchObject({ details: { reason: 'confirmation_state_used' } })
    expect(await rows()).not.toContain(30)
  })

  it('refuses a state offered for other arguments, another tool or by another user', async () => {
    const args = sqlCall(`INSERT INTO ${TABLE} VALUES (40)`)
    const state = await stateFor('admin', 'execute_sql', args)
    const confirming = { canConfirm: true, confirmation: { state, accepted: true } }
    const changed = await dispatch('admin', 'execute_sql', sqlCall(`DELETE FROM ${TABLE}`), confirming)
    expect(changed.error).toMatchObject({
      type: 'ValidationError',
      details: { reason: 'confirmation_arguments_changed' },
    })
    const otherTool = await dispatch('admin', 'update_chart', { identifier: 1, chart_name: 'x' }, confirming)
    expect(otherTool.error).toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('issued for execute_sql, not update_chart'),
      details: { reason: 'confirmation_state_other_tool' },
    })
    // bob may run SQL (not on this database): the state is refused before anything looks at it.
    const otherUser = await dispatch('bob', 'execute_sql', args, confirming)
    expect(otherUser.error).toMatchObject({
      type: 'PermissionDeniedError',
      details: { reason: 'confirmation_state_other_caller' },
    })
    expect(await rows()).not.toContain(40)
    // None of the refusals used the state up: the user's own confirmation still runs the call, once.
    const own = await dispatch('admin', 'execute_sql', args, confirming)
    expect(own.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
    expect((await rows()).filter((n) => n === 40)).toHaveLength(1)
  })

  it('refuses a tampered, a forged and an expired state', async () => {
    const args = sqlCall(`INSERT INTO ${TABLE} VALUES (50)`)
    const state = await stateFor('admin', 'execute_sql', args)
    const [version, payload, signature] = state.split('.') as [string, string, string]
    // The payload rewritten for another user, keeping the signature.
    const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')))
    const rewritten = btoa(JSON.stringify({ ...claims, u: 3 }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`
    const binding = {
      tenant: 'default',
      userId: 1,
      tool: 'execute_sql',
      argumentsDigest: await digestArguments(parseToolRequest(executeSql(), args)),
    }
    const forged = await issueConfirmationState(binding, 'not-the-gateway-key-0123456789abcdef')
    const expired = await issueConfirmationState(
      binding,
      requireConfig(env).confirm.secret!,
      Date.now() - 6 * 60_000,
    )
    for (const [label, bad, reason] of [
      [
        'tampered payload',
        `${version}.${rewritten.replace(/=+$/, '')}.${signature}`,
        'confirmation_state_invalid',
      ],
      ['tampered signature', `${version}.${payload}.${flipped}`, 'confirmation_state_invalid'],
      ['not a state', 'hello', 'confirmation_state_invalid'],
      ['signed with another key', forged.state, 'confirmation_state_invalid'],
      ['expired', expired.state, 'confirmation_state_expired'],
    ] as const) {
      const attempt = await dispatch('admin', 'execute_sql', args, {
        canConfirm: true,
        confirmation: { state: bad, accepted: true },
      })
      expect(attempt.error, label).toMatchObject({ type: 'ValidationError', details: { reason } })
    }
    expect(await rows()).not.toContain(50)
    // The state as issued was never the one refused: it still works.
    const own = await dispatch('admin', 'execute_sql', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(own.outcome?.kind).toBe('answer')
  })

  it('asks nothing for queries only, or for a dry run', async () => {
    const select = await dispatch(
      'admin',
      'execute_sql',
      sqlCall(`SELECT count(*) AS c FROM ${TABLE}`),
      asking,
    )
    expect(select.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
    expect((await auditOf(select.requestId)).confirmation).toBeNull()
    const before = await rows()
    const dry = await dispatch(
      'admin',
      'execute_sql',
      sqlCall(`INSERT INTO ${TABLE} VALUES (60)`, { dry_run: true }),
      asking,
    )
    expect(dry.outcome).toMatchObject({ kind: 'answer', result: { success: true, rows: null } })
    expect(await rows()).toEqual(before)
  })

  it('answers a plan that cannot run in-band, before asking', async () => {
    const refused = await dispatch(
      'admin',
      'execute_sql',
      sqlCall('DROP TABLE scratch.confirm_probe'),
      asking,
    )
    expect(refused.outcome).toMatchObject({
      kind: 'answer',
      result: { success: false, error_type: 'failed', error: expect.stringContaining('DROP') },
    })
  })
})

describe('through call_tool (tool search on)', () => {
  it('asks about the tool call_tool names, and a confirmation binds that call however it is sent', async () => {
    const search = { MCP_TOOL_SEARCH_ENABLED: 'true' }
    const inner = sqlCall(`INSERT INTO ${TABLE} VALUES (90)`)
    const viaSearch = { name: 'execute_sql', arguments: inner }
    const asked = await dispatch('admin', 'call_tool', viaSearch, asking, search)
    expect(asked.outcome?.kind).toBe('confirmation_required')
    expect(await auditOf(asked.requestId)).toMatchObject({ tool: 'execute_sql', confirmation: 'required' })
    const state = (asked.outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>).state
    // The flattened spelling of the same request is the same call.
    const confirmed = await dispatch(
      'admin',
      'execute_sql',
      inner.request,
      { canConfirm: true, confirmation: { state, accepted: true } },
      search,
    )
    expect(confirmed.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
    const again = await dispatch(
      'admin',
      'call_tool',
      viaSearch,
      { canConfirm: true, confirmation: { state, accepted: true } },
      search,
    )
    expect(again.error).toMatchObject({ details: { reason: 'confirmation_state_used' } })
    expect((await rows()).filter((n) => n === 90)).toHaveLength(1)
  })
})

describe('update_chart', () => {
  let chartId: number
  const name = async () =>
    (
      await withMetadataDb((db) =>
        db.query<{ slice_name: string }>(sql`SELECT slice_name FROM slices WHERE id = ${chartId}`),
      )
    )[0]!.slice_name
  beforeAll(async () => {
    chartId = await withMetadataDb(async (db) => {
      const [row] = await db.query<{ id: number }>(sql`
        INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_name, viz_type, params,
                            created_by_fk, changed_by_fk, perm, datasource_id, schema_perm, uuid, query_context)
        SELECT now(), now(), 'Confirm probe', datasource_type, datasource_name, viz_type, params, created_by_fk,
               changed_by_fk, perm, datasource_id, schema_perm, gen_random_uuid(), query_context
          FROM slices WHERE id = 2
        RETURNING id`)
      return row!.id
    })
  })
  afterAll(() => withMetadataDb((db) => db.query(sql`DELETE FROM slices WHERE id = ${chartId}`)))

  it('always asks, naming the chart, and renames it once when confirmed', async () => {
    const args = { request: { identifier: chartId, chart_name: 'Confirmed name' } }
    const asked = await dispatch('admin', 'update_chart', args, asking)
    expect(asked.outcome).toMatchObject({
      kind: 'confirmation_required',
      message: `Rename chart ${chartId} (\uE000Confirm probe\uE001) to \uE000Confirmed name\uE001.`,
    })
    expect(await name()).toBe('Confirm probe')
    const state = (asked.outcome as Extract<ToolOutcome, { kind: 'confirmation_required' }>).state
    const confirmed = await dispatch('admin', 'update_chart', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(confirmed.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
    expect(await name()).toBe('Confirmed name')
    const replay = await dispatch('admin', 'update_chart', args, {
      canConfirm: true,
      confirmation: { state, accepted: true },
    })
    expect(replay.error).toMatchObject({ details: { reason: 'confirmation_state_used' } })
    // Another name under the same confirmation is other arguments.
    const state2 = await stateFor('admin', 'update_chart', {
      request: { identifier: chartId, chart_name: 'A' },
    })
    const swapped = await dispatch(
      'admin',
      'update_chart',
      { request: { identifier: chartId, chart_name: 'B' } },
      { canConfirm: true, confirmation: { state: state2, accepted: true } },
    )
    expect(swapped.error).toMatchObject({ details: { reason: 'confirmation_arguments_changed' } })
    expect(await name()).toBe('Confirmed name')
  })

  it('asks about a new definition and the dataset it moves to', async () => {
    const config = { chart_type: 'table', columns: [{ name: 'region' }] }
    const asked = await dispatch(
      'admin',
      'update_chart',
      { request: { identifier: chartId, config, dataset_id: 1, chart_name: 'Moved' } },
      asking,
    )
    expect(asked.outcome).toMatchObject({
      kind: 'confirmation_required',
      message: `Replace the saved definition of chart ${chartId} (\uE000Confirmed name\uE001) and move it to dataset 1, renaming it \uE000Moved\uE001.`,
    })
    expect(await name()).toBe('Confirmed name')
  })
})

describe('clients that cannot confirm (plain HTTP)', () => {
  const http = (variables: Record<string, string>, value: number) =>
    callTool(devEnv(variables), 'execute_sql', undefined, {
      database_id: 3,
      sql: `INSERT INTO ${TABLE} VALUES (${value})`,
    })

  it('runs the call unconfirmed with MCP_CONFIRM_FALLBACK=allow (the default), audited so', async () => {
    const response = await http({}, 70)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ success: true, affected_rows: 1 })
    expect(await rows()).toContain(70)
    expect(await auditOf(response.headers.get('x-request-id')!)).toMatchObject({
      outcome: 'success',
      confirmation: 'unconfirmed',
    })
  })

  it('refuses it with MCP_CONFIRM_FALLBACK=refuse, saying why and how, and changes nothing', async () => {
    const response = await http({ MCP_CONFIRM_FALLBACK: 'refuse' }, 71)
    expect(response.status).toBe(403)
    const body = (await response.json()) as any
    expect(body).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { reason: 'confirmation_unsupported', tool: 'execute_sql' },
    })
    expect(body.error).toContain('MCP_CONFIRM_FALLBACK=allow')
    expect(body.error).toContain('2026-07-28')
    expect(body.error).toContain(
      'Run 1 SQL statement that changes data or tables on database 3 ("scratchpad")',
    )
    expect(await rows()).not.toContain(71)
    expect(await auditOf(response.headers.get('x-request-id')!)).toMatchObject({
      outcome: 'error',
      error_type: 'PermissionDeniedError',
      confirmation: 'required',
    })
    // A query needs no confirmation, so the fallback never applies to it.
    const query = await callTool(devEnv({ MCP_CONFIRM_FALLBACK: 'refuse' }), 'execute_sql', undefined, {
      database_id: 3,
      sql: `SELECT count(*) FROM ${TABLE}`,
    })
    expect(query.status).toBe(200)
  })
})

describe('the policy: MCP_CONFIRM_DESTRUCTIVE and the tenant limits document', () => {
  afterAll(() => env.CONFIG.put('limits:default', JSON.stringify(RELAXED)))

  it('does not ask with MCP_CONFIRM_DESTRUCTIVE=false', async () => {
    const off = await dispatch('admin', 'execute_sql', sqlCall(`INSERT INTO ${TABLE} VALUES (80)`), asking, {
      MCP_CONFIRM_DESTRUCTIVE: 'false',
    })
    expect(off.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
    expect((await auditOf(off.requestId)).confirmation).toBeNull()
    expect(await rows()).toContain(80)
  })

  it('follows the tenant document per tool, both ways', async () => {
    await env.CONFIG.put(
      'limits:default',
      JSON.stringify({ ...RELAXED, confirm: { execute_sql: false, update_chart: true } }),
    )
    const sqlOff = await dispatch('admin', 'execute_sql', sqlCall(`INSERT INTO ${TABLE} VALUES (81)`), asking)
    expect(sqlOff.outcome).toMatchObject({ kind: 'answer', result: { success: true } })
    expect(await rows()).toContain(81)
    // The operator turned confirmation off; the tenant keeps it on for update_chart.
    const chartOn = await dispatch(
      'admin',
      'update_chart',
      { request: { identifier: 2, chart_name: 'Never saved' } },
      asking,
      { MCP_CONFIRM_DESTRUCTIVE: 'false' },
    )
    expect(chartOn.outcome?.kind).toBe('confirmation_required')
    const sqlStillOff = await dispatch(
      'admin',
      'execute_sql',
      sqlCall(`INSERT INTO ${TABLE} VALUES (82)`),
      asking,
      { MCP_CONFIRM_DESTRUCTIVE: 'false' },
    )
    expect(sqlStillOff.outcome?.kind).toBe('answer')
  })
})

function executeSql() {
  return TOOLS.find((tool) => tool.name === 'execute_sql')!
}
