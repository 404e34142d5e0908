/**
 * 2026-07-28 names a call in its headers (`Mcp-Method: tools/call`, `Mcp-Name: <tool>`): the limits count
 * it before the body is read, so a refused call costs no parse, and it is still recorded. Entering through
 * the Worker's fetch with the Worker's real KV (the limits document) and Durable Objects (the counters).
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { BASE, MCP_HEADERS, modernRpc, rpcResult, workerFetch } from '../helpers/mcp'

const MODERN = '2026-07-28'

function modernCall(tool: string, body: string, headerName = tool): Promise<Response> {
  return workerFetch(`${BASE}/mcp`, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': headerName,
    },
    body,
  })
}

const callBody = (tool: string) => modernRpc('tools/call', { name: tool, arguments: {} }).body as string

beforeAll(async () => {
  await env.CONFIG.put(
    'limits:default',
    JSON.stringify({
      default_limits: ['1000 per minute'],
      per_tool_limits: { health_check: '2 per minute' },
    }),
  )
})

describe('limits read from the 2026-07-28 headers, before the body', () => {
  it('counts a call once, and refuses the one over the limit with 429 without reading its body', async () => {
    const first = await modernCall('health_check', callBody('health_check'))
    expect(first.status).toBe(200)
    expect((await rpcResult(first)).result.isError).toBeFalsy()
    // Counted once, not twice (header and call): the second call is still within 2 per minute.
    const second = await modernCall('health_check', callBody('health_check'))
    expect(second.status).toBe(200)
    // Not JSON at all: were it parsed, the answer would be JSON-RPC's -32700.
    const third = await modernCall('health_check', '{"this is not": json')
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await third.json()).toMatchObject({ error_type: 'RateLimitExceeded' })
    await eventually(
      async () =>
        expect(
          await withMetadataDb((db) =>
            db.query<{ outcome: string; error_type: string | null }>(sql`
              SELECT outcome, error_type FROM mcp_gateway.audit_log
               WHERE tool = 'health_check' AND transport = 'mcp' AND occurred_at > now() - interval '1 minute'
               ORDER BY occurred_at`),
          ),
        ).toEqual([
          { outcome: 'success', error_type: null },
          { outcome: 'success', error_type: null },
          { outcome: 'error', error_type: 'RateLimitExceeded' },
        ]),
      { timeout: 5_000, interval: 50 },
    )
  })

  it('leaves call_tool and names the caller has no tool for to the call itself', async () => {
    // Not a tool: the body is read, and the answer is the protocol's own.
    const unknown = await modernCall('drop_everything', '{"this is not": json')
    expect(unknown.status).toBe(400)
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32700)
    const proxied = await modernCall('call_tool', '{"this is not": json')
    expect(proxied.status).toBe(400)
  })
})
