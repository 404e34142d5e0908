import * as z from 'zod'
import { authoredColumnPaths } from './authored'
import { CacheControlFields } from './cache-flags'
import { READ_ONLY, defineTool, type AnyToolDefinition, type CachePolicy } from './definition'
import { IdentifierSchema } from './identifier'
import {
  findVisibleRow,
  projectRow,
  resolveColumns,
  type ModelSpec,
  type OptionalTable,
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
  /** Superset tables the model reads that older metadata databases may lack (definition.ts). */
  requiresTables?: readonly OptionalTable[]
}): AnyToolDefinition {
  const { spec } = options
  return defineTool({
    name: options.name,
    title: options.title,
    description: options.description,
    input: requestObject({
      identifier: IdentifierSchema,
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
      return { ...projectRow(spec, columns, row, context), id: Number(row.id) }
    },
  })
}
