/**
 * What completion offers while a prompt argument or a URI template variable is typed (MCP
 * `completion/complete`): values from a closed list, or the names of Superset objects the caller may see.
 */
import {
  chartSpec,
  dashboardSpec,
  datasetSpec,
  resolveColumns,
  runList,
  type ModelSpec,
} from '../../superset'
import { COMPLETION_LIMIT, type Completer, type ToolContext } from './definition'

/**
 * The values that contain what was typed (case-insensitively), those that start with it first, each
 * group in its given order; all of them for nothing typed. Not cut: the dispatcher answers the first
 * COMPLETION_LIMIT and says whether there were more.
 */
export function completeFrom(values: readonly string[], typed: string): string[] {
  const needle = typed.trim().toLowerCase()
  const starting: string[] = []
  const containing: string[] = []
  for (const value of values) {
    const folded = value.toLowerCase()
    if (folded.startsWith(needle)) starting.push(value)
    else if (folded.includes(needle)) containing.push(value)
  }
  return [...starting, ...containing]
}

/** The models whose names completion offers, and the column that names each. */
const NAMED_MODELS = {
  dataset: { spec: datasetSpec, column: 'table_name' },
  chart: { spec: chartSpec, column: 'slice_name' },
  dashboard: { spec: dashboardSpec, column: 'dashboard_title' },
} as const satisfies Record<string, { spec: ModelSpec; column: string }>

export type NamedModel = keyof typeof NAMED_MODELS

/**
 * Names of the caller's datasets, charts or dashboards containing what was typed: the rows their list
 * tool would show this caller (the same visibility and class permission), so a suggestion never names
 * something the caller could not open.
 */
export async function visibleNames(
  model: NamedModel,
  typed: string,
  context: ToolContext,
): Promise<string[]> {
  const { spec, column } = NAMED_MODELS[model]
  const { permission, view } = spec.readPermission
  if (!context.principal.can(permission, view)) return []
  const needle = typed.trim()
  const result = await runList(
    spec,
    {
      filters: needle === '' ? [] : [{ col: column, opr: 'ilike', value: needle }],
      order_column: column,
      order_direction: 'asc',
      page: 1,
      // One more than is answered, so that the answer can say there are more.
      page_size: COMPLETION_LIMIT + 1,
    },
    resolveColumns(spec, [column]),
    context,
  )
  const names = result.items.flatMap((row) => {
    const name = row[column]
    return typeof name === 'string' && name !== '' ? [name] : []
  })
  return completeFrom([...new Set(names)], needle)
}

/** A completer offering the names of the given models the caller may see, model by model. */
export function namesOf(...models: NamedModel[]): Completer {
  return async (typed, context) => {
    const found = await Promise.all(models.map((model) => visibleNames(model, typed, context)))
    return completeFrom([...new Set(found.flat())], typed)
  }
}
