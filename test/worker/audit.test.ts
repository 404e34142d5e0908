/**
 * The audit trail: every tool call, successful or not, becomes one row in mcp_gateway.audit_log, with
 * arguments digested and redacted, written after the response.
 */
import { describe, expect, it } from 'vitest'
import { canonicalJson, digestArguments, redactArguments } from '../../src/audit'
import { sql } from '../../src/db'
import { withMetadataDb } from '../helpers/db'
import { callHttpTool, connectClient } from '../helpers/mcp'

function auditRows(requestId: string): Promise<any[]> {
  return withMetadataDb((db) =>
    db.query(sql`SELECT * FROM mcp_gateway.audit_log WHERE request_id = ${requestId} ORDER BY id`),
  )
}

/** Audit rows are written after the response; wait for them. */
async function waitForAudit(requestId: string, count: number): Promise<any[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const rows = await auditRows(requestId)
    if (rows.length >= count) return rows
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return auditRows(requestId)
}

describe('audit trail', () => {
  it('records a plain-HTTP call with who, what, outcome, latency and rows', async () => {
    const response = await callHttpTool('list_dashboards', { page_size: 3, search: 'secret customer name' })
    expect(response.status).toBe(200)
    const [row] = await waitForAudit(response.headers.get('x-request-id')!, 1)
    expect(row).toMatchObject({
      tenant: 'default',
      username: 'admin',
      user_id: 1,
      tool: 'list_dashboards',
      transport: 'http',
      outcome: 'success',
      error_type: null,
      rows_returned: expect.any(Number),
    })
    expect(row.duration_ms).toBeGreaterThanOrEqual(0)
    expect(row.arguments_digest).toBe(
      await digestArguments({ request: { page_size: 3, search: 'secret customer name' } }),
    )
    expect(JSON.stringify(row.arguments_redacted)).not.toContain('secret customer name')
    expect(row.arguments_redacted).toEqual({ request: { page_size: 3, search: '[redacted]' } })
  })

  it('records failed and unknown calls over MCP, one row each, in the same request', async () => {
    const client = await connectClient()
    const bad = await client.callTool({ name: 'list_charts', arguments: { request: { page_size: 0 } } })
    expect(bad.isError).toBe(true)
    await expect(client.callTool({ name: 'drop_everything', arguments: {} })).rejects.toBeTruthy()
    await client.close()
    // Find this test's rows by tool and error type (each MCP request has its own request id).
    let rows: any[] = []
    for (let attempt = 0; attempt < 50 && rows.length < 2; attempt++) {
      rows = await withMetadataDb((db) =>
        db.query(sql`SELECT tool, transport, outcome, error_type FROM mcp_gateway.audit_log
                      WHERE tool IN ('list_charts', 'drop_everything') AND outcome = 'error' AND transport = 'mcp'`),
      )
      if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(rows).toEqual(
      expect.arrayContaining([
        { tool: 'list_charts', transport: 'mcp', outcome: 'error', error_type: 'ValidationError' },
        { tool: 'drop_everything', transport: 'mcp', outcome: 'error', error_type: 'NotFoundError' },
      ]),
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
