/**
 * The rest of Superset's read contract: datasets, databases, get_schema, resources, prompts, the
 * untrusted-content markers and the response size guard.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callAs, unmarked } from '../helpers/call-as'
import { connectClient } from '../helpers/mcp'
import { TOOLS } from '../../src/tools'
import { CONFIRMABLE_TOOL_NAMES, TOOL_NAMES } from '../../src/tool-names'

describe('list_datasets and get_dataset_info', () => {
  it('lists datasets with the database name, newest change first by default', async () => {
    const result = await callAs('admin', 'list_datasets', { page_size: 100 })
    expect(result.total_count).toBe(11)
    const changed = result.datasets.map((dataset: any) => dataset.changed_on)
    expect(changed).toEqual([...changed].sort().reverse())
    expect(result.datasets.find((dataset: any) => dataset.id === 7)).toMatchObject({
      table_name: 'gl_entries',
      schema: 'finance',
      database_name: 'finance_dw',
    })
  })

  it('filters on schema, database and owner, and searches SQL', async () => {
    const sales = await callAs('admin', 'list_datasets', {
      filters: [{ col: 'schema', opr: 'eq', value: 'sales' }],
      order_column: 'id',
      order_direction: 'asc',
    })
    expect(sales.datasets.map((dataset: any) => dataset.id)).toEqual([1, 2, 3, 8, 9])
    const finance = await callAs('admin', 'list_datasets', {
      filters: [{ col: 'database_name', opr: 'eq', value: 'finance_dw' }],
    })
    expect(finance.datasets.map((dataset: any) => dataset.id)).toEqual([7])
    const carols = await callAs('admin', 'list_datasets', {
      filters: [{ col: 'owner', opr: 'eq', value: 4 }],
      order_column: 'id',
      order_direction: 'asc',
    })
    expect(carols.datasets.map((dataset: any) => dataset.id)).toEqual([4, 5])
    const bySql = await callAs('admin', 'list_datasets', { search: 'date_trunc' })
    expect(bySql.datasets.map((dataset: any) => dataset.id)).toEqual([9])
  })

  it("reads certification from the dataset's extra JSON", async () => {
    const result = await callAs('admin', 'list_datasets', {
      filters: [{ col: 'table_name', opr: 'eq', value: 'orders' }],
    })
    expect(result.datasets[0].certified_by).toEqual(expect.any(String))
  })

  it('describes a dataset: columns with calculated expressions, saved metrics, virtual SQL', async () => {
    const orders = await callAs('admin', 'get_dataset_info', { identifier: 1 })
    expect(orders).toMatchObject({
      id: 1,
      table_name: 'orders',
      schema: 'sales',
      database_name: 'examples',
      is_virtual: false,
      main_dttm_col: 'order_date',
    })
    expect(orders.url).toBe('https://superset.example.test/tablemodelview/edit/1')
    expect(orders.metrics.map((metric: any) => metric.metric_name)).toEqual(
      expect.arrayContaining([
        'count',
        'revenue',
        'net_revenue',
        'avg_order_value',
        'unique_customers',
        'units_sold',
      ]),
    )
    expect(orders.metrics.find((metric: any) => metric.metric_name === 'revenue').expression).toMatch(
      /SUM\(order_total\)/i,
    )
    const netTotal = orders.columns.find((column: any) => column.column_name === 'net_total')
    expect(netTotal.expression).toEqual(expect.any(String))
    expect(orders.columns.find((column: any) => column.column_name === 'order_date')).toMatchObject({
      is_dttm: true,
    })
    const monthly = await callAs('admin', 'get_dataset_info', { identifier: 9 })
    expect(monthly).toMatchObject({ is_virtual: true, sql: expect.stringMatching(/date_trunc/i) })
  })
})

describe('list_databases and get_database_info', () => {
  it('lists databases with their backend and never their connection strings', async () => {
    const result = await callAs('admin', 'list_databases', { order_column: 'id', order_direction: 'asc' })
    expect(
      result.databases.map((database: any) => [database.id, database.database_name, database.backend]),
    ).toEqual([
      [1, 'examples', 'postgresql'],
      [2, 'finance_dw', 'postgresql'],
      [3, 'scratchpad', 'postgresql'],
      [4, 'legacy_mysql', 'mysql'],
    ])
    for (const secret of ['sqlalchemy_uri', 'password', 'encrypted_extra', 'server_cert']) {
      expect(result.columns_available).not.toContain(secret)
      // Asked for, a secret is left out like any name that is not a column (as Superset 6.1 does).
      const asked = await callAs('admin', 'list_databases', { select_columns: ['id', secret] })
      expect(asked.columns_loaded).toEqual(['id'])
      for (const database of asked.databases) expect(Object.keys(database)).toEqual(['id'])
      await expect(
        callAs('admin', 'get_database_info', { identifier: 1, select_columns: [secret] }),
      ).rejects.toMatchObject({ type: 'ValidationError' })
    }
    expect(JSON.stringify(await callAs('admin', 'get_database_info', { identifier: 1 }))).not.toContain(
      'analytics:5432',
    )
  })

  it('filters on SQL Lab exposure', async () => {
    const hidden = await callAs('admin', 'list_databases', {
      filters: [{ col: 'expose_in_sqllab', opr: 'eq', value: false }],
    })
    expect(hidden.databases.map((database: any) => database.id)).toEqual([4])
  })

  it('describes a database', async () => {
    expect(await callAs('admin', 'get_database_info', { identifier: 3 })).toMatchObject({
      id: 3,
      database_name: 'scratchpad',
      backend: 'postgresql',
      allow_dml: true,
      expose_in_sqllab: true,
    })
  })
})

describe('get_schema', () => {
  it("describes each model's columns, filters, sort and search", async () => {
    const { schema_info: dashboards } = await callAs('erin', 'get_schema', { model_type: 'dashboard' })
    expect(dashboards).toMatchObject({
      model_type: 'dashboard',
      default_sort: 'changed_on',
      // 6.1's get_schema: desc for every model (the list tool's own default stays asc for dashboards).
      default_sort_direction: 'desc',
      search_columns: ['dashboard_title', 'slug'],
      sortable_columns: ['id', 'dashboard_title', 'slug', 'published', 'changed_on', 'created_on'],
    })
    expect(dashboards.filter_columns.owner).toEqual(['eq', 'ne', 'in', 'nin'])
    expect(dashboards.select_columns.find((column: any) => column.name === 'url')).toMatchObject({
      type: 'str',
      is_default: true,
    })
    for (const model of ['chart', 'dataset', 'database']) {
      expect((await callAs('erin', 'get_schema', { model_type: model })).schema_info.model_type).toBe(model)
    }
    await expect(callAs('erin', 'get_schema', { model_type: 'user' })).rejects.toMatchObject({
      type: 'ValidationError',
    })
  })
})

describe('MCP resources, prompts and untrusted content', () => {
  let client: Client
  beforeAll(async () => {
    client = await connectClient()
  })
  afterAll(async () => {
    await client.close()
  })

  it('serves instance://metadata and chart://configs', async () => {
    const { resources } = await client.listResources()
    expect(resources.map((resource) => resource.uri).sort()).toEqual([
      'chart://configs',
      'instance://metadata',
      'superset://schema/all',
      'superset://schema/chart',
      'superset://schema/dashboard',
      'superset://schema/dataset',
    ])
    const metadata = await client.readResource({ uri: 'instance://metadata' })
    // Dataset and database names arrive marked, as in a tool's answer.
    const marked = JSON.parse((metadata.contents[0] as { text: string }).text)
    expect(marked.available_databases[0].database_name).toMatch(
      /^<UNTRUSTED-CONTENT>.*<\/UNTRUSTED-CONTENT>$/,
    )
    const document = unmarked(marked) as any
    expect(document.instance_summary.total_datasets).toBe(11)
    expect(document.available_datasets).toHaveLength(11)
    expect(document.available_databases.map((database: any) => database.database_name)).toContain('examples')
    const configs = JSON.parse(
      ((await client.readResource({ uri: 'chart://configs' })).contents[0] as { text: string }).text,
    )
    expect(Object.keys(configs)).toEqual(
      expect.arrayContaining(['xy_chart_configs', 'table_chart_configs', 'best_practices']),
    )
    // -32602 on every era: the v2 SDK answers an unknown resource with the 2026-07-28 code, also to 2025
    // clients (2025-11-25 named -32002).
    await expect(client.readResource({ uri: 'instance://nothing' })).rejects.toMatchObject({ code: -32602 })
  })

  it('renders the quickstart and create_chart_guided prompts, checking their arguments', async () => {
    const { prompts } = await client.listPrompts()
    expect(prompts.map((prompt) => prompt.name).sort()).toEqual(['create_chart_guided', 'quickstart'])
    const quick = await client.getPrompt({
      name: 'quickstart',
      arguments: { user_type: 'executive', focus_area: 'sales' },
    })
    const text = (quick.messages[0]!.content as { text: string }).text
    expect(text).toContain('Superset Quickstart Guide')
    expect(text).toContain('search="sales"')
    const guided = await client.getPrompt({ name: 'create_chart_guided', arguments: { chart_type: 'bar' } })
    expect((guided.messages[0]!.content as { text: string }).text).toContain('"kind": "bar"')
    await expect(
      client.getPrompt({ name: 'quickstart', arguments: { user_type: 'wizard' } }),
    ).rejects.toMatchObject({ code: -32602 })
  })

  it('marks text written in Superset as untrusted content, over MCP only', async () => {
    const result = await client.callTool({
      name: 'get_dashboard_info',
      arguments: { request: { identifier: 1 } },
    })
    const dashboard = result.structuredContent as any
    expect(dashboard.dashboard_title).toBe('<UNTRUSTED-CONTENT>Sales Overview</UNTRUSTED-CONTENT>')
    expect(dashboard.slug).toBe('sales-overview')
    expect(dashboard.charts[0].slice_name).toMatch(/^<UNTRUSTED-CONTENT>.*<\/UNTRUSTED-CONTENT>$/)
    expect((result.content as any)[0].text).toContain('<UNTRUSTED-CONTENT>Sales Overview</UNTRUSTED-CONTENT>')
    expect(client.getInstructions()).toContain('<UNTRUSTED-CONTENT>')
    const raw = await callAs('admin', 'get_dashboard_info', { identifier: 1 })
    expect(raw.dashboard_title).toBe('Sales Overview')
  })
})

describe('response size guard', () => {
  it('cuts a list that exceeds the limit and says how to ask for less', async () => {
    const result = await callAs(
      'admin',
      'list_charts',
      { page_size: 100, select_columns: ['id', 'query_context'] },
      { MCP_RESPONSE_MAX_BYTES: '8000' },
    )
    expect(result.truncated).toBe(true)
    expect(result.count).toBe(result.charts.length)
    expect(result.charts.length).toBeGreaterThan(0)
    expect(result.charts.length).toBeLessThan(32)
    expect(result.total_count).toBe(32)
    expect(result.truncation_hint).toMatch(/select_columns|page_size/)
    expect(new TextEncoder().encode(JSON.stringify(result)).length).toBeLessThanOrEqual(8000)
  })

  it('shortens the largest fields of a single object', async () => {
    const result = await callAs(
      'admin',
      'get_dashboard_info',
      { identifier: 1, select_columns: ['id', 'position_json', 'json_metadata'] },
      { MCP_RESPONSE_MAX_BYTES: '2000' },
    )
    expect(result.truncated).toBe(true)
    expect(Object.keys(result.truncation_notes)).toEqual(expect.arrayContaining(['position_json']))
    expect(new TextEncoder().encode(JSON.stringify(result)).length).toBeLessThanOrEqual(2000)
  })

  it('leaves answers within the limit untouched', async () => {
    const result = await callAs('admin', 'list_charts', { page_size: 5 })
    expect(result).not.toHaveProperty('truncated')
  })
})

describe('the tool names known outside the Worker', () => {
  it('are exactly the catalogue, in its order', () => {
    expect(TOOL_NAMES).toEqual(TOOLS.map((tool) => tool.name))
  })

  it('name as confirmable exactly the tools that declare what to confirm', () => {
    expect(CONFIRMABLE_TOOL_NAMES).toEqual(
      TOOLS.filter((tool) => tool.confirm !== undefined).map((tool) => tool.name),
    )
  })
})
