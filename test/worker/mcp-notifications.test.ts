/**
 * What a call sends its client besides the result, on both eras: progress notifications when the
 * request carries a progressToken, log messages at the request's level, and the answer as an SSE stream
 * only when one of those is due (JSON otherwise, with the limits' headers either way). Also the doors
 * the conformance suite needs: content blocks, blobs, resource templates, prompt messages, completion.
 */
import { describe, expect, it } from 'vitest'
import { RpcError, rpcAs } from '../helpers/call-as'
import { BASE, modernRpc, rpc } from '../helpers/mcp'
import { devEnv, gatewayFetch } from '../helpers/tokens'

const LEGACY = '2025-11-25'
const FIXTURES = devEnv({ MCP_CONFORMANCE_FIXTURES: 'true' })

/** A 2026-07-28 request (test/helpers/mcp.ts modernRpc). */
function modern(method: string, params: Record<string, unknown>, meta: Record<string, unknown> = {}) {
  return modernRpc(method, params, { meta, client: 'notification-tests' })
}

/** A 2025-era request after the handshake (stateless: no session to carry). */
function legacy(method: string, params: Record<string, unknown>): RequestInit {
  return rpc(method, params, { 'mcp-protocol-version': LEGACY })
}

interface Exchange {
  response: Response
  streamed: boolean
  /** Every JSON-RPC message of the body, in order: the notifications, then the result. */
  messages: any[]
}

async function exchange(init: RequestInit, testEnv = devEnv()): Promise<Exchange> {
  const response = await gatewayFetch(testEnv)(`${BASE}/mcp`, init)
  const text = await response.text()
  const streamed = (response.headers.get('content-type') ?? '').includes('text/event-stream')
  const messages = streamed
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)))
    : [JSON.parse(text)]
  return { response, streamed, messages }
}

const notifications = (messages: any[], method: string) =>
  messages.filter((message) => message.method === method).map((message) => message.params)

const SQL = {
  name: 'execute_sql',
  arguments: { request: { database_id: 1, sql: 'SELECT 1 AS one; SELECT 2 AS two' } },
}

describe('progress notifications', () => {
  it.each([
    ['2025-11-25', (params: Record<string, unknown>) => legacy('tools/call', params)],
    ['2026-07-28', (params: Record<string, unknown>) => modern('tools/call', params)],
  ])('%s: execute_sql with a progressToken streams one per statement, then the result', async (_, init) => {
    const { response, streamed, messages } = await exchange(
      init({ ...SQL, _meta: { progressToken: 'sql-1' } }),
    )
    expect(response.status).toBe(200)
    expect(streamed).toBe(true)
    expect(notifications(messages, 'notifications/progress')).toEqual([
      { progressToken: 'sql-1', progress: 0, total: 2, message: 'Running 2 statements' },
      { progressToken: 'sql-1', progress: 1, total: 2, message: 'Statement 1 of 2 ran' },
      { progressToken: 'sql-1', progress: 2, total: 2, message: 'Statement 2 of 2 ran' },
    ])
    const result = messages.at(-1)
    expect(result.result.isError).toBeUndefined()
    expect(result.result.structuredContent.success).toBe(true)
    // The limits decided before the first notification: their headers are on the stream too.
    expect(response.headers.get('RateLimit-Policy')).not.toBeNull()
  })

  it.each([
    ['2025-11-25', legacy('tools/call', SQL)],
    ['2026-07-28', modern('tools/call', SQL)],
  ])('%s: without a progressToken the same call answers one JSON body', async (_, init) => {
    const { response, streamed, messages } = await exchange(init)
    expect(streamed).toBe(false)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(messages[0].result.structuredContent.success).toBe(true)
    expect(response.headers.get('RateLimit-Policy')).not.toBeNull()
  })

  it('get_chart_data reports the chart loaded and its query done', async () => {
    const { streamed, messages } = await exchange(
      legacy('tools/call', {
        name: 'get_chart_data',
        arguments: { request: { identifier: 1, limit: 5 } },
        _meta: { progressToken: 7 },
      }),
    )
    expect(streamed).toBe(true)
    const progress = notifications(messages, 'notifications/progress')
    expect(progress.map((item) => [item.progressToken, item.progress, item.total])).toEqual([
      [7, 1, 2],
      [7, 2, 2],
    ])
    expect(messages.at(-1).result.isError).toBeUndefined()
  })
})

describe('log messages', () => {
  const call = { name: 'test_tool_with_logging', arguments: {} }

  it('2026-07-28: sent at the request’s logLevel, and none without one', async () => {
    const withLevel = await exchange(
      modern('tools/call', call, { 'io.modelcontextprotocol/logLevel': 'info' }),
      FIXTURES,
    )
    expect(withLevel.streamed).toBe(true)
    expect(notifications(withLevel.messages, 'notifications/message').map((item) => item.data)).toEqual([
      'Tool execution started',
      'Tool processing data',
      'Tool execution completed',
    ])
    const above = await exchange(
      modern('tools/call', call, { 'io.modelcontextprotocol/logLevel': 'error' }),
      FIXTURES,
    )
    expect(above.streamed).toBe(false)
    const without = await exchange(modern('tools/call', call), FIXTURES)
    expect(without.streamed).toBe(false)
    expect(without.messages[0].result.content).toEqual([
      { type: 'text', text: 'Tool with logging executed successfully' },
    ])
  })

  it('2025-11-25: sent (no level can reach a stateless request), as a stream', async () => {
    const { streamed, messages } = await exchange(legacy('tools/call', call), FIXTURES)
    expect(streamed).toBe(true)
    expect(notifications(messages, 'notifications/message')).toHaveLength(3)
    expect(messages.at(-1).result.content[0].text).toBe('Tool with logging executed successfully')
  })
})

describe('the fixtures’ doors', () => {
  it('content blocks, a blob, the template list and prompt messages', async () => {
    const image = await exchange(
      legacy('tools/call', { name: 'test_image_content', arguments: {} }),
      FIXTURES,
    )
    expect(image.messages[0].result.content).toEqual([
      { type: 'image', data: expect.any(String), mimeType: 'image/png' },
    ])
    expect(image.messages[0].result.structuredContent).toBeUndefined()
    const blob = await exchange(legacy('resources/read', { uri: 'test://static-binary' }), FIXTURES)
    expect(blob.messages[0].result.contents).toEqual([
      { uri: 'test://static-binary', mimeType: 'image/png', blob: expect.any(String) },
    ])
    const templates = await exchange(modern('resources/templates/list', {}), FIXTURES)
    expect(templates.messages[0].result).toMatchObject({
      resourceTemplates: [{ uriTemplate: 'test://template/{id}/data', name: 'template' }],
      cacheScope: 'private',
    })
    const prompt = await exchange(
      legacy('prompts/get', { name: 'test_prompt_with_image', arguments: {} }),
      FIXTURES,
    )
    expect(prompt.messages[0].result.messages.map((message: any) => message.content.type)).toEqual([
      'image',
      'text',
    ])
  })

  it('sampling and elicitation are not offered: the fixture says so', async () => {
    const { messages } = await exchange(
      legacy('tools/call', { name: 'test_sampling', arguments: { prompt: 'hi' } }),
      FIXTURES,
    )
    expect(messages[0].result.content[0].text).toMatch(/^Sampling not supported or error: /)
  })
})

describe('completion/complete', () => {
  const complete = (user: string, name: string, argument: string, value: string) =>
    rpcAs(user, 'completion/complete', {
      ref: { type: 'ref/prompt', name },
      argument: { name: argument, value },
    })

  /** The names list_dashboards and list_datasets show `user`. */
  async function visibleNames(user: string): Promise<string[]> {
    const list = async (tool: string, key: string, column: string) => {
      const result = await rpcAs(user, 'tools/call', {
        name: tool,
        arguments: { request: { page_size: 100, select_columns: [column] } },
      })
      return (result.structuredContent[key] as Record<string, string>[]).map((row) =>
        row[column]!.replace(/<\/?UNTRUSTED-CONTENT>/g, ''),
      )
    }
    return [
      ...(await list('list_dashboards', 'dashboards', 'dashboard_title')),
      ...(await list('list_datasets', 'datasets', 'table_name')),
    ]
  }

  it('offers a closed argument’s values that match what was typed', async () => {
    expect((await complete('admin', 'quickstart', 'user_type', 'an')).completion).toEqual({
      values: ['analyst'],
      hasMore: false,
    })
    expect((await complete('admin', 'create_chart_guided', 'chart_type', '')).completion.values).toEqual([
      'auto',
      'line',
      'bar',
      'table',
      'scatter',
      'area',
    ])
  })

  it('offers focus_area the dashboards and datasets the caller may see, and nothing else', async () => {
    for (const user of ['bob', 'carol']) {
      const visible = await visibleNames(user)
      const { values } = (await complete(user, 'quickstart', 'focus_area', '')).completion
      expect([...values].sort()).toEqual([...new Set(visible)].sort())
    }
    const bobs = await visibleNames('bob')
    const typed = bobs[0]!.slice(0, 3)
    const { values } = (await complete('bob', 'quickstart', 'focus_area', typed)).completion
    expect(values).toContain(bobs[0])
    for (const value of values) expect(value.toLowerCase()).toContain(typed.toLowerCase())
    expect((await complete('erin', 'quickstart', 'focus_area', '')).completion.values).toEqual([])
  })

  it('refuses an unknown prompt or argument with -32602', async () => {
    await expect(complete('admin', 'no_such_prompt', 'x', '')).rejects.toMatchObject({ code: -32602 })
    await expect(complete('admin', 'quickstart', 'no_such_argument', '')).rejects.toBeInstanceOf(RpcError)
  })
})
