/**
 * Dashboards as the development branch's editing tools change them (update_dashboard,
 * duplicate_dashboard, manage_native_filters): the row locked for the change, its fields, dashboard_slices
 * kept equal to the charts its layout places, copies with their first owner, and chart copies carrying
 * what Superset copies from their dataset (perm, schema_perm, catalog_perm). Every function here runs
 * inside the caller's transaction.
 */
import { join, sql, type Db, type SqlFragment } from '../../db'
import { datasetVisibility } from '../access'
import { addOwner } from '../models/ownership'
import type { Principal } from '../principal'
import { NOW_UTC } from '../timestamps'

/** What an edit reads of a dashboard before changing it. */
export interface EditableDashboard {
  id: number
  dashboard_title: string | null
  slug: string | null
  css: string | null
  description: string | null
  json_metadata: string | null
  position_json: string | null
  published: boolean
}

/** The dashboard, locked for update until the transaction ends; undefined when it no longer exists. */
export async function lockEditableDashboard(tx: Db, id: number): Promise<EditableDashboard | undefined> {
  const [row] = await tx.query<EditableDashboard>(sql`
    SELECT id, dashboard_title, slug, css, description, json_metadata, position_json, COALESCE(published, false) AS published
      FROM dashboards WHERE id = ${id} FOR UPDATE`)
  return row
}

/** Whether another dashboard than `exceptId` already has the slug (Superset's slug uniqueness). */
export async function isSlugTaken(db: Db, slug: string, exceptId: number | null): Promise<boolean> {
  const [row] = await db.query<{ taken: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM dashboards WHERE slug = ${slug} AND id IS DISTINCT FROM ${exceptId}) AS taken`)
  return row?.taken === true
}

/** The fields an update may set; an absent one is left as it is. */
export interface DashboardFieldChanges {
  title?: string
  description?: string
  /** null clears it. */
  slug?: string | null
  published?: boolean
  /** null clears it. */
  css?: string | null
  /** position_json, as an object. */
  layout?: unknown
  /** json_metadata, as an object. */
  jsonMetadata?: unknown
}

/** Stores the changed fields and records who changed the dashboard when. */
export async function updateDashboardFields(
  tx: Db,
  id: number,
  changes: DashboardFieldChanges,
  userId: number,
): Promise<void> {
  const set: SqlFragment[] = []
  if (changes.title !== undefined) set.push(sql`dashboard_title = ${changes.title}`)
  if (changes.description !== undefined) set.push(sql`description = ${changes.description}`)
  if (changes.slug !== undefined) set.push(sql`slug = ${changes.slug}`)
  if (changes.published !== undefined) set.push(sql`published = ${changes.published}`)
  if (changes.css !== undefined) set.push(sql`css = ${changes.css}`)
  if (changes.layout !== undefined) set.push(sql`position_json = ${JSON.stringify(changes.layout)}`)
  if (changes.jsonMetadata !== undefined)
    set.push(sql`json_metadata = ${JSON.stringify(changes.jsonMetadata)}`)
  set.push(sql`changed_on = ${NOW_UTC}`, sql`changed_by_fk = ${userId}`)
  await tx.query(sql`UPDATE dashboards SET ${join(set, ', ')} WHERE id = ${id}`)
}

/** Makes dashboard_slices list exactly `chartIds` (the charts the layout places), as Superset's save does. */
export async function setDashboardCharts(tx: Db, id: number, chartIds: readonly number[]): Promise<void> {
  await tx.query(sql`
    DELETE FROM dashboard_slices WHERE dashboard_id = ${id} AND NOT (slice_id = ANY(${[...chartIds]}::int[]))`)
  await tx.query(sql`
    INSERT INTO dashboard_slices (dashboard_id, slice_id)
    SELECT ${id}, c.id FROM slices c
     WHERE c.id = ANY(${[...chartIds]}::int[])
       AND NOT EXISTS (SELECT 1 FROM dashboard_slices ds WHERE ds.dashboard_id = ${id} AND ds.slice_id = c.id)`)
}

/** The ids of the charts linked to the dashboard (dashboard_slices), ascending. */
export async function dashboardChartIds(db: Db, id: number): Promise<number[]> {
  const rows = await db.query<{ slice_id: number }>(sql`
    SELECT slice_id FROM dashboard_slices WHERE dashboard_id = ${id} ORDER BY slice_id`)
  return rows.map((row) => row.slice_id)
}

/** The charts among `ids` that exist, with their uuid (Superset writes it into each CHART of a layout). */
export async function existingChartUuids(
  db: Db,
  ids: readonly number[],
): Promise<Map<number, string | null>> {
  const rows = await db.query<{ id: number; uuid: string | null }>(sql`
    SELECT id, uuid::text AS uuid FROM slices WHERE id = ANY(${[...ids]}::int[])`)
  return new Map(rows.map((row) => [row.id, row.uuid]))
}

/** A copy of a dashboard, as Superset's copy_dashboard makes it: a draft with no slug or description. */
export interface DashboardCopy {
  title: string
  css: string | null
  layout: unknown
  jsonMetadata: unknown
  chartIds: readonly number[]
}

/** Inserts the copy, links its charts and makes the user its only owner; returns its id. */
export async function insertDashboardCopy(tx: Db, copy: DashboardCopy, userId: number): Promise<number> {
  const [created] = await tx.query<{ id: number }>(sql`
    INSERT INTO dashboards (created_on, changed_on, dashboard_title, position_json, created_by_fk, changed_by_fk, css,
                            description, slug, json_metadata, published, uuid, is_managed_externally)
    VALUES (${NOW_UTC}, ${NOW_UTC}, ${copy.title}, ${JSON.stringify(copy.layout)}, ${userId}, ${userId}, ${copy.css},
            NULL, NULL, ${JSON.stringify(copy.jsonMetadata)}, false, ${crypto.randomUUID()}::uuid, false)
    RETURNING id`)
  if (created === undefined) throw new Error('dashboard insert returned no id')
  await setDashboardCharts(tx, created.id, copy.chartIds)
  await addOwner(tx, 'dashboard', created.id, userId)
  return created.id
}

/**
 * Copies each chart as Superset's Slice.clone does (name, dataset, viz type, params, description, cache
 * timeout; not the query context), owned by the user, with the permissions of its dataset as Superset's
 * insert listener sets them. Returns old id → new id, in the order given.
 */
export async function cloneCharts(
  tx: Db,
  chartIds: readonly number[],
  userId: number,
): Promise<Map<number, number>> {
  const copies = new Map<number, number>()
  for (const chartId of chartIds) {
    const [created] = await tx.query<{ id: number }>(sql`
      INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_name, viz_type, params,
                          created_by_fk, changed_by_fk, description, cache_timeout, perm, datasource_id, schema_perm,
                          catalog_perm, uuid, last_saved_at, last_saved_by_fk, is_managed_externally)
      SELECT ${NOW_UTC}, ${NOW_UTC}, s.slice_name, s.datasource_type, s.datasource_name, s.viz_type, s.params,
             ${userId}, ${userId}, s.description, s.cache_timeout, COALESCE(t.perm, s.perm), s.datasource_id,
             COALESCE(t.schema_perm, s.schema_perm), COALESCE(t.catalog_perm, s.catalog_perm),
             ${crypto.randomUUID()}::uuid, ${NOW_UTC}, ${userId}, false
        FROM slices s LEFT JOIN tables t ON t.id = s.datasource_id AND s.datasource_type = 'table'
       WHERE s.id = ${chartId}
      RETURNING id`)
    if (created === undefined) continue
    await addOwner(tx, 'chart', created.id, userId)
    copies.set(chartId, created.id)
  }
  return copies
}

/** Stores a dashboard's json_metadata (native filters) and records who changed it when. */
export async function saveDashboardMetadata(
  tx: Db,
  id: number,
  metadata: unknown,
  userId: number,
): Promise<void> {
  await updateDashboardFields(tx, id, { jsonMetadata: metadata }, userId)
}

/** A dataset the caller may see (DatasourceFilter) and its columns: what a native filter may target. */
export interface FilterableDataset {
  id: number
  columns: { name: string; is_dttm: boolean }[]
}

/** The dataset with its columns, or undefined when it is missing or hidden from the caller. */
export async function visibleDatasetColumns(
  db: Db,
  datasetId: number,
  principal: Principal,
): Promise<FilterableDataset | undefined> {
  const [row] = await db.query<{ id: number; columns: { name: string; is_dttm: boolean }[] }>(sql`
    SELECT t.id,
           COALESCE((SELECT json_agg(json_build_object('name', c.column_name, 'is_dttm', COALESCE(c.is_dttm, false))
                                     ORDER BY c.column_name)
                       FROM table_columns c WHERE c.table_id = t.id), '[]'::json) AS columns
      FROM tables t
     WHERE t.id = ${datasetId} AND ${datasetVisibility(principal, 't')}`)
  return row
}
