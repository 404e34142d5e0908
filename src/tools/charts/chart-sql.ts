/**
 * get_chart_sql (Superset's development branch, chart/tool/get_chart_sql.py): the SQL a saved chart
 * would run for the caller — Superset's "View query" — with the caller's row-level security inside it,
 * built and checked by the same engine as get_chart_data (src/query) and never executed.
 */
import * as z from 'zod'
import { displaySql, prepareDatasetQuery, type QueryObject } from '../../query'
import { authored, defineTool, IdentifierSchema, READ_ONLY, requestObject, type ToolContext } from '../core'
import { loadTarget } from './data'
import type { LoadedChart } from './lookup'

const GetChartSqlRequestSchema = requestObject({
  identifier: IdentifierSchema.optional().describe(
    'Chart identifier: numeric id or UUID. Optional when form_data_key is given.',
  ),
  form_data_key: z
    .string()
    .min(1)
    .optional()
    .describe("Key of an unsaved explore state (Superset's cache; not readable by the gateway)."),
}).refine((request) => request.identifier !== undefined || request.form_data_key !== undefined, {
  message: "At least one of 'identifier' or 'form_data_key' must be provided.",
})

/** The development branch's ChartSql. */
const ChartSqlSchema = z.object({
  chart_id: z.int().nullable(),
  chart_name: authored(z.string().nullable()),
  // Carries the chart's and dataset's own expressions and names.
  sql: authored(z.string()),
  language: z.string().nullable(),
  datasource_name: authored(z.string().nullable()),
  error: z.string().nullable(),
})

export const getChartSql = defineTool({
  name: 'get_chart_sql',
  title: 'Get chart SQL',
  description:
    'The SQL a saved chart (by id or UUID) would run for you, as Superset\'s "View query" shows it, without running it. ' +
    'It includes your row-level security filters and the table and schema names.',
  input: GetChartSqlRequestSchema,
  output: ChartSqlSchema,
  annotations: READ_ONLY,
  // The development branch: class_permission_name="SQLLab", method_permission_name="execute_sql_query".
  permission: { permission: 'can_execute_sql_query', view: 'SQLLab' },
  run: async (request, context) => {
    const loaded = await loadTarget(request, context)
    const queries = [loaded.query.query]
    if (loaded.query.secondary !== undefined) queries.push(loaded.query.secondary.query)
    const texts: string[] = []
    for (const query of queries) texts.push(await chartSql(loaded, query, context))
    const sqlText =
      texts.length === 1
        ? texts[0]!
        : texts.map((text, index) => `-- Query ${index + 1}\n${text}`).join('\n\n')
    return {
      chart_id: loaded.chart.id,
      chart_name: loaded.chart.slice_name,
      sql: sqlText,
      language: 'sql',
      datasource_name: loaded.dataset.table_name,
      error: null,
    }
  },
})

async function chartSql(loaded: LoadedChart, query: QueryObject, context: ToolContext): Promise<string> {
  const what = `Chart ${loaded.chart.id}`
  const prepared = await prepareDatasetQuery(
    {
      metadata: context.db,
      principal: context.principal,
      config: context.config,
      log: context.log,
      now: context.now,
    },
    loaded.dataset,
    query,
    what,
  )
  return displaySql(prepared.statement, what)
}
