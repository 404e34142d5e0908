/**
 * Superset 6.1's tool search, as a client meets it through the Worker's fetch: with
 * MCP_TOOL_SEARCH_ENABLED (6.1's default; off in the test bindings, on here) `tools/list` shows
 * search_tools, call_tool and the pinned tools; search_tools ranks only the caller's tools; call_tool
 * runs a tool exactly as a direct call does (permissions, limits, cache, audit, metrics all count the
 * named tool). The 6.1 sources cited: superset/mcp_service/mcp_config.py (MCP_TOOL_SEARCH_CONFIG),
 * superset/mcp_service/server.py, tests/unit_tests/mcp_service/test_tool_search_transform.py.
 */
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { callAs, rpcAs, RpcError, toolNamesAs, ToolCallError, unmarked } from '../helpers/call-as'
import { createUser, withMetadataDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { BASE, rpc, rpcResult } from '../helpers/mcp'
import { AUDIENCE, authEnv, bearer, devEnv, gatewayFetch, TestRealm } from '../helpers/tokens'
import { TOOL_NAMES } from '../../src/tool-names'

const ON = { MCP_TOOL_SEARCH_ENABLED: 'true' }
const OFF = { MCP_TOOL_SEARCH_ENABLED: 'false' }

/** search_tools as `username`: the found tools, after checking that text and structured content agree. */
async function search(
  username: string,
  query: string,
  overrides: Record<string, string> = ON,
): Promise<any[]> {
  const result = await rpcAs(
    username,
    'tools/call',
    { name: 'search_tools', arguments: { query } },
    overrides,
  )
  expect(result.isError).toBeFalsy()
  // As 6.1 (FastMCP) sends a list: the text is the JSON list, the structured content {"result": [...]}.
  const found = JSON.parse(result.content[0].text)
  expect(result.structuredContent).toEqual({ result: found })
  return found
}

/** call_tool as `username` with call_tool's own arguments, read as callAs reads a direct call. */
async function viaCallTool(username: string, callArgs: unknown, overrides: Record<string, string> = ON) {
  const result = await rpcAs(username, 'tools/call', { name: 'call_tool', arguments: callArgs }, overrides)
  if (result.isError === true) throw new ToolCallError(result.structuredContent)
  return unmarked(result.structuredContent) as any
}

const names = (found: { name: string }[]): string[] => found.map((tool) => tool.name)

describe('tools/list', () => {
  it('with search on shows search_tools, call_tool and the pinned tools (6.1 mcp_config.py defaults)', async () => {
    expect(await toolNamesAs('admin', ON)).toEqual([
      'call_tool',
      'get_instance_info',
      'health_check',
      'search_tools',
    ])
    const { tools } = await rpcAs('admin', 'tools/list', {}, ON)
    const call = tools.find((tool: any) => tool.name === 'call_tool')
    // A flat object, never anyOf with null (6.1 server.py _fix_call_tool_arguments, and its test
    // test_fix_call_tool_arguments_replaces_anyof).
    expect(call.inputSchema.properties.arguments).toEqual({
      additionalProperties: true,
      default: null,
      description: 'Arguments to pass to the tool',
      type: 'object',
    })
    expect(call.inputSchema.required).toEqual(['name'])
    const searchTool = tools.find((tool: any) => tool.name === 'search_tools')
    expect(searchTool.inputSchema).toMatchObject({
      properties: { query: { type: 'string' } },
      required: ['query'],
    })
  })

  it('with search off shows the whole catalogue the caller may use, and no search tools', async () => {
    const listed = await toolNamesAs('admin', OFF)
    expect(listed).toEqual(expect.arrayContaining(['list_charts', 'execute_sql', 'health_check']))
    expect([...listed].sort()).toEqual([...TOOL_NAMES].sort())
    expect(listed).not.toContain('search_tools')
    expect(listed).not.toContain('call_tool')
  })

  it('pins only the configured tools the caller may use', async () => {
    const pinned = { ...ON, MCP_TOOL_SEARCH_ALWAYS_VISIBLE: 'health_check execute_sql' }
    expect(await toolNamesAs('bob', pinned)).toEqual([
      'call_tool',
      'execute_sql',
      'health_check',
      'search_tools',
    ])
    // grace may not use execute_sql (scripts/seed/README.md): it is not pinned for her.
    expect(await toolNamesAs('grace', pinned)).toEqual(['call_tool', 'health_check', 'search_tools'])
    expect(await toolNamesAs('bob', { ...ON, MCP_TOOL_SEARCH_ALWAYS_VISIBLE: 'none' })).toEqual([
      'call_tool',
      'search_tools',
    ])
  })
})

describe('search_tools', () => {
  it('finds list_charts for "charts", in summary mode: name, description, parameters_hint (6.1 default)', async () => {
    const found = await search('grace', 'charts')
    expect(names(found)).toContain('list_charts')
    for (const tool of found) {
      expect(Object.keys(tool).sort()).toEqual([
        'annotations',
        'description',
        'name',
        'parameters_hint',
        'title',
      ])
      // test_create_serializer_summary_mode_truncates_description: at most 300 characters (+ "...").
      expect(tool.description.length).toBeLessThanOrEqual(303)
      // test_extract_parameter_names_basic: the top-level parameter names; every tool takes `request`.
      expect(tool.parameters_hint).toBe('request')
    }
    const listCharts = found.find((tool) => tool.name === 'list_charts')
    expect(listCharts.annotations).toMatchObject({ readOnlyHint: true })
  })

  it('ranks only the tools the caller may use: grace never finds execute_sql, bob does', async () => {
    for (const query of ['execute sql', 'run a SQL query', 'sql']) {
      expect(names(await search('grace', query))).not.toContain('execute_sql')
    }
    expect(names(await search('bob', 'execute sql query')).slice(0, 2)).toContain('execute_sql')
    // Whatever anyone finds is a tool their full (search-off) listing shows them.
    for (const username of ['erin', 'grace', 'bob']) {
      const theirs = await toolNamesAs(username, OFF)
      for (const query of [
        'execute sql',
        'create a new chart',
        'save a query',
        'dashboard',
        'dataset columns',
      ]) {
        expect(theirs).toEqual(expect.arrayContaining(names(await search(username, query))))
      }
    }
  })

  it('leaves the pinned tools out (they are listed already) and answers [] when nothing matches', async () => {
    expect(names(await search('admin', 'health check status'))).not.toContain('health_check')
    expect(await search('admin', 'zzzz qqqq')).toEqual([])
    expect(await search('admin', '')).toEqual([])
  })

  it('returns at most MCP_TOOL_SEARCH_MAX_RESULTS tools (6.1: 5)', async () => {
    expect(await search('admin', 'list dashboards charts datasets databases')).toHaveLength(5)
    const two = await search('admin', 'list dashboards charts datasets databases', {
      ...ON,
      MCP_TOOL_SEARCH_MAX_RESULTS: '2',
    })
    expect(two).toHaveLength(2)
  })

  it('with MCP_TOOL_SEARCH_INCLUDE_SCHEMAS returns compact input schemas instead of the hint', async () => {
    const found = await search('admin', 'list charts', { ...ON, MCP_TOOL_SEARCH_INCLUDE_SCHEMAS: 'true' })
    const listCharts = found.find((tool) => tool.name === 'list_charts')
    expect(listCharts).toBeDefined()
    for (const tool of found) {
      expect(tool.parameters_hint).toBeUndefined()
      expect(tool.outputSchema).toBeUndefined()
      // test_compact_schema_removes_defs / _replaces_ref_with_object: no $defs or $ref anywhere.
      expect(JSON.stringify(tool.inputSchema)).not.toMatch(/"\$defs"|"\$ref"/)
    }
    expect(listCharts.inputSchema).toMatchObject({
      type: 'object',
      properties: { request: { type: 'object', properties: { page_size: { type: 'integer' } } } },
    })
  })

  it('refuses a query that is not a string', async () => {
    const result = await rpcAs('admin', 'tools/call', { name: 'search_tools', arguments: { query: 3 } }, ON)
    expect(result.isError).toBe(true)
    expect(result.structuredContent).toMatchObject({ error_type: 'ValidationError' })
  })

  it('does not exist with search off', async () => {
    await expect(
      rpcAs('admin', 'tools/call', { name: 'search_tools', arguments: { query: 'x' } }, OFF),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: search_tools'),
    })
  })
})

describe('call_tool', () => {
  const BOB_DASHBOARDS = {
    page_size: 100,
    select_columns: ['id'],
    order_column: 'id',
    order_direction: 'asc',
  }

  it("runs the named tool under the caller's permissions, answering what a direct call answers", async () => {
    const proxied = await viaCallTool('bob', {
      name: 'list_dashboards',
      arguments: { request: BOB_DASHBOARDS },
    })
    expect(proxied.dashboards.map((dashboard: { id: number }) => dashboard.id)).toEqual([1, 3, 5, 7])
    const direct = await callAs('bob', 'list_dashboards', BOB_DASHBOARDS, ON)
    expect({ ...proxied, timestamp: null, cache_status: null }).toEqual({
      ...direct,
      timestamp: null,
      cache_status: null,
    })
  })

  it('answers a hidden or unknown tool as a direct call does: unknown (MCP -32602)', async () => {
    // grace may not use execute_sql.
    const direct = callAs('grace', 'execute_sql', { database_id: 1, sql: 'SELECT 1' }, ON)
    await expect(direct).rejects.toBeInstanceOf(RpcError)
    await expect(direct).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: execute_sql'),
    })
    const proxied = viaCallTool('grace', {
      name: 'execute_sql',
      arguments: { request: { database_id: 1, sql: 'SELECT 1' } },
    })
    await expect(proxied).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: execute_sql'),
    })
    expect(((await proxied.catch((err: unknown) => err)) as RpcError).message).toBe(
      ((await direct.catch((err: unknown) => err)) as RpcError).message,
    )
    await expect(viaCallTool('admin', { name: 'drop_everything' })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: drop_everything'),
    })
  })

  it('does not exist with search off; direct calls work with search on', async () => {
    await expect(viaCallTool('admin', { name: 'list_charts' }, OFF)).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: call_tool'),
    })
    const direct = await callAs('grace', 'list_charts', { page_size: 1 }, ON)
    expect(direct.charts).toHaveLength(1)
  })

  it('refuses to proxy the search tools themselves (6.1 server.py: "a synthetic search tool")', async () => {
    for (const name of ['search_tools', 'call_tool']) {
      await expect(viaCallTool('admin', { name, arguments: { query: 'charts' } })).rejects.toMatchObject({
        type: 'ValidationError',
        message: expect.stringContaining(`'${name}' is a synthetic search tool`),
      })
    }
    await expect(viaCallTool('admin', { arguments: {} })).rejects.toMatchObject({ type: 'ValidationError' })
    await expect(viaCallTool('admin', { name: 'list_charts', page_size: 1 })).rejects.toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('put the tool\'s own arguments inside "arguments"'),
    })
  })

  describe('normalises the arguments as 6.1 does before forwarding them', () => {
    // test_tool_search_transform.py test_normalize_serializes_dict_with_anyof_string (and _oneof_string):
    // a `request` object reaches the tool, whose `str | Model` parameter 6.1 then parses.
    it('a request object', async () => {
      const answer = await viaCallTool('admin', {
        name: 'list_dashboards',
        arguments: { request: { page_size: 2 } },
      })
      expect(answer.dashboards).toHaveLength(2)
    })

    // utils/schema_utils.py parse_request: the `str` variant of that parameter, a JSON-string request.
    it('a request given as a JSON string', async () => {
      const answer = await viaCallTool('admin', {
        name: 'list_dashboards',
        arguments: { request: '{"page_size": 3}' },
      })
      expect(answer.dashboards).toHaveLength(3)
    })

    // test_normalize_leaves_non_dict_unchanged: scalar values pass as they are, here without the
    // `request` wrapper (the gateway's tools take flattened fields too).
    it('flattened fields, without the request wrapper', async () => {
      const answer = await viaCallTool('admin', {
        name: 'list_dashboards',
        arguments: { page_size: 1, page: 2 },
      })
      expect(answer).toMatchObject({ page: 2, page_size: 1 })
      expect(answer.dashboards).toHaveLength(1)
    })

    // test_normalize_returns_none_for_none_arguments, and schema_utils.py: no arguments → the request
    // model's defaults ("e.g. get_instance_info via call_tool proxy").
    it('no arguments, or null', async () => {
      for (const callArgs of [{ name: 'list_dashboards' }, { name: 'list_dashboards', arguments: null }]) {
        const answer = await viaCallTool('admin', callArgs)
        expect(answer).toMatchObject({ page: 1, page_size: 10 })
      }
      const info = await viaCallTool('admin', { name: 'get_instance_info' })
      expect(info).toHaveProperty('instance_summary')
    })

    // test_normalize_ignores_keys_not_in_schema: unknown keys are forwarded unchanged, so the tool
    // answers them exactly as it answers a direct call (ignored, as 6.1's models ignore them).
    it('unknown keys reach the tool unchanged', async () => {
      const direct = await callAs('admin', 'list_dashboards', { bogus: true, page_size: 2 }, ON)
      const proxied = await viaCallTool('admin', {
        name: 'list_dashboards',
        arguments: { request: { bogus: true, page_size: 2 } },
      })
      expect(proxied.dashboards).toEqual(direct.dashboards)
      expect(proxied.dashboards).toHaveLength(2)
    })

    // Clients that double-serialise (the reason for parse_request) may send `arguments` itself as JSON text.
    it('arguments given as a JSON string, and refuses one that is not JSON', async () => {
      const answer = await viaCallTool('admin', {
        name: 'list_dashboards',
        arguments: '{"request": {"page_size": 2}}',
      })
      expect(answer.dashboards).toHaveLength(2)
      await expect(
        viaCallTool('admin', { name: 'list_dashboards', arguments: '{"request": ' }),
      ).rejects.toMatchObject({
        type: 'ValidationError',
      })
    })
  })
})

describe('call_tool counts as the tool it names', () => {
  let realm: TestRealm
  const TENANT = 'tool-search-rl'
  const testEnv = (): Cloudflare.Env => authEnv(realm, ON)

  beforeAll(async () => {
    realm = TestRealm.create('tool-search')
    await env.CONFIG.put(
      `limits:${TENANT}`,
      JSON.stringify({
        per_tool_limits: { get_chart_type_schema: '2 per minute', search_tools: '1 per minute' },
      }),
    )
  })

  async function post(
    token: string,
    name: string,
    args: unknown,
  ): Promise<{ response: Response; result: any }> {
    const response = await gatewayFetch(testEnv())(
      AUDIENCE,
      rpc('tools/call', { name, arguments: args }, { authorization: bearer(token) }),
    )
    const { result, error } = await rpcResult(response.clone())
    return { response, result: result ?? { error } }
  }

  it('in the limits: call_tool and direct calls share the tool’s per-tool limit; search_tools has its own', async () => {
    const token = await realm.mint('admin', { tenant: TENANT })
    const byProxy = { name: 'get_chart_type_schema', arguments: { request: { chart_type: 'pie' } } }
    expect((await post(token, 'call_tool', byProxy)).result.isError).toBeFalsy()
    const direct = await post(token, 'get_chart_type_schema', { request: { chart_type: 'pie' } })
    expect(direct.result.isError).toBeFalsy()
    const refused = await post(token, 'call_tool', byProxy)
    expect(refused.result.isError).toBe(true)
    expect(refused.result.structuredContent).toMatchObject({
      error_type: 'RateLimitExceeded',
      error: expect.stringContaining('get_chart_type_schema allows 2 per minute'),
    })
    expect((await post(token, 'search_tools', { query: 'charts' })).result.isError).toBeFalsy()
    const searchRefused = await post(token, 'search_tools', { query: 'charts' })
    expect(searchRefused.result.structuredContent).toMatchObject({ error_type: 'RateLimitExceeded' })
  })

  it('in the audit trail: one row for the named tool, with its arguments', async () => {
    const token = await realm.mint('admin')
    const { response, result } = await post(token, 'call_tool', {
      name: 'list_databases',
      arguments: { request: { page_size: 2 } },
    })
    expect(result.isError).toBeFalsy()
    const requestId = response.headers.get('x-request-id')!
    const rows = await eventually(
      async () => {
        const found = await withMetadataDb((db) =>
          db.query(sql`SELECT * FROM mcp_gateway.audit_log WHERE request_id = ${requestId} ORDER BY id`),
        )
        expect(found.length).toBeGreaterThanOrEqual(1)
        return found
      },
      { timeout: 5_000, interval: 50 },
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      tool: 'list_databases',
      username: 'admin',
      outcome: 'success',
      rows_returned: result.structuredContent.count,
      arguments_redacted: { request: { page_size: 2 } },
    })
  })

  it('in the cache: a direct call and a call_tool call share the answer', async () => {
    const token = await realm.mint('admin')
    const request = { request: { page_size: 4, order_column: 'id', order_direction: 'desc' } }
    await post(token, 'list_datasets', request)
    const proxied = await post(token, 'call_tool', { name: 'list_datasets', arguments: request })
    expect(proxied.response.headers.get('x-cache-status')).toBe('hit')
    expect(proxied.result.structuredContent.cache_status).toBe('hit')
  })

  it('in the metrics: counted under the named tool, never under call_tool', async () => {
    const token = await realm.mint('admin')
    const before = await scrape()
    for (let i = 0; i < 2; i++) {
      const { result } = await post(token, 'call_tool', {
        name: 'get_schema',
        arguments: { request: { model_type: 'chart' } },
      })
      expect(result.isError).toBeFalsy()
    }
    await post(token, 'search_tools', { query: 'dashboards' })
    const after = await scrape()
    const delta = (labels: Record<string, string>) =>
      metricValue(after, 'mcp_requests_total', labels) - metricValue(before, 'mcp_requests_total', labels)
    expect(delta({ tool: 'get_schema', status: 'success' })).toBe(2)
    expect(delta({ tool: 'search_tools', status: 'success' })).toBe(1)
    expect(delta({ tool: 'call_tool', status: 'success' })).toBe(0)
  })
})

async function scrape(): Promise<string> {
  const response = await gatewayFetch(devEnv())(`${BASE}/metrics`)
  expect(response.status).toBe(200)
  return response.text()
}

/** The sum of a Prometheus family's samples whose labels include `labels`. */
function metricValue(text: string, name: string, labels: Record<string, string>): number {
  let total = 0
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const has = Object.entries(labels).every(([key, value]) => match[2]!.includes(`${key}="${value}"`))
    if (has) total += Number(match[3])
  }
  return total
}

describe('a user whose only role is sql_lab', () => {
  const username = 'search_sqllab_probe'
  let removeUser: () => Promise<void>
  beforeAll(async () => {
    removeUser = await createUser(username, ['sql_lab'])
  })
  afterAll(() => removeUser())

  it('finds execute_sql but no dashboard or chart tool', async () => {
    expect(names(await search(username, 'execute sql'))).toContain('execute_sql')
    const found = names(await search(username, 'list dashboards charts'))
    expect(found.filter((name) => /dashboard|chart/.test(name))).toEqual([])
  })
})

describe('call_tool arguments given as a string (found by review)', () => {
  it('are held to the body limits: too deep is refused before anything runs', async () => {
    const deep = `{"request": {"dashboard_title": "deep", "chart_ids": [1], "x": ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}}`
    await expect(viaCallTool('admin', { name: 'generate_dashboard', arguments: deep })).rejects.toMatchObject(
      {
        type: 'ValidationError',
        message: expect.stringContaining('"arguments" nests deeper than 64 levels'),
      },
    )
  })

  it('lose the gateway markers even when written as JSON escapes', async () => {
    const escaped = '\\u003cUNTRUSTED-CONTENT>Sales<\\/UNTRUSTED-CONTENT>'
    const answer = await viaCallTool('admin', {
      name: 'list_charts',
      arguments: `{"request": {"filters": [{"col": "slice_name", "opr": "eq", "value": "${escaped}"}]}}`,
    })
    expect(answer.filters_applied).toEqual([{ col: 'slice_name', opr: 'eq', value: 'Sales' }])
  })
})
