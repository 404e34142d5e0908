import { READ_ONLY, defineTool, type AnyToolDefinition, type CachePolicy } from './definition'
import { resolveColumns, runList, type ModelSpec } from '../../superset'
import { listRequestSchema, listResponse, listResponseSchema, parseColumnList } from './list'

/** A Superset list tool (list_dashboards, list_charts, …) over one model spec. */
export function defineListTool(options: {
  name: string
  title: string
  description: string
  spec: ModelSpec
  cache: CachePolicy
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
    run: async (request, context) => {
      const requested = parseColumnList(request.select_columns) ?? [...spec.defaultColumns]
      const columns = resolveColumns(spec, requested)
      const result = await runList(spec, request, columns, context)
      return listResponse(spec, request, requested, columns, result, context.now)
    },
  })
}
