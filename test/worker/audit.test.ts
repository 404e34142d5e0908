/**
 * The audit trail: every tool call, successful or not, becomes one row in mcp_gateway.audit_log, with
 * arguments digested and redacted, handed to the audit queue after the response and inserted by its
 * consumer (or inserted directly when there is no queue, or the queue refuses the records).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  deliverAuditRecords,
  digestArguments,
  redactArguments,
  retryDelaySeconds,
  type AuditRecord,
} from '../../src/audit'
import { sql } from '../../src/db'
import { canonicalJson } from '../../src/digest'
import worker from '../../src/index'
import { collectMetrics, createLogger } from '../../src/observability'
import { withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { BASE, callHttpTool, connectClient, rpc, workerFetch } from '../helpers/mcp'
import { devEnv } from '../helpers/tokens'

function auditRows(requestId: string): Promise<any[]> {
  return withMetadataDb((db) =>
    db.query(sql`SELECT * FROM mcp_gateway.audit_log WHERE request_id = ${requestId} ORDER BY id`),
  )
}

/** Audit rows are written after the response; wait for them. */
function waitForAudit(requestId: string, count: number): Promise<any[]> {
  return eventually(
    async () => {
      const rows = await auditRows(requestId)
      expect(rows.length).toBeGreaterThanOrEqual(count)
      return rows
    },
    { timeout: 5_000, interval: 50 },
  )
}

describe('audit trail', () => {
  it('records a plain-HTTP call with who, what, outcome, latency and rows', async () => {
    const request = { page_size: 3, search: 'Executive KPIs' }
    const sent = Date.now()
    const response = await callHttpTool('list_dashboards', request)
    const received = Date.now()
    expect(response.status).toBe(200)
    const answer = (await response.json()) as any
    expect(answer.count).toBeGreaterThan(0)
    const [row] = await waitForAudit(response.headers.get('x-request-id')!, 1)
    // Who, what, the outcome, and as many rows as the answer listed.
    expect(row).toMatchObject({
      tenant: 'default',
      username: 'admin',
      user_id: 1,
      tool: 'list_dashboards',
      transport: 'http',
      outcome: 'success',
      error_type: null,
      rows_returned: answer.count,
    })
    // Latency: the call's own duration, from when it started, both within the request's round trip.
    expect(Number.isInteger(row.duration_ms)).toBe(true)
    const startedAt = new Date(row.occurred_at).getTime()
    expect(startedAt).toBeGreaterThanOrEqual(sent)
    expect(startedAt + row.duration_ms).toBeLessThanOrEqual(received)
    // What was asked, digested and redacted: free text never stored.
    expect(row.arguments_digest).toBe(await digestArguments({ request }))
    expect(JSON.stringify(row.arguments_redacted)).not.toContain('Executive KPIs')
    expect(row.arguments_redacted).toEqual({ request: { page_size: 3, search: '[redacted]' } })
  })

  it('records failed and unknown calls over MCP, one row each, in the same request', async () => {
    const client = await connectClient()
    const bad = await client.callTool({ name: 'list_charts', arguments: { request: { page_size: 0 } } })
    expect(bad.isError).toBe(true)
    await expect(client.callTool({ name: 'drop_everything', arguments: {} })).rejects.toBeTruthy()
    await client.close()
    // Find this test's rows by tool and error type (each MCP request has its own request id).
    await eventually(
      async () =>
        expect(
          await withMetadataDb((db) =>
            db.query(sql`SELECT tool, transport, outcome, error_type FROM mcp_gateway.audit_log
                          WHERE tool IN ('list_charts', 'drop_everything') AND outcome = 'error' AND transport = 'mcp'`),
          ),
        ).toEqual(
          expect.arrayContaining([
            { tool: 'list_charts', transport: 'mcp', outcome: 'error', error_type: 'ValidationError' },
            { tool: 'drop_everything', transport: 'mcp', outcome: 'error', error_type: 'NotFoundError' },
          ]),
        ),
      { timeout: 5_000, interval: 50 },
    )
  })
})

describe("the caller's trace in the audit trail", () => {
  it('stores the trace id of the traceparent in _meta, else of the HTTP header; none without one', async () => {
    const traceIds = [crypto.randomUUID().replaceAll('-', ''), crypto.randomUUID().replaceAll('-', '')]
    const call = (label: string, headers: Record<string, string>, meta?: Record<string, string>) =>
      workerFetch(
        `${BASE}/mcp`,
        rpc(
          'tools/call',
          { name: 'get_schema', arguments: { request: { model_type: label } }, _meta: meta },
          headers,
        ),
      )
    // The audit rows are handed on once the body has been read, as a client reads it.
    const ok = async (response: Response) => {
      expect(response.status).toBe(200)
      await response.text()
    }
    await ok(await call('chart', { traceparent: `00-${traceIds[0]}-${'a'.repeat(16)}-01` }))
    await ok(
      await call(
        'dataset',
        { traceparent: `00-${'f'.repeat(32)}-${'a'.repeat(16)}-01` },
        { traceparent: `00-${traceIds[1]}-${'b'.repeat(16)}-01` },
      ),
    )
    await ok(await call('database', { traceparent: 'not a traceparent' }))
    await eventually(
      async () => {
        const rows = await withMetadataDb((db) =>
          db.query<{ model: string; trace_id: string | null }>(sql`
            SELECT arguments_redacted #>> '{request,model_type}' AS model, trace_id FROM mcp_gateway.audit_log
             WHERE tool = 'get_schema' AND transport = 'mcp'
               AND (trace_id = ANY(${traceIds}) OR (trace_id IS NULL AND occurred_at > now() - interval '1 minute'))`),
        )
        expect(rows).toEqual(
          expect.arrayContaining([
            { model: 'chart', trace_id: traceIds[0] },
            { model: 'dataset', trace_id: traceIds[1] },
            { model: 'database', trace_id: null },
          ]),
        )
      },
      { timeout: 5_000, interval: 50 },
    )
  })
})

describe('argument redaction and digests', () => {
  it('keeps structure, ids and short identifiers; drops SQL, values and free text', () => {
    expect(
      redactArguments({
        request: {
          identifier: 42,
          sql: 'SELECT * FROM hr.employees',
          filters: [{ col: 'dashboard_title', opr: 'eq', value: 'Payroll 2026' }],
          chart_name: 'A long name somebody typed',
          select_columns: ['id', 'slug'],
        },
      }),
    ).toEqual({
      request: {
        identifier: 42,
        sql: '[redacted]',
        filters: [{ col: 'dashboard_title', opr: 'eq', value: '[redacted]' }],
        chart_name: '[redacted: 26 chars]',
        select_columns: ['id', 'slug'],
      },
    })
  })

  it('digests equal arguments equally, whatever the key order', async () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}')
    expect(await digestArguments({ a: 1, b: 2 })).toBe(await digestArguments({ b: 2, a: 1 }))
    expect(await digestArguments({ a: 1 })).toMatch(/^[0-9a-f]{64}$/)
  })
})

/** A record as the dispatcher makes it, for a test tool name no real call uses. */
function auditRecord(tool: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    recordId: crypto.randomUUID(),
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    requestId: `test-${crypto.randomUUID()}`,
    tenant: 'default',
    userId: 1,
    username: 'admin',
    tool,
    transport: 'http',
    outcome: 'success',
    errorType: null,
    durationMs: 12,
    rowsReturned: 3,
    objectsAffected: null,
    createdIds: {},
    argumentsDigest: 'f'.repeat(64),
    argumentsRedacted: { request: {} },
    confirmation: null,
    traceId: null,
    ...overrides,
  }
}

function rowsForTool(tool: string): Promise<any[]> {
  return withMetadataDb((db) =>
    db.query(sql`SELECT record_id, occurred_at, request_id FROM mcp_gateway.audit_log WHERE tool = ${tool}`),
  )
}

/** Runs the Worker's queue() handler on a batch, as the queue would. */
async function consume(messages: { body: unknown; attempts?: number }[], testEnv = env) {
  const batch = createMessageBatch(
    'superset-mcp-audit',
    messages.map((message, index) => ({
      id: `message-${index}`,
      timestamp: new Date(),
      attempts: message.attempts ?? 1,
      body: message.body,
    })),
  )
  await worker.queue(batch, testEnv)
  return getQueueResult(batch, createExecutionContext())
}

describe('the audit queue consumer', () => {
  it('stores how a call was confirmed, and takes records queued before confirmations existed', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    const { confirmation: _, ...older } = auditRecord(tool)
    const confirmed = auditRecord(tool, { confirmation: 'confirmed' })
    const result = await consume([{ body: older }, { body: confirmed }])
    expect(result.explicitAcks.sort()).toEqual(['message-0', 'message-1'])
    const stored = await withMetadataDb((db) =>
      db.query<any>(sql`SELECT record_id, confirmation FROM mcp_gateway.audit_log WHERE tool = ${tool}`),
    )
    expect(Object.fromEntries(stored.map((row) => [row.record_id, row.confirmation]))).toEqual({
      [older.recordId]: null,
      [confirmed.recordId]: 'confirmed',
    })
  })

  it('inserts a batch once, with the time of the call, however often the queue delivers it', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    const records = [auditRecord(tool), auditRecord(tool)]
    const first = await consume(records.map((body) => ({ body })))
    expect(first.explicitAcks.sort()).toEqual(['message-0', 'message-1'])
    expect(first.retryMessages).toEqual([])
    // At-least-once delivery: the same messages again change nothing.
    const again = await consume(records.map((body) => ({ body, attempts: 2 })))
    expect(again.explicitAcks).toHaveLength(2)
    const rows = await rowsForTool(tool)
    expect(rows.map((row) => row.record_id).sort()).toEqual(records.map((record) => record.recordId).sort())
    expect(new Date(rows[0].occurred_at).getTime()).toBeLessThan(Date.now() - 50_000)
  })

  it('flushes its counts to the metrics aggregator after each batch', async () => {
    // An isolate that only consumes serves no request that would flush: the consumer does it itself.
    const written = async (): Promise<number> => {
      const exposition = await collectMetrics(env.METRICS_AGGREGATOR, 'development')
      return Number(/^mcp_audit_records_total\{result="written"\} (\d+)$/m.exec(exposition)?.[1] ?? 0)
    }
    const before = await written()
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    await consume([{ body: auditRecord(tool) }])
    expect(await written()).toBeGreaterThanOrEqual(before + 1)
  })

  it('acknowledges and logs a message that is not an audit record, and still writes the others', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    const good = auditRecord(tool)
    const result = await consume([
      { body: { ...auditRecord(tool), recordId: 'not-a-uuid' } },
      { body: 'hello' },
      { body: good },
    ])
    expect(result.explicitAcks.sort()).toEqual(['message-0', 'message-1', 'message-2'])
    expect(result.retryMessages).toEqual([])
    expect((await rowsForTool(tool)).map((row) => row.record_id)).toEqual([good.recordId])
  })

  it('retries the whole batch with a growing delay when the database is unreachable, and writes nothing', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    const broken = devEnv({ DATABASE_URL: 'postgres://gateway@127.0.0.1:1/superset' })
    const result = await consume(
      [{ body: auditRecord(tool) }, { body: auditRecord(tool), attempts: 3 }],
      broken,
    )
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages.map((message) => message.msgId)).toEqual(['message-0', 'message-1'])
    expect(retryDelaySeconds(1)).toBe(5)
    expect(retryDelaySeconds(3)).toBe(20)
    expect(retryDelaySeconds(30)).toBe(300)
    expect(await rowsForTool(tool)).toEqual([])
  })
})

describe('audit delivery', () => {
  const log = createLogger('error')

  it('inserts directly when the deployment has no audit queue', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    await withMetadataDb((db) => deliverAuditRecords([auditRecord(tool)], { queue: undefined, db, log }))
    expect(await rowsForTool(tool)).toHaveLength(1)
  })

  it('inserts directly only what the queue did not take when it fails part-way', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    const taken: AuditRecord[] = []
    // Takes one batch of 100, then fails: a second sendBatch over the queue's limits.
    const failingSecond = {
      sendBatch: async (messages: { body: AuditRecord }[]) => {
        if (taken.length > 0) throw new Error('Queue sendBatch failed')
        taken.push(...messages.map((message) => message.body))
      },
    } as unknown as Queue<AuditRecord>
    const records = Array.from({ length: 150 }, () => auditRecord(tool))
    await withMetadataDb((db) => deliverAuditRecords(records, { queue: failingSecond, db, log }))
    expect(taken.map((record) => record.recordId)).toEqual(records.slice(0, 100).map((r) => r.recordId))
    expect((await rowsForTool(tool)).map((row) => row.record_id).sort()).toEqual(
      records
        .slice(100)
        .map((record) => record.recordId)
        .sort(),
    )
  })

  it('inserts directly when the queue refuses the records, so none is lost', async () => {
    const tool = `audit_test_${crypto.randomUUID().slice(0, 8)}`
    const refusing = {
      send: () => Promise.reject(new Error('Queue is unavailable')),
      sendBatch: () => Promise.reject(new Error('Queue sendBatch failed: message too large')),
    } as unknown as Queue<AuditRecord>
    await withMetadataDb((db) =>
      deliverAuditRecords([auditRecord(tool), auditRecord(tool)], { queue: refusing, db, log }),
    )
    expect(await rowsForTool(tool)).toHaveLength(2)
  })
})
