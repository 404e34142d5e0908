import { authoredColumnPaths } from './authored'
import { READ_ONLY, defineTool, type AnyToolDefinition, type CachePolicy } from './definition'
import { resolveColumns, runList, type ModelSpec, type OptionalTable } from '../../superset'
import { listRequestSchema, listResponse, listResponseSchema, parseColumnList } from './list'

/** A Superset list tool (list_dashboards, list_charts, …) over one model spec. */
export function defineListTool(options: {
  name: string
  title: string
  description: string
  spec: ModelSpec
  /** Absent: the answer is never cached. */
  cache?: CachePolicy
  /** Superset tables the model reads that older metadata databases may lack (definition.ts). */
  requiresTables?: readonly OptionalTable[]
  /** The request's page_size default, where the tool's Superset request model has its own (10 otherwise). */
  defaultPageSize?: number
  /** Where the model has no get_schema entry, the description leaves out the pointer to it. */
  describedBySchema?: boolean
}): AnyToolDefinition {
  const { spec } = options
  return defineTool({
    name: options.name,
    title: options.title,
    description:
      `${options.description} Filters or a text search, chosen columns, ordering and 1-based pages` +
      (options.describedBySchema === false
        ? '.'
        : `; get_schema(model_type="${spec.model}") lists the filter columns, operators and selectable columns.`),
    input: listRequestSchema(spec, options.defaultPageSize),
    output: listResponseSchema(spec.listKey),
    annotations: READ_ONLY,
    permission: spec.readPermission,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
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
      return listResponse(spec, request, requested, columns, result, context.now)
    },
  })
}
