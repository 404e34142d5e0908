/**
 * Dashboards as the authoring tools write them: a new dashboard with its charts and first owner, and a
 * layout change under a row lock (concurrent edits of one dashboard serialise; none is lost). The layout
 * itself (position_json) is the caller's to build; dashboard_slices always follows it.
 */
import { sql, type Db } from '../../db'
import { chartVisibility } from '../access'
import { addOwner } from '../models/ownership'
import type { Principal } from '../principal'
import { NOW_UTC } from '../timestamps'

export interface NewDashboard {
  title: string
  description: string | undefined
  published: boolean
  /** position_json, as an object. */
  layout: unknown
  /** json_metadata, as an object. */
  jsonMetadata: unknown
  chartIds: readonly number[]
}

/** The charts among `ids` the caller may see, with what a layout needs of them. */
export async function visibleChartsById(
  db: Db,
  ids: readonly number[],
  principal: Principal,
): Promise<{ id: number; slice_name: string | null; uuid: string | null }[]> {
  return db.query<{ id: number; slice_name: string | null; uuid: string | null }>(sql`
    SELECT s.id, s.slice_name, s.uuid::text AS uuid FROM slices s
     WHERE s.id = ANY(${[...ids]}) AND ${chartVisibility(principal, 's')}`)
}

/** Inserts the dashboard, links its charts and makes the user its owner; returns its id. */
export async function insertDashboard(tx: Db, dashboard: NewDashboard, userId: number): Promise<number> {
  const [created] = await tx.query<{ id: number }>(sql`
    INSERT INTO dashboards (created_on, changed_on, dashboard_title, position_json, created_by_fk, changed_by_fk, css,
                            description, slug, json_metadata, published, uuid, is_managed_externally)
    VALUES (${NOW_UTC}, ${NOW_UTC}, ${dashboard.title}, ${JSON.stringify(dashboard.layout)}, ${userId}, ${userId}, '',
            ${dashboard.description ?? null}, NULL, ${JSON.stringify(dashboard.jsonMetadata)}, ${dashboard.published},
            ${crypto.randomUUID()}::uuid, false)
    RETURNING id`)
  if (created === undefined) throw new Error('dashboard insert returned no id')
  await tx.query(
    sql`INSERT INTO dashboard_slices (dashboard_id, slice_id) SELECT ${created.id}, unnest(${[...dashboard.chartIds]}::int[])`,
  )
  await addOwner(tx, 'dashboard', created.id, userId)
  return created.id
}

/** The dashboard's layout and title, locked for update until the transaction ends; undefined when missing. */
export async function lockDashboardLayout(
  tx: Db,
  dashboardId: number,
): Promise<{ position_json: string | null; dashboard_title: string | null } | undefined> {
  const [current] = await tx.query<{ position_json: string | null; dashboard_title: string | null }>(sql`
    SELECT position_json, dashboard_title FROM dashboards WHERE id = ${dashboardId} FOR UPDATE`)
  return current
}

/** Whether the chart is linked to the dashboard already. */
export async function isChartOnDashboard(tx: Db, dashboardId: number, chartId: number): Promise<boolean> {
  const [linked] = await tx.query<{ present: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM dashboard_slices WHERE dashboard_id = ${dashboardId} AND slice_id = ${chartId}) AS present`)
  return linked?.present === true
}

/** Stores the new layout and links the chart it added. */
export async function addChartToLayout(
  tx: Db,
  change: { dashboardId: number; chartId: number; layout: unknown },
  userId: number,
): Promise<void> {
  await tx.query(sql`
    UPDATE dashboards SET position_json = ${JSON.stringify(change.layout)}, changed_on = ${NOW_UTC},
           changed_by_fk = ${userId}
     WHERE id = ${change.dashboardId}`)
  await tx.query(
    sql`INSERT INTO dashboard_slices (dashboard_id, slice_id) VALUES (${change.dashboardId}, ${change.chartId})`,
  )
}

/** The charts on a dashboard (dashboard_slices), as get_dashboard_info lists them. */
export async function chartsOnDashboard(db: Db, dashboardId: number) {
  return db.query<{
    id: number
    slice_name: string | null
    viz_type: string | null
    datasource_name: string | null
    description: string | null
  }>(sql`
    SELECT s.id, s.slice_name, s.viz_type, s.datasource_name, s.description
      FROM dashboard_slices ds JOIN slices s ON s.id = ds.slice_id
     WHERE ds.dashboard_id = ${dashboardId}
     ORDER BY s.id`)
}

/** The roles a dashboard is shared with (DASHBOARD_RBAC). */
export async function rolesOfDashboard(db: Db, dashboardId: number) {
  return db.query<{ id: number; name: string }>(sql`
    SELECT r.id, r.name FROM dashboard_roles dr JOIN ab_role r ON r.id = dr.role_id
     WHERE dr.dashboard_id = ${dashboardId} ORDER BY r.name`)
}
