import { sql } from '../../db'
import { datasetUsable } from '../../superset'
import type { ToolContext } from '../core'

/**
 * Superset's raise_for_access(datasource=…) for a chart's dataset: data access (datasource, schema,
 * catalog, database or all-access grants) or ownership of the dataset.
 */
export async function datasetAccessColumn(
  chartId: number,
  context: ToolContext,
): Promise<'accessible' | 'forbidden' | 'missing'> {
  const [row] = await context.db.query<{ exists: boolean; accessible: boolean }>(sql`
    SELECT t.id IS NOT NULL AS exists,
           COALESCE(${datasetUsable(context.principal, 't')}, false) AS accessible
      FROM slices s LEFT JOIN tables t ON t.id = s.datasource_id
     WHERE s.id = ${chartId}`)
  if (row === undefined || !row.exists) return 'missing'
  return row.accessible || context.principal.isAdmin ? 'accessible' : 'forbidden'
}
