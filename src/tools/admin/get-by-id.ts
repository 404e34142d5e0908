/**
 * The development branch's admin get-info tools (get_user_info, get_role_info, get_rls_filter_info,
 * get_action_log_info): one row by integer id, every field of the model's info schema, no column choice.
 */
import * as z from 'zod'
import {
  findVisibleRow,
  projectRow,
  resolveColumns,
  type ModelSpec,
  type OptionalTable,
} from '../../superset'
import { authoredColumnPaths, defineTool, READ_ONLY, requestObject, type AnyToolDefinition } from '../core'

export function defineGetByIdTool(options: {
  name: string
  title: string
  description: string
  spec: ModelSpec
  /** "User" in "User with identifier '99' not found". */
  label: string
  columns: readonly string[]
  requiresTables?: readonly OptionalTable[]
}): AnyToolDefinition {
  const { spec } = options
  return defineTool({
    name: options.name,
    title: options.title,
    description: options.description,
    input: requestObject({
      identifier: z.int().positive().describe(`${options.label} id (integer).`),
    }),
    output: z.looseObject({ id: z.int() }),
    annotations: READ_ONLY,
    permission: spec.readPermission,
    ...(options.requiresTables === undefined ? {} : { requiresTables: options.requiresTables }),
    authored: authoredColumnPaths(spec),
    run: async (request, context) => {
      const columns = resolveColumns(spec, [...options.columns])
      const row = await findVisibleRow(spec, request.identifier, columns, context, {
        slug: false,
        label: options.label,
      })
      return { ...projectRow(spec, columns, row, context), id: Number(row.id) }
    },
  })
}
