/**
 * Taking things off Superset's dashboards: one chart (its dashboard_slices row, with the layout and
 * metadata the caller pruned), or a whole dashboard with every row that depends on it, as Superset 6.1's
 * DeleteDashboardCommand leaves the database (the ORM's cascades and the tag listener's after_delete).
 * Each runs inside the caller's transaction.
 */
import { sql, type Db } from '../../db'
import type { OptionalTable } from '../schema-profile'
import { NOW_UTC } from '../timestamps'

export interface LockedDashboard {
  id: number
  dashboard_title: string | null
  position_json: string | null
  json_metadata: string | null
  /** The dashboard's charts (dashboard_slices). */
  chart_ids: number[]
}

/** The dashboard's layout, metadata and charts, locked for update until the transaction ends. */
export async function lockDashboardForRemoval(
  tx: Db,
  dashboardId: number,
): Promise<LockedDashboard | undefined> {
  const [row] = await tx.query<LockedDashboard>(sql`
    SELECT d.id, d.dashboard_title, d.position_json, d.json_metadata,
           ARRAY(SELECT ds.slice_id FROM dashboard_slices ds
                  WHERE ds.dashboard_id = d.id AND ds.slice_id IS NOT NULL ORDER BY ds.slice_id) AS chart_ids
      FROM dashboards d WHERE d.id = ${dashboardId} FOR UPDATE`)
  return row
}

/** Unlinks the chart and stores the pruned layout and metadata, as the user's change. */
export async function storeChartRemoval(
  tx: Db,
  change: { dashboardId: number; chartId: number; positionJson: string; jsonMetadata: string | null },
  userId: number,
): Promise<void> {
  await tx.query(
    sql`DELETE FROM dashboard_slices WHERE dashboard_id = ${change.dashboardId} AND slice_id = ${change.chartId}`,
  )
  await tx.query(sql`
    UPDATE dashboards
       SET position_json = ${change.positionJson},
           json_metadata = COALESCE(${change.jsonMetadata}::text, json_metadata),
           changed_on = ${NOW_UTC}, changed_by_fk = ${userId}
     WHERE id = ${change.dashboardId}`)
}

/** Names of the alerts and reports scheduled on the dashboard (Superset refuses to delete it then). */
export async function reportsOnDashboard(db: Db, dashboardId: number): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    sql`SELECT name FROM report_schedule WHERE dashboard_id = ${dashboardId} ORDER BY name`,
  )
  return rows.map((row) => row.name)
}

/**
 * Deletes the dashboard and what hangs on it: chart links, owners, roles, embedding, its tags
 * (tagged_object, where the table exists) and favourites. Charts stay. Whether the dashboard existed.
 */
export async function deleteDashboardRows(
  tx: Db,
  dashboardId: number,
  tables: readonly OptionalTable[],
): Promise<boolean> {
  await tx.query(sql`DELETE FROM dashboard_slices WHERE dashboard_id = ${dashboardId}`)
  await tx.query(sql`DELETE FROM dashboard_user WHERE dashboard_id = ${dashboardId}`)
  await tx.query(sql`DELETE FROM dashboard_roles WHERE dashboard_id = ${dashboardId}`)
  await tx.query(sql`DELETE FROM embedded_dashboards WHERE dashboard_id = ${dashboardId}`)
  if (tables.includes('tagged_object')) {
    await tx.query(
      sql`DELETE FROM tagged_object WHERE object_type::text = 'dashboard' AND object_id = ${dashboardId}`,
    )
  }
  await tx.query(sql`DELETE FROM favstar WHERE class_name = 'Dashboard' AND obj_id = ${dashboardId}`)
  const deleted = await tx.query<{ id: number }>(
    sql`DELETE FROM dashboards WHERE id = ${dashboardId} RETURNING id`,
  )
  return deleted.length > 0
}
