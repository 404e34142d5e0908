/**
 * What a dashboard is built from, for get_dashboard_datasets: the datasets of its charts (dashboard_slices →
 * slices → tables), each with whether the caller may use it, and the columns and metrics of those they may.
 */
import { sql, trusted, type Db } from '../../db'
import { datasetUsable } from '../access'
import { BACKEND_SQL } from '../models/database'
import type { Principal } from '../principal'

export interface DashboardDatasetRow {
  id: number
  uuid: string | null
  table_name: string | null
  schema: string | null
  database_id: number | null
  database_name: string | null
  backend: string | null
  /** Charts of the dashboard built on this dataset. */
  chart_count: number
  /** Superset's raise_for_access(datasource): data access to it, or owning it. */
  usable: boolean
}

/**
 * The datasets the dashboard's charts use (charts whose dataset no longer exists are left out, as
 * Superset skips a chart without a datasource), by dataset id.
 */
export async function datasetsOfDashboard(
  db: Db,
  dashboardId: number,
  principal: Principal,
): Promise<DashboardDatasetRow[]> {
  return db.query<DashboardDatasetRow>(sql`
    SELECT t.id, t.uuid::text AS uuid, t.table_name, t.schema, db.id AS database_id, db.database_name,
           ${trusted(BACKEND_SQL)} AS backend, count(*)::int AS chart_count,
           (${datasetUsable(principal, 't')}) AS usable
      FROM dashboard_slices ds
      JOIN slices s ON s.id = ds.slice_id AND s.datasource_type = 'table'
      JOIN tables t ON t.id = s.datasource_id
      LEFT JOIN dbs db ON db.id = t.database_id
     WHERE ds.dashboard_id = ${dashboardId}
     GROUP BY t.id, db.id
     ORDER BY t.id`)
}

export interface DatasetColumnRow {
  table_id: number
  column_name: string
  verbose_name: string | null
  type: string | null
  is_dttm: boolean | null
}

export interface DatasetMetricRow {
  table_id: number
  metric_name: string
  verbose_name: string | null
  expression: string | null
}

/** The columns and saved metrics of the datasets, each in the order they were added. */
export async function columnsAndMetrics(
  db: Db,
  datasetIds: readonly number[],
): Promise<{ columns: DatasetColumnRow[]; metrics: DatasetMetricRow[] }> {
  if (datasetIds.length === 0) return { columns: [], metrics: [] }
  const ids = [...datasetIds]
  const columns = await db.query<DatasetColumnRow>(sql`
    SELECT table_id, column_name, verbose_name, type, is_dttm FROM table_columns
     WHERE table_id = ANY(${ids}) ORDER BY table_id, id`)
  const metrics = await db.query<DatasetMetricRow>(sql`
    SELECT table_id, metric_name, verbose_name, expression FROM sql_metrics
     WHERE table_id = ANY(${ids}) ORDER BY table_id, id`)
  return { columns, metrics }
}
