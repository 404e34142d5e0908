import { authoredColumnPaths } from './authored'
import {
  READ_ONLY,
  defineTool,
  type AnyToolDefinition,
  type CachePolicy,
  type ToolContext,
} from './definition'
import { resolveColumns, runList, type ModelSpec, type OptionalTable, type Row } from '../../superset'
import { listRequestSchema, listResponse, listResponseSchema, parseColumnList } from './list'

/** A Superset list tool (list_dashboards, list_charts, …) over one model spec. */
export function defineListTool(options: {
  name: string
  title: string
  description: string
  spec: ModelSpec
  cache: CachePolicy
  /** Optional Superset tables the model reads (the tool is hidden where one is missing). */
  requiresTables?: readonly OptionalTable[]
  /** Fills in, on the page's items, columns that need another query (they depend on who asks). */
  complete?: (items: Row[], columns: string[], context: ToolContext) => Promise<void>
}): AnyToolDefinition {
  const { spec } = options
  return defineTool({
    name: options.name,
    title: options.title,
    description:
      `${options.description} Filters or a text search, chosen columns, ordering and 1-based pages; ` +
      `get_schema(model_type="${spec.model}") lists the filter columns, operators and selectable columns.`,
    input: listRequestSchema(spec),
    output: listResponseSchema(spec.listKey),
    annotations: READ_ONLY,
    permission: spec.readPermission,
    cache: options.cache,
    ...(options.requiresTables === undefined ? {} : { requiresTables: options.requiresTables }),
    authored: authoredColumnPaths(spec, spec.listKey),
    run: async (request, context) => {
      const requested = parseColumnList(request.select_columns) ?? [...spec.defaultColumns]
      // Superset 6.1's BaseDAO.list skips names that are not the model's columns and orders only by an
      // attribute the model has: an unknown select column is left out (columns_loaded shows what was
      // loaded) and an unknown order_column keeps the default order, instead of failing the call.
      const known = requested.filter((column) => Object.hasOwn(spec.columns, column))
      const columns = resolveColumns(spec, known.length > 0 ? known : [...spec.defaultColumns])
      const orderColumn =
        request.order_column !== undefined && spec.sortable.includes(request.order_column)
          ? request.order_column
          : undefined
      const result = await runList(spec, { ...request, order_column: orderColumn }, columns, context)
      if (options.complete !== undefined) await options.complete(result.items, columns, context)
      return listResponse(spec, request, requested, columns, result, context.now)
    },
  })
}
