import * as z from 'zod'
import { authoredColumnPaths } from './authored'
import { CacheControlFields } from './cache-flags'
import {
  READ_ONLY,
  defineTool,
  type AnyToolDefinition,
  type CachePolicy,
  type ToolContext,
} from './definition'
import { IdentifierSchema } from './identifier'
import {
  findVisibleRow,
  projectRow,
  resolveColumns,
  type ModelSpec,
  type OptionalTable,
  type Row,
} from '../../superset'
import { parseColumnList, SelectColumnsSchema } from './list'
import { requestObject } from './request'

/**
 * A Superset get-info tool over one model spec (Superset's ModelGetInfoCore): one row by id or UUID
 * through the model's visibility filter, with its default columns or the ones asked for.
 */
export function defineGetTool(options: {
  name: string
  title: string
  description: string
  spec: ModelSpec
  /** "Dataset" in "Dataset with identifier '7' not found". */
  label: string
  defaultColumns: readonly string[]
  /** Extra shape of the answer beyond `id` (nested lists). */
  output?: z.ZodRawShape
  /** Absent: the answer is never cached. */
  cache?: CachePolicy
  /** The identifier's schema, for models without UUIDs (a numeric id only). */
  identifier?: z.ZodType<number | string>
  /** Optional Superset tables the model reads (the tool is hidden where one is missing). */
  requiresTables?: readonly OptionalTable[]
  /** Adds to the answer what needs another query (nested lists that depend on who asks). */
  complete?: (item: Row, columns: string[], context: ToolContext) => Promise<Row>
}): AnyToolDefinition {
  const { spec } = options
  return defineTool({
    name: options.name,
    title: options.title,
    description: options.description,
    input: requestObject({
      identifier: options.identifier ?? IdentifierSchema,
      select_columns: SelectColumnsSchema,
      ...CacheControlFields,
    }),
    output: z.looseObject({ id: z.int(), ...options.output }),
    annotations: READ_ONLY,
    permission: spec.readPermission,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    ...(options.requiresTables === undefined ? {} : { requiresTables: options.requiresTables }),
    authored: authoredColumnPaths(spec),
    run: async (request, context) => {
      const columns = resolveColumns(
        spec,
        parseColumnList(request.select_columns) ?? [...options.defaultColumns],
      )
      const row = await findVisibleRow(spec, request.identifier, columns, context, {
        slug: false,
        label: options.label,
      })
      const item = { ...projectRow(spec, columns, row, context), id: Number(row.id) }
      return options.complete === undefined
        ? item
        : { ...(await options.complete(item, columns, context)), id: item.id }
    },
  })
}
