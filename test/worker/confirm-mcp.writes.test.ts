/**
 * Confirmation of destructive calls on the MCP wire (src/mcp/confirmation.ts, docs/SECURITY.md
 * "Destructive calls run only once confirmed"): real 2026-07-28 requests and 2025 clients through the
 * Worker's fetch, the real RateLimiter Durable Object (nonces), the analytics table read back to see what
 * a call changed, and the audit rows.
 */
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../../src/mcp/untrusted'
import { withAnalyticsSuperuser, withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { BASE, modernRpc, rpc, rpcResult } from '../helpers/mcp'
import { callTool, devEnv, gatewayFetch } from '../helpers/tokens'

const MODERN = '2026-07-28'
const TABLE = 'scratch.confirm_mcp_probe'
const RELAXED = { default_limits: ['10000 per minute'], per_tool_limits: { execute_sql: '10000 per minute' } }
const ELICITATION = { elicitation: { form: {} } }

const allowing = gatewayFetch(devEnv())
const refusing = gatewayFetch(devEnv({ MCP_CONFIRM_FALLBACK: 'refuse' }))

interface ModernCall {
  capabilities?: Record<string, unknown>
  inputResponses?: unknown
  requestState?: string
}

/** A 2026-07-28 tools/call: the `_meta` envelope, the standard headers, and a retry's MRTR fields. */
function modernCall(name: string, args: unknown, call: ModernCall = {}): RequestInit {
  return modernRpc(
    'tools/call',
    {
      name,
      arguments: args,
      ...(call.inputResponses === undefined ? {} : { inputResponses: call.inputResponses }),
      ...(call.requestState === undefined ? {} : { requestState: call.requestState }),
    },
    {
      client: 'confirm-tests',
      ...(call.capabilities === undefined ? {} : { capabilities: call.capabilities }),
    },
  )
}

interface Answer {
  requestId: string
  result?: any
  error?: { code: number; message: string; data?: any }
}

async function send(
  init: RequestInit,
  fetcher: (input: string, init: RequestInit) => Promise<Response> = allowing,
): Promise<Answer> {
  const response = await fetcher(`${BASE}/mcp`, init)
  return { requestId: response.headers.get('x-request-id')!, ...(await rpcResult(response)) }
}

const insert = (value: number) => ({
  request: { database_id: 3, sql: `INSERT INTO ${TABLE} VALUES (${value})` },
})
const accept = (confirm: unknown = true) => ({ confirm: { action: 'accept', content: { confirm } } })

/** Asks with a client that declares elicitation; returns the input-required result. */
async function ask(value: number): Promise<any> {
  const { result, error } = await send(
    modernCall('execute_sql', insert(value), { capabilities: ELICITATION }),
  )
  expect(error).toBeUndefined()
  expect(result.resultType).toBe('input_required')
  return result
}

async function rows(): Promise<number[]> {
  const found = await withAnalyticsSuperuser((db) =>
    db.query<{ n: number }>(sql`SELECT n FROM scratch.confirm_mcp_probe ORDER BY n`),
  )
  return found.map((row) => row.n)
}

function auditOf(requestId: string): Promise<any> {
  return eventually(
    async () => {
      const [row] = await withMetadataDb((db) =>
        db.query<any>(sql`SELECT tool, outcome, error_type, confirmation
                            FROM mcp_gateway.audit_log WHERE request_id = ${requestId}`),
      )
      expect(row).toBeDefined()
      return row
    },
    { timeout: 5_000, interval: 50 },
  )
}

beforeAll(async () => {
  await env.CONFIG.put('limits:default', JSON.stringify(RELAXED))
  // Made by the gateway's own analytics role, as the caller's tables are (plain HTTP: the fallback allows).
  const made = await callTool(devEnv(), 'execute_sql', undefined, {
    database_id: 3,
    sql: `CREATE TABLE ${TABLE} (n int)`,
  })
  expect(made.status).toBe(200)
})
afterAll(async () => {
  await withAnalyticsSuperuser((db) => db.query(sql`DROP TABLE IF EXISTS scratch.confirm_mcp_probe`))
})

describe('2026-07-28, a client that declares elicitation', () => {
  it('answers DML with an input-required result asking the user, and changes nothing', async () => {
    const before = await rows()
    const { result, requestId } = await send(
      modernCall('execute_sql', insert(1), { capabilities: ELICITATION }),
    )
    expect(result).toMatchObject({
      resultType: 'input_required',
      requestState: expect.stringMatching(/^c1\.[\w-]+\.[\w-]+$/),
      inputRequests: {
        confirm: {
          method: 'elicitation/create',
          params: {
            mode: 'form',
            // The database's name is user-written: marked as in error text.
            message: `Run 1 SQL statement that changes data or tables on database 3 (${UNTRUSTED_OPEN}scratchpad${UNTRUSTED_CLOSE}): 1 INSERT, writing ${TABLE}:\n  INSERT INTO ${TABLE} VALUES (1)`,
            requestedSchema: {
              type: 'object',
              properties: { confirm: { type: 'boolean', default: false } },
              required: ['confirm'],
            },
          },
        },
      },
    })
    expect(result).not.toHaveProperty('isError')
    expect(await rows()).toEqual(before)
    expect(await auditOf(requestId)).toMatchObject({ outcome: 'success', confirmation: 'required' })
  })

  it('runs the confirmed retry once; the same retry again is refused', async () => {
    const asked = await ask(10)
    const retry = () =>
      send(
        modernCall('execute_sql', insert(10), {
          capabilities: ELICITATION,
          inputResponses: accept(),
          requestState: asked.requestState,
        }),
      )
    const confirmed = await retry()
    expect(confirmed.result).toMatchObject({
      resultType: 'complete',
      structuredContent: { success: true, affected_rows: 1 },
    })
    expect(confirmed.result.isError).toBeFalsy()
    expect(await auditOf(confirmed.requestId)).toMatchObject({
      outcome: 'success',
      confirmation: 'confirmed',
    })
    const replay = await retry()
    expect(replay.error).toMatchObject({
      code: -32602,
      data: { error_type: 'ValidationError', details: { reason: 'confirmation_state_used' } },
    })
    expect(replay.error?.message).toContain('already been used')
    expect((await rows()).filter((n) => n === 10)).toHaveLength(1)
  })

  it('answers a declined, a dismissed or a "no" answer as a non-error result saying nothing ran', async () => {
    for (const [value, inputResponses] of [
      [20, { confirm: { action: 'decline' } }],
      [21, { confirm: { action: 'cancel' } }],
      [22, accept(false)],
    ] as const) {
      const asked = await ask(value)
      const declined = await send(
        modernCall('execute_sql', insert(value), {
          capabilities: ELICITATION,
          inputResponses,
          requestState: asked.requestState,
        }),
      )
      expect(declined.result, JSON.stringify(inputResponses)).toMatchObject({
        resultType: 'complete',
        structuredContent: {
          confirmation: 'declined',
          message: 'The user declined to confirm this execute_sql call: nothing was run and nothing changed.',
        },
      })
      expect(declined.result.isError).toBeFalsy()
      expect(JSON.parse(declined.result.content[0].text)).toEqual(declined.result.structuredContent)
      expect(await auditOf(declined.requestId)).toMatchObject({
        outcome: 'success',
        confirmation: 'declined',
      })
      // The declined state is used up: accepting it afterwards runs nothing.
      const later = await send(
        modernCall('execute_sql', insert(value), {
          capabilities: ELICITATION,
          inputResponses: accept(),
          requestState: asked.requestState,
        }),
      )
      expect(later.error?.data?.details?.reason).toBe('confirmation_state_used')
    }
    expect((await rows()).some((n) => n >= 20 && n <= 22)).toBe(false)
  })

  it('refuses a tampered or foreign request state, for other arguments, and runs nothing', async () => {
    const asked = await ask(30)
    const [version, payload, signature] = (asked.requestState as string).split('.') as [
      string,
      string,
      string,
    ]
    const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')))
    const rewritten = btoa(JSON.stringify({ ...claims, exp: claims.exp + 3_600_000 }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '')
    for (const [label, state, args, reason] of [
      [
        'signature kept, payload changed',
        `${version}.${rewritten}.${signature}`,
        insert(30),
        'confirmation_state_invalid',
      ],
      ['suffix', `${asked.requestState}-TAMPERED`, insert(30), 'confirmation_state_invalid'],
      ['not a state', 'hello', insert(30), 'confirmation_state_invalid'],
      ['other arguments', asked.requestState, insert(31), 'confirmation_arguments_changed'],
    ] as const) {
      const attempt = await send(
        modernCall('execute_sql', args, {
          capabilities: ELICITATION,
          inputResponses: accept(),
          requestState: state,
        }),
      )
      expect(attempt.error, label).toMatchObject({ code: -32602, data: { details: { reason } } })
    }
    expect((await rows()).some((n) => n === 30 || n === 31)).toBe(false)
    // None of those used the state up: the user's own confirmation still runs the call, once.
    const own = await send(
      modernCall('execute_sql', insert(30), {
        capabilities: ELICITATION,
        inputResponses: accept(),
        requestState: asked.requestState,
      }),
    )
    expect(own.result?.structuredContent).toMatchObject({ success: true, affected_rows: 1 })
    expect((await rows()).filter((n) => n === 30)).toHaveLength(1)
  })

  it('asks again when the retry carries no usable answer, or an answer without the state', async () => {
    const asked = await ask(40)
    for (const [label, call] of [
      ['no answer', { requestState: asked.requestState }],
      ['another key', { requestState: asked.requestState, inputResponses: { other: accept().confirm } }],
      [
        'no confirm field',
        { requestState: asked.requestState, inputResponses: { confirm: { action: 'accept', content: {} } } },
      ],
      ['an answer without the state', { inputResponses: accept() }],
    ] as const) {
      const again = await send(modernCall('execute_sql', insert(40), { capabilities: ELICITATION, ...call }))
      expect(again.result, label).toMatchObject({
        resultType: 'input_required',
        inputRequests: { confirm: { method: 'elicitation/create' } },
      })
      expect(again.result.requestState, label).not.toBe(asked.requestState)
    }
    expect(await rows()).not.toContain(40)
  })

  it('asks nothing for a query', async () => {
    const query = await send(
      modernCall(
        'execute_sql',
        { request: { database_id: 3, sql: `SELECT count(*) AS c FROM ${TABLE}` } },
        { capabilities: ELICITATION },
      ),
    )
    expect(query.result).toMatchObject({ resultType: 'complete', structuredContent: { success: true } })
  })
})

describe('the v2 SDK client, which fulfils input requests itself', () => {
  async function connect(answer: { action: 'accept' | 'decline'; content?: Record<string, boolean> }) {
    const asked: string[] = []
    const client = new ClientV2(
      { name: 'confirm-tests-v2', version: '1.0.0' },
      { capabilities: ELICITATION, versionNegotiation: { mode: 'auto' } },
    )
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push((request.params as { message: string }).message)
      return answer
    })
    await client.connect(new TransportV2(new URL(`${BASE}/mcp`), { fetch: allowing }))
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN)
    return { client, asked }
  }

  it('shows the user the question and runs the call once when they confirm', async () => {
    const { client, asked } = await connect({ action: 'accept', content: { confirm: true } })
    try {
      const result = await client.callTool({ name: 'execute_sql', arguments: insert(50) })
      expect(result.isError).toBeFalsy()
      expect(result.structuredContent).toMatchObject({ success: true, affected_rows: 1 })
      expect(asked).toHaveLength(1)
      expect(asked[0]).toContain('1 INSERT')
    } finally {
      await client.close()
    }
    expect((await rows()).filter((n) => n === 50)).toHaveLength(1)
  })

  it('gets a declined answer that its own output-schema check accepts', async () => {
    const { client } = await connect({ action: 'decline' })
    try {
      await client.listTools() // the client checks structured content against the listed output schema
      const result = await client.callTool({ name: 'execute_sql', arguments: insert(51) })
      expect(result.isError).toBeFalsy()
      expect(result.structuredContent).toMatchObject({ confirmation: 'declined' })
    } finally {
      await client.close()
    }
    expect(await rows()).not.toContain(51)
  })
})

describe('clients that cannot be asked follow MCP_CONFIRM_FALLBACK', () => {
  it('2026-07-28 without elicitation: allow runs it, audited unconfirmed; refuse answers an error', async () => {
    const allowed = await send(modernCall('execute_sql', insert(60)))
    expect(allowed.result).toMatchObject({ resultType: 'complete', structuredContent: { affected_rows: 1 } })
    expect(await auditOf(allowed.requestId)).toMatchObject({
      outcome: 'success',
      confirmation: 'unconfirmed',
    })
    // A declaration of URL elicitation only is no form to ask with.
    const urlOnly = await send(
      modernCall('execute_sql', insert(61), { capabilities: { elicitation: { url: {} } } }),
    )
    expect(urlOnly.result?.resultType).toBe('complete')
    const refused = await send(modernCall('execute_sql', insert(62)), refusing)
    expect(refused.result).toMatchObject({
      isError: true,
      structuredContent: {
        error_type: 'PermissionDeniedError',
        details: { reason: 'confirmation_unsupported', tool: 'execute_sql' },
      },
    })
    expect(await auditOf(refused.requestId)).toMatchObject({ outcome: 'error', confirmation: 'required' })
    const found = await rows()
    expect(found).toEqual(expect.arrayContaining([60, 61]))
    expect(found).not.toContain(62)
  })

  it('2025: not asked even when the client declared elicitation; allow runs it, refuse answers an error', async () => {
    const elicited: unknown[] = []
    const connect = async (fetcher: typeof allowing) => {
      const client = new ClientV1(
        { name: 'confirm-tests-v1', version: '1.0.0' },
        { capabilities: { elicitation: {} } },
      )
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        elicited.push(request)
        return { action: 'accept', content: { confirm: true } }
      })
      await client.connect(new TransportV1(new URL(`${BASE}/mcp`), { fetch: fetcher }))
      return client
    }
    const allowingClient = await connect(allowing)
    const refusingClient = await connect(refusing)
    try {
      const allowed = await allowingClient.callTool({ name: 'execute_sql', arguments: insert(70) })
      expect(allowed.isError).toBeFalsy()
      expect(allowed.structuredContent).toMatchObject({ affected_rows: 1 })
      const refused = await refusingClient.callTool({ name: 'execute_sql', arguments: insert(71) })
      expect(refused).toMatchObject({
        isError: true,
        structuredContent: { details: { reason: 'confirmation_unsupported' } },
      })
    } finally {
      await Promise.all([allowingClient.close(), refusingClient.close()])
    }
    expect(elicited).toEqual([])
    const found = await rows()
    expect(found).toContain(70)
    expect(found).not.toContain(71)
    // The same over a bare 2025 request, for its audit row.
    const bare = await send(rpc('tools/call', { name: 'execute_sql', arguments: insert(72) }))
    expect(bare.result.structuredContent).toMatchObject({ affected_rows: 1 })
    expect(bare.result).not.toHaveProperty('resultType')
    expect(await auditOf(bare.requestId)).toMatchObject({ confirmation: 'unconfirmed' })
  })
})
