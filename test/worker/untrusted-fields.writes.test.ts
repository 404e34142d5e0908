/**
 * Exactly the user-written fields are marked as untrusted content, in every tool's answer, and the
 * gateway's own text never is. Every object here carries one recognisable string (the probe) in every
 * text a user can write: names, titles, descriptions, SQL, verbose names, certifications, tags, CSS,
 * filter names, the owner's name. Each answer is read raw over MCP (rpcAs): with every marked block taken
 * out, the probe must appear nowhere, and the marked fields are listed per tool. The probe holds spaces, so
 * the links that carry a name (URL-encoded) do not hold it verbatim: links are the gateway's, never marked.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { sql } from '../../src/db'
import { Hashids } from '../../src/superset'
import { UNTRUSTED_CLOSE, UNTRUSTED_OPEN } from '../../src/mcp/untrusted'
import { rpcAs, unmarked } from '../helpers/call-as'
import { callHttpTool } from '../helpers/mcp'
import { withMetadataDb } from '../helpers/db'
import { relaxLimits } from '../helpers/limits'
import { countMarkers } from '../helpers/markers'

relaxLimits()

const PROBE = `Probe Zeta ${crypto.randomUUID().slice(0, 8)}`
const BLOCK = /<UNTRUSTED-CONTENT>[\s\S]*?<\/UNTRUSTED-CONTENT>/g
const USER = 'admin'

/** What an agent reads as the gateway's own words: the text with every marked block taken out. */
const outsideBlocks = (text: string): string => text.replace(BLOCK, '')

/** The paths of the marked strings in `value`, array positions as `[]`, sorted. */
function markedPaths(value: unknown, path = ''): string[] {
  const found = new Set<string>()
  const visit = (node: unknown, at: string): void => {
    if (typeof node === 'string') {
      if (node.startsWith(UNTRUSTED_OPEN)) found.add(at)
    } else if (Array.isArray(node)) node.forEach((item) => visit(item, `${at}[]`))
    else if (typeof node === 'object' && node !== null)
      for (const [key, item] of Object.entries(node)) visit(item, at === '' ? key : `${at}.${key}`)
  }
  visit(value, path)
  return [...found].sort()
}

interface Raw {
  isError?: boolean
  structuredContent: Record<string, unknown>
  content: { text: string }[]
}

async function raw(tool: string, request: unknown): Promise<Raw> {
  const result = (await rpcAs(USER, 'tools/call', { name: tool, arguments: { request } })) as Raw
  expect(result.isError, `${tool}: ${JSON.stringify(result.structuredContent)}`).toBeFalsy()
  return result
}

/** The probe is in the answer, only inside marked blocks, each whole; returns the marked fields. */
function expectProbeMarkedOnly(result: Raw): string[] {
  const structured = JSON.stringify(result.structuredContent)
  expect(structured).toContain(PROBE)
  expect(outsideBlocks(structured)).not.toContain(PROBE)
  expect(outsideBlocks(result.content[0]!.text)).not.toContain(PROBE)
  for (const text of structured.match(BLOCK) ?? []) expect(countMarkers(text)).toEqual({ open: 1, close: 1 })
  return markedPaths(result.structuredContent)
}

const ids = { dataset: 0, chart: 0, second: 0, dashboard: 0 }
/** scripts/seed/superset-demo.sql's dashboard permalink salt. */
const DEMO_PERMALINK_SALT = 'mcp-gateway-demo_dashboard-permalink-salt_not-a-secret_2026-05'
let permalinkKey = ''

const answers: Record<string, Raw> = {}
const config = {
  chart_type: 'xy',
  kind: 'bar',
  x: { name: 'region' },
  y: [{ name: 'order_total', aggregate: 'SUM' }],
}

beforeAll(async () => {
  await withMetadataDb((db) =>
    db.query(sql`UPDATE ab_user SET last_name = ${PROBE} WHERE username = ${USER}`),
  )
  answers.create_virtual_dataset = await raw('create_virtual_dataset', {
    database_id: 1,
    schema: 'sales',
    table_name: `${PROBE} dataset`,
    sql: `SELECT region, order_total FROM sales.orders WHERE region <> '${PROBE}'`,
    description: `${PROBE} dataset description`,
  })
  ids.dataset = Number(answers.create_virtual_dataset.structuredContent.id)
  await withMetadataDb(async (db) => {
    await db.query(sql`UPDATE table_columns SET verbose_name = ${`${PROBE} ` + 'verbose'},
                         description = ${`${PROBE} column`} WHERE table_id = ${ids.dataset}`)
    await db.query(sql`INSERT INTO sql_metrics (metric_name, verbose_name, expression, description, d3format, table_id)
                       VALUES (${`${PROBE} total`}, ${`${PROBE} metric`}, 'SUM(order_total)', ${PROBE}, ',.2f', ${ids.dataset})`)
    await db.query(sql`INSERT INTO table_columns (table_id, column_name, expression, type, is_dttm, groupby, filterable, is_active)
                       VALUES (${ids.dataset}, ${`${PROBE} doubled`}, 'order_total * 2', 'NUMERIC', false, true, true, true)`)
    await db.query(
      sql`UPDATE tables SET extra = ${JSON.stringify({
        certification: { certified_by: PROBE, details: PROBE },
        warning_markdown: PROBE,
      })} WHERE id = ${ids.dataset}`,
    )
  })
  answers.generate_chart = await raw('generate_chart', {
    dataset_id: ids.dataset,
    config,
    chart_name: `${PROBE} chart`,
    save_chart: true,
    preview_formats: ['url', 'ascii', 'table', 'vega_lite'],
  })
  ids.chart = Number((answers.generate_chart.structuredContent.chart as { id: number }).id)
  const second = await raw('generate_chart', {
    dataset_id: ids.dataset,
    config,
    chart_name: `${PROBE} second`,
    save_chart: true,
    generate_preview: false,
  })
  ids.second = Number((second.structuredContent.chart as { id: number }).id)
  await withMetadataDb(async (db) => {
    await db.query(sql`UPDATE slices SET description = ${PROBE}, certified_by = ${PROBE},
                         certification_details = ${PROBE} WHERE id IN (${ids.chart}, ${ids.second})`)
    const [tag] = await db.query<{ id: number }>(
      sql`INSERT INTO tag (name, type, description) VALUES (${`${PROBE} tag`}, 'custom', ${PROBE}) RETURNING id`,
    )
    await db.query(sql`INSERT INTO tagged_object (tag_id, object_id, object_type)
                       VALUES (${tag!.id}, ${ids.chart}, 'chart')`)
  })
  answers.generate_dashboard = await raw('generate_dashboard', {
    chart_ids: [ids.chart],
    dashboard_title: `${PROBE} dashboard`,
    description: PROBE,
  })
  ids.dashboard = Number((answers.generate_dashboard.structuredContent.dashboard as { id: number }).id)
  await withMetadataDb((db) =>
    db.query(sql`UPDATE dashboards SET css = ${`/* ${PROBE} */`}, certified_by = ${PROBE},
                   json_metadata = ${JSON.stringify({
                     native_filter_configuration: [
                       {
                         id: 'NATIVE_FILTER-probe',
                         name: `${PROBE} filter`,
                         filterType: 'filter_select',
                         targets: [{ datasetId: ids.dataset, column: { name: 'region' } }],
                       },
                     ],
                   })}
                 WHERE id = ${ids.dashboard}`),
  )
  // A permalink of the dashboard whose saved filter values and anchor are the probe (the demo's salt).
  const [permalink] = await withMetadataDb((db) =>
    db.query<{ id: number }>(sql`
      INSERT INTO key_value (resource, value, created_on)
      VALUES ('dashboard_permalink', convert_to(${JSON.stringify({
        dashboardId: String(ids.dashboard),
        state: {
          dataMask: { 'NATIVE_FILTER-probe': { filterState: { value: [PROBE] } } },
          anchor: PROBE,
        },
      })}, 'UTF8'), now())
      RETURNING id`),
  )
  permalinkKey = new Hashids(DEMO_PERMALINK_SALT, 11).encode(BigInt(permalink!.id))
  answers.add_chart_to_existing_dashboard = await raw('add_chart_to_existing_dashboard', {
    dashboard_id: ids.dashboard,
    chart_id: ids.second,
  })
  answers.update_chart = await raw('update_chart', {
    identifier: ids.second,
    chart_name: `${PROBE} renamed`,
  })
  answers.save_sql_query = await raw('save_sql_query', {
    database_id: 1,
    label: `${PROBE} query`,
    sql: `SELECT '${PROBE}' AS note`,
    description: PROBE,
  })
})

const ALL = (model: string) => async () =>
  (await raw('get_schema', { model_type: model })).structuredContent.schema_info as {
    select_columns: { name: string }[]
  }

/** A marked path below a stored JSON document (form data, extra, filter targets) stands for the document. */
const collapse = (paths: string[]): string[] => [
  ...new Set(
    paths.map((path) => path.replace(/(^|\.)(form_data|extra|targets\[\]|filter_state)\..*$/, '$1$2.*')),
  ),
]

/** The fields each answer marks here (the objects above fill every user-written field they have). */
const MARKED: Record<string, string[]> = {
  create_virtual_dataset: ['dataset_name', 'sql'],
  generate_chart: [
    'accessibility.alt_text',
    'chart.changed_by_name',
    'chart.datasource_name',
    'chart.form_data.*',
    'chart.owners[].first_name',
    'chart.owners[].last_name',
    'chart.slice_name',
    'form_data.*',
    'previews.ascii.ascii_content',
    'previews.table.table_data',
    'previews.vega_lite.specification.title',
  ],
  // The dashboard as get_dashboard_info answers it (before its CSS, certification and filters are set).
  generate_dashboard: [
    'dashboard.charts[].datasource_name',
    'dashboard.charts[].description',
    'dashboard.charts[].slice_name',
    'dashboard.dashboard_title',
    'dashboard.description',
    'dashboard.owners[].first_name',
    'dashboard.owners[].last_name',
  ],
  add_chart_to_existing_dashboard: [
    'dashboard.certified_by',
    'dashboard.charts[].datasource_name',
    'dashboard.charts[].description',
    'dashboard.charts[].slice_name',
    'dashboard.css',
    'dashboard.dashboard_title',
    'dashboard.description',
    'dashboard.native_filters[].name',
    'dashboard.native_filters[].targets[].*',
    'dashboard.owners[].first_name',
    'dashboard.owners[].last_name',
  ],
  update_chart: [
    'accessibility.alt_text',
    'chart.certification_details',
    'chart.certified_by',
    'chart.changed_by_name',
    'chart.datasource_name',
    'chart.description',
    'chart.form_data.*',
    'chart.owners[].first_name',
    'chart.owners[].last_name',
    'chart.slice_name',
    'form_data.*',
  ],
  save_sql_query: ['description', 'label', 'sql'],
  list_charts: [
    'charts[].certification_details',
    'charts[].certified_by',
    'charts[].changed_by_name',
    'charts[].created_by_name',
    'charts[].datasource_name',
    'charts[].description',
    'charts[].form_data.*',
    'charts[].owners[].first_name',
    'charts[].owners[].last_name',
    'charts[].params',
    'charts[].perm',
    'charts[].query_context',
    'charts[].schema_perm',
    'charts[].slice_name',
    'charts[].tags[].description',
    'charts[].tags[].name',
  ],
  get_chart_info: [
    'certification_details',
    'certified_by',
    'changed_by_name',
    'datasource_name',
    'description',
    'form_data.*',
    'owners[].first_name',
    'owners[].last_name',
    'slice_name',
    'tags[].description',
    'tags[].name',
  ],
  'get_chart_info (every column)': [
    'certification_details',
    'certified_by',
    'changed_by_name',
    'created_by_name',
    'datasource_name',
    'description',
    'form_data.*',
    'owners[].first_name',
    'owners[].last_name',
    'params',
    'perm',
    'query_context',
    'schema_perm',
    'slice_name',
    'tags[].description',
    'tags[].name',
  ],
  get_chart_data: ['chart_name', 'columns[].display_name', 'summary'],
  'get_chart_data (csv)': ['chart_name', 'columns[].display_name', 'summary'],
  'get_chart_preview (ascii)': [
    'accessibility.alt_text',
    'ascii_chart',
    'chart_description',
    'chart_name',
    'content.ascii_content',
  ],
  'get_chart_preview (table)': [
    'accessibility.alt_text',
    'chart_description',
    'chart_name',
    'content.table_data',
    'table_data',
  ],
  'get_chart_preview (vega_lite)': [
    'accessibility.alt_text',
    'chart_description',
    'chart_name',
    'content.specification.title',
  ],
  'get_chart_preview (url)': ['accessibility.alt_text', 'chart_description', 'chart_name'],
  update_chart_preview: [
    'accessibility.alt_text',
    'chart.slice_name',
    'previews.ascii.ascii_content',
    'previews.table.table_data',
    'previews.vega_lite.specification.title',
  ],
  list_dashboards: [
    'dashboards[].certified_by',
    'dashboards[].changed_by_name',
    'dashboards[].created_by_name',
    'dashboards[].css',
    'dashboards[].dashboard_title',
    'dashboards[].description',
    'dashboards[].json_metadata',
    'dashboards[].owners[].first_name',
    'dashboards[].owners[].last_name',
    'dashboards[].position_json',
  ],
  get_dashboard_info: [
    'certified_by',
    'charts[].datasource_name',
    'charts[].description',
    'charts[].slice_name',
    'css',
    'dashboard_title',
    'description',
    'native_filters[].name',
    'native_filters[].targets[].*',
    'owners[].first_name',
    'owners[].last_name',
  ],
  'get_dashboard_info (permalink)': [
    'certified_by',
    'charts[].datasource_name',
    'charts[].description',
    'charts[].slice_name',
    'css',
    'dashboard_title',
    'description',
    'filter_state.*',
    'native_filters[].name',
    'native_filters[].targets[].*',
    'owners[].first_name',
    'owners[].last_name',
  ],
  'get_dashboard_info (every column)': [
    'certified_by',
    'changed_by_name',
    'charts[].datasource_name',
    'charts[].description',
    'charts[].slice_name',
    'created_by_name',
    'css',
    'dashboard_title',
    'description',
    'json_metadata',
    'native_filters[].name',
    'native_filters[].targets[].*',
    'owners[].first_name',
    'owners[].last_name',
    'position_json',
  ],
  list_datasets: [
    'datasets[].certification_details',
    'datasets[].certified_by',
    'datasets[].changed_by_name',
    'datasets[].columns[].column_name',
    'datasets[].columns[].description',
    'datasets[].columns[].expression',
    'datasets[].columns[].verbose_name',
    'datasets[].created_by_name',
    'datasets[].database_name',
    'datasets[].description',
    'datasets[].extra.*',
    'datasets[].metrics[].d3format',
    'datasets[].metrics[].description',
    'datasets[].metrics[].expression',
    'datasets[].metrics[].metric_name',
    'datasets[].metrics[].verbose_name',
    'datasets[].owners[].first_name',
    'datasets[].owners[].last_name',
    'datasets[].perm',
    'datasets[].schema_perm',
    'datasets[].sql',
    'datasets[].table_name',
  ],
  get_dataset_info: [
    'certification_details',
    'certified_by',
    'columns[].column_name',
    'columns[].description',
    'columns[].expression',
    'columns[].verbose_name',
    'database_name',
    'description',
    'extra.*',
    'metrics[].d3format',
    'metrics[].description',
    'metrics[].expression',
    'metrics[].metric_name',
    'metrics[].verbose_name',
    'owners[].first_name',
    'owners[].last_name',
    'schema_perm',
    'sql',
    'table_name',
  ],
  'get_dataset_info (every column)': [
    'certification_details',
    'certified_by',
    'changed_by_name',
    'columns[].column_name',
    'columns[].description',
    'columns[].expression',
    'columns[].verbose_name',
    'created_by_name',
    'database_name',
    'description',
    'extra.*',
    'metrics[].d3format',
    'metrics[].description',
    'metrics[].expression',
    'metrics[].metric_name',
    'metrics[].verbose_name',
    'owners[].first_name',
    'owners[].last_name',
    'perm',
    'schema_perm',
    'sql',
    'table_name',
  ],
  get_instance_info: ['current_user.first_name', 'current_user.last_name', 'popular_content.top_tags[]'],
}

/** Each tool's answer, with the user-written text it carries. */
const CALLS: Record<string, () => Promise<Raw>> = {
  create_virtual_dataset: async () => answers.create_virtual_dataset!,
  generate_chart: async () => answers.generate_chart!,
  generate_dashboard: async () => answers.generate_dashboard!,
  add_chart_to_existing_dashboard: async () => answers.add_chart_to_existing_dashboard!,
  update_chart: async () => answers.update_chart!,
  save_sql_query: async () => answers.save_sql_query!,
  list_charts: async () =>
    raw('list_charts', {
      search: PROBE,
      select_columns: (await ALL('chart')()).select_columns.map((column) => column.name),
    }),
  get_chart_info: () => raw('get_chart_info', { identifier: ids.chart }),
  'get_chart_info (every column)': async () =>
    raw('get_chart_info', {
      identifier: ids.chart,
      select_columns: (await ALL('chart')()).select_columns.map((column) => column.name),
    }),
  get_chart_data: () => raw('get_chart_data', { identifier: ids.chart }),
  'get_chart_data (csv)': () => raw('get_chart_data', { identifier: ids.chart, format: 'csv' }),
  'get_chart_preview (ascii)': () => raw('get_chart_preview', { identifier: ids.chart, format: 'ascii' }),
  'get_chart_preview (table)': () => raw('get_chart_preview', { identifier: ids.chart, format: 'table' }),
  'get_chart_preview (vega_lite)': () =>
    raw('get_chart_preview', { identifier: ids.chart, format: 'vega_lite' }),
  'get_chart_preview (url)': () => raw('get_chart_preview', { identifier: ids.chart, format: 'url' }),
  update_chart_preview: () =>
    raw('update_chart_preview', {
      dataset_id: ids.dataset,
      config,
      preview_formats: ['ascii', 'table', 'vega_lite'],
    }),
  list_dashboards: async () =>
    raw('list_dashboards', {
      search: PROBE,
      select_columns: (await ALL('dashboard')()).select_columns.map((column) => column.name),
    }),
  get_dashboard_info: () => raw('get_dashboard_info', { identifier: ids.dashboard }),
  'get_dashboard_info (permalink)': async () => {
    const answer = await raw('get_dashboard_info', { identifier: ids.dashboard, permalink_key: permalinkKey })
    expect(answer.structuredContent.is_permalink_state).toBe(true)
    return answer
  },
  'get_dashboard_info (every column)': async () =>
    raw('get_dashboard_info', {
      identifier: ids.dashboard,
      select_columns: [
        ...(await ALL('dashboard')()).select_columns.map((column) => column.name),
        'charts',
        'native_filters',
      ],
    }),
  list_datasets: async () =>
    raw('list_datasets', {
      search: PROBE,
      select_columns: (await ALL('dataset')()).select_columns.map((column) => column.name),
    }),
  get_dataset_info: () => raw('get_dataset_info', { identifier: ids.dataset }),
  'get_dataset_info (every column)': async () =>
    raw('get_dataset_info', {
      identifier: ids.dataset,
      select_columns: (await ALL('dataset')()).select_columns.map((column) => column.name),
    }),
  get_instance_info: () => raw('get_instance_info', {}),
}

describe('user-written text is marked wherever it appears', () => {
  it.each(Object.keys(CALLS))('%s: the probe appears only inside marked blocks', async (name) => {
    expect(collapse(expectProbeMarkedOnly(await CALLS[name]!()))).toEqual(MARKED[name])
  })

  it('instance://metadata: dataset and database names are marked', async () => {
    const { contents } = await rpcAs(USER, 'resources/read', { uri: 'instance://metadata' })
    const text = (contents as { text: string }[])[0]!.text
    expect(text).toContain(PROBE)
    expect(outsideBlocks(text)).not.toContain(PROBE)
    expect(markedPaths(JSON.parse(text))).toEqual([
      'available_databases[].database_name',
      'available_datasets[].table_name',
      'current_user.first_name',
      'current_user.last_name',
      'popular_content.top_tags[]',
    ])
  })
})

describe('user-written text quoted in an error is marked, the sentence around it is not', () => {
  // The caller's own misspellings (the metric's misses the probe's last character): not the probe.
  const misspelt = {
    ...config,
    x: { name: 'regoin' },
    y: [{ name: `${PROBE.slice(0, -1)} total`, saved_metric: true }],
  }

  it('an in-band failure names the dataset and its metrics inside blocks (generate_chart)', async () => {
    const result = await raw('generate_chart', { dataset_id: ids.dataset, config: misspelt })
    const answer = result.structuredContent as { success: boolean; error: { message: string } }
    expect(answer.success).toBe(false)
    expectProbeMarkedOnly(result)
    // The gateway's sentence and the caller's own misspelling stay plain; the dataset's names are marked.
    const { message } = answer.error
    expect(outsideBlocks(message)).toMatch(
      /^The config does not match dataset : unknown column "regoin" \(did you mean \?\)/,
    )
    expect(message).toContain(`${UNTRUSTED_OPEN}${PROBE} dataset${UNTRUSTED_CLOSE}`)
    expect(message).toContain(`(did you mean ${UNTRUSTED_OPEN}${PROBE} total${UNTRUSTED_CLOSE}?)`)
    expect(message).toContain(`(did you mean ${UNTRUSTED_OPEN}region${UNTRUSTED_CLOSE}?)`)
  })

  it('an error result marks them in its text and in its details (update_chart)', async () => {
    const result = (await rpcAs(USER, 'tools/call', {
      name: 'update_chart',
      arguments: { request: { identifier: ids.second, config: misspelt } },
    })) as Raw
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.structuredContent)).toContain(PROBE)
    expect(outsideBlocks(result.content[0]!.text)).not.toContain(PROBE)
    expect(outsideBlocks(JSON.stringify(result.structuredContent))).not.toContain(PROBE)
    expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent)
  })

  it('over plain HTTP the names are quoted, with no marker and no stray character', async () => {
    const response = await callHttpTool('generate_chart', { dataset_id: ids.dataset, config: misspelt })
    const text = await response.text()
    const { error } = JSON.parse(text) as { error: { message: string } }
    expect(error.message).toContain(`dataset "${PROBE} dataset": unknown column`)
    expect(error.message).toContain(`(did you mean "${PROBE} total"?)`)
    expect(countMarkers(text)).toEqual({ open: 0, close: 0 })
    expect(text).not.toMatch(/[\uE000\uE001]/)
  })
})

describe("the gateway's own text is never marked", () => {
  const unmarkedAnswers: [string, () => Promise<Raw>][] = [
    ...['xy', 'table', 'pie', 'big_number', 'pivot_table'].map(
      (type) =>
        [`get_chart_type_schema(${type})`, () => raw('get_chart_type_schema', { chart_type: type })] as [
          string,
          () => Promise<Raw>,
        ],
    ),
    ...['chart', 'dataset', 'dashboard', 'database'].map(
      (model) =>
        [`get_schema(${model})`, () => raw('get_schema', { model_type: model })] as [
          string,
          () => Promise<Raw>,
        ],
    ),
    ['health_check', () => raw('health_check', {})],
    // Built from the caller's own config: nothing in it was written in Superset.
    ['generate_explore_link', () => raw('generate_explore_link', { dataset_id: ids.dataset, config })],
  ]

  it.each(unmarkedAnswers)('%s carries no marker', async (_name, call) => {
    const result = await call()
    expect(countMarkers(result.content[0]!.text)).toEqual({ open: 0, close: 0 })
    expect(markedPaths(result.structuredContent)).toEqual([])
  })

  it('hints, list envelopes and operator names stay plain beside marked fields', async () => {
    const info = (await raw('get_dashboard_info', { identifier: ids.dashboard })).structuredContent
    expect(Object.keys(info.omitted_fields as object).sort()).toEqual(['json_metadata', 'position_json'])
    expect(JSON.stringify(info.omitted_fields)).not.toContain(UNTRUSTED_OPEN)
    const list = (
      await raw('list_charts', { filters: [{ col: 'slice_name', opr: 'ilike', value: `%${PROBE}%` }] })
    ).structuredContent
    expect(markedPaths(list).every((path) => path.startsWith('charts[].'))).toBe(true)
    expect(list.filters_applied).toEqual([{ col: 'slice_name', opr: 'ilike', value: `%${PROBE}%` }])
  })

  it('chart://configs and the prompts carry no marker', async () => {
    const { contents } = await rpcAs(USER, 'resources/read', { uri: 'chart://configs' })
    expect(countMarkers((contents as { text: string }[])[0]!.text)).toEqual({ open: 0, close: 0 })
    const prompt = await rpcAs(USER, 'prompts/get', { name: 'create_chart_guided', arguments: {} })
    expect(countMarkers(JSON.stringify(prompt))).toEqual({ open: 0, close: 0 })
  })
})

describe('a marked value copied into a request stores no marker', () => {
  it('an example and a marked chart name, copied into generate_chart, are saved as plain text', async () => {
    const schema = (await raw('get_chart_type_schema', { chart_type: 'xy' })).structuredContent
    const example = structuredClone((schema.examples as Record<string, unknown>[])[0]!)
    // As an agent might pass on what earlier answers showed it: markers around names and labels.
    const copied = JSON.parse(
      JSON.stringify(example).replaceAll(
        /"label":"([^"]*)"/g,
        `"label":"${UNTRUSTED_OPEN}$1${UNTRUSTED_CLOSE}"`,
      ),
    ) as Record<string, unknown>
    const info = (await raw('get_chart_info', { identifier: ids.chart })).structuredContent
    const markedName = info.slice_name as string
    expect(markedName).toBe(`${UNTRUSTED_OPEN}${PROBE} chart${UNTRUSTED_CLOSE}`)
    const saved = await raw('generate_chart', {
      dataset_id: 1,
      config: copied,
      chart_name: `${markedName} copy`,
      save_chart: true,
      generate_preview: false,
    })
    const id = Number((saved.structuredContent.chart as { id: number }).id)
    const [row] = await withMetadataDb((db) =>
      db.query<{ slice_name: string; params: string; query_context: string }>(
        sql`SELECT slice_name, params, query_context FROM slices WHERE id = ${id}`,
      ),
    )
    expect(row!.slice_name).toBe(`${PROBE} chart copy`)
    for (const text of [row!.slice_name, row!.params, row!.query_context])
      expect(countMarkers(text)).toEqual({ open: 0, close: 0 })
    // Read back, each field is one block again, not a block inside a block.
    const again = (await raw('get_chart_info', { identifier: id })).structuredContent
    expect(again.slice_name).toBe(`${UNTRUSTED_OPEN}${PROBE} chart copy${UNTRUSTED_CLOSE}`)
    const text = JSON.stringify(again)
    expect(countMarkers(text)).toEqual({
      open: (text.match(BLOCK) ?? []).length,
      close: (text.match(BLOCK) ?? []).length,
    })
    expect(text).not.toContain('&lt;')
  })

  it('a marked name copied into a filter finds the chart; a name split around a marker does not rejoin it', async () => {
    const list = (
      await raw('list_charts', {
        filters: [
          { col: 'slice_name', opr: 'eq', value: `${UNTRUSTED_OPEN}${PROBE} chart${UNTRUSTED_CLOSE}` },
        ],
      })
    ).structuredContent
    expect((list.charts as { id: number }[]).map((chart) => chart.id)).toEqual([ids.chart])
    const renamed = await raw('update_chart', {
      identifier: ids.second,
      chart_name: `${PROBE} <UNTRUSTED-<UNTRUSTED-CONTENT>CONTENT> nested`,
    })
    expect(unmarked(renamed.structuredContent)).toMatchObject({ chart: { slice_name: `${PROBE}  nested` } })
  })
})
