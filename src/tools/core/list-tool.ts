import * as z from 'zod'
import { authoredColumnPaths } from './authored'
import {
  READ_ONLY,
  defineTool,
  type AnyToolDefinition,
  type CachePolicy,
  type ToolContext,
} from './definition'
import { resolveColumns, runList, type ModelSpec, type OptionalTable, type Row } from '../../superset'
import {
  listRequestSchema,
  listResponse,
  listResponseSchema,
  parseColumnList,
  type ListRequest,
} from './list'

/**
 * A list inside one parent object (list_layer_annotations lists one annotation layer's annotations): the
 * request field naming the parent, echoed in the answer.
 */
export interface ListScope {
  field: string
  description: string
  /** The model narrowed to the parent's rows; fails as a missing object when the parent is not visible. */
  narrow(parentId: number, context: ToolContext): Promise<ModelSpec>
}

/** A Superset list tool (list_dashboards, list_charts, …) over one model spec. */
export function defineListTool(options: {
  name: string
  title: string
  description: string
  spec: ModelSpec
  /** Omitted: never cached (admin lists of users and logs). */
  cache?: CachePolicy
  /** false for models get_schema does not describe (the development branch's). */
  schemaHint?: boolean
  scope?: ListScope
  requiresTables?: readonly OptionalTable[]
  /** The request as run and reported (filters_applied): e.g. list_action_logs' default time window. */
  effectiveRequest?: (request: ListRequest, context: ToolContext) => ListRequest
  /** Fills in, on the page's items, columns that need another query (they depend on who asks). */
  complete?: (items: Row[], columns: string[], context: ToolContext) => Promise<void>
  /** The request's page_size default, where the tool's Superset request model has its own (10 otherwise). */
  defaultPageSize?: number
}): AnyToolDefinition {
  const { spec, scope } = options
  const scopeShape: Record<string, z.ZodType> =
    scope === undefined ? {} : { [scope.field]: z.int().positive().describe(scope.description) }
  const input = listRequestSchema(spec, scopeShape, options.defaultPageSize)
  return defineTool({
    name: options.name,
    title: options.title,
    description:
      `${options.description} Filters or a text search, chosen columns, ordering and 1-based pages` +
      (options.schemaHint === false
        ? '.'
        : `; get_schema(model_type="${spec.model}") lists the filter columns, operators and selectable columns.`),
    input,
    output: listResponseSchema(spec.listKey).extend(scopeShape),
    annotations: READ_ONLY,
    permission: spec.readPermission,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    ...(options.requiresTables === undefined ? {} : { requiresTables: options.requiresTables }),
    authored: authoredColumnPaths(spec, spec.listKey),
    run: async (given, context) => {
      const request = options.effectiveRequest ? options.effectiveRequest(given, context) : given
      const parentId =
        scope === undefined ? undefined : ((request as Record<string, unknown>)[scope.field] as number)
      const model =
        scope === undefined || parentId === undefined ? spec : await scope.narrow(parentId, context)
      const requested = parseColumnList(request.select_columns) ?? [...model.defaultColumns]
      // Superset 6.1's BaseDAO.list skips names that are not the model's columns and orders only by an
      // attribute the model has: an unknown select column is left out (columns_loaded shows what was
      // loaded) and an unknown order_column keeps the default order, instead of failing the call.
      const known = requested.filter((column) => Object.hasOwn(model.columns, column))
      const columns = resolveColumns(model, known.length > 0 ? known : [...model.defaultColumns])
      const orderColumn =
        request.order_column !== undefined && model.sortable.includes(request.order_column)
          ? request.order_column
          : undefined
      const result = await runList(model, { ...request, order_column: orderColumn }, columns, context)
      if (options.complete !== undefined) await options.complete(result.items, columns, context)
      const answer = listResponse(model, request, requested, columns, result, context.now)
      if (scope === undefined) return answer
      // As the development branch's list_layer_annotations: the parent is the first filter applied.
      const parentFilter = { col: scope.field, opr: 'eq', value: parentId }
      return {
        ...answer,
        filters_applied: [parentFilter, ...answer.filters_applied],
        [scope.field]: parentId,
      }
    },
  })
}
