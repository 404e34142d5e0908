/**
 * Charts (Superset's `slices`) as the chart tools read and write them: a chart by identifier among those
 * the caller may see, the dataset a chart or a request names if the caller may use it, and saving a chart
 * with what Superset copies from its dataset (perm, schema_perm, catalog_perm, datasource_name).
 */
import { and, sql, trusted, type Db } from '../../db'
import { chartVisibility, datasetUsable } from '../access'
import { identifierCondition, type Identifier } from '../models/model'
import { addOwner } from '../models/ownership'
import type { Principal } from '../principal'
import { NOW_UTC } from '../timestamps'

export interface ChartRecord {
  id: number
  slice_name: string | null
  viz_type: string
  description: string | null
  datasource_id: number | null
  datasource_type: string | null
  params: string | null
  query_context: string | null
}

/** The chart, if it exists and ChartFilter lets the principal see it. */
export async function findVisibleChart(
  db: Db,
  identifier: Identifier,
  principal: Principal,
): Promise<ChartRecord | undefined> {
  const [chart] = await db.query<ChartRecord>(sql`
    SELECT s.id, s.slice_name, COALESCE(s.viz_type, '') AS viz_type, s.description, s.datasource_id, s.datasource_type,
           s.params, s.query_context
      FROM slices s
     WHERE ${and([identifierCondition('s', identifier, { slug: false }), chartVisibility(principal, 's')])}
     LIMIT 1`)
  return chart
}

/** The id of the dataset an identifier names, if the principal may use it (data access or ownership). */
export async function findUsableDatasetId(
  db: Db,
  identifier: Identifier,
  principal: Principal,
): Promise<number | undefined> {
  const [row] = await db.query<{ id: number }>(sql`
    SELECT t.id FROM tables t
     WHERE ${identifierCondition('t', identifier, { slug: false })} AND ${datasetUsable(principal, 't')}
     LIMIT 1`)
  return row?.id
}

/**
 * Superset's raise_for_access(datasource=…) for a chart's dataset: data access (datasource, schema,
 * catalog, database or all-access grants) or ownership of the dataset.
 */
export async function chartDatasetAccess(
  db: Db,
  chartId: number,
  principal: Principal,
): Promise<'accessible' | 'forbidden' | 'missing'> {
  const [row] = await db.query<{ exists: boolean; accessible: boolean }>(sql`
    SELECT t.id IS NOT NULL AS exists,
           COALESCE(${datasetUsable(principal, 't')}, false) AS accessible
      FROM slices s LEFT JOIN tables t ON t.id = s.datasource_id
     WHERE s.id = ${chartId}`)
  if (row === undefined || !row.exists) return 'missing'
  return row.accessible || principal.isAdmin ? 'accessible' : 'forbidden'
}

/** What a saved chart holds (the dataset's permissions and name are copied from its row). */
export interface ChartContent {
  name: string
  vizType: string
  /** The form data, saved as `params`. */
  params: unknown
  /** The query context as saved in `query_context`: the JSON text that was checked and run. */
  queryContext: string
  datasetId: number
  /** Saved when given; an update keeps the chart's own when not. */
  cacheTimeout: number | undefined
}

/** Superset's `slices.datasource_name`: `schema.table`, or the table alone without a schema (over `tables t`). */
const DATASOURCE_NAME = trusted(
  "CASE WHEN COALESCE(t.schema, '') = '' THEN t.table_name ELSE t.schema || '.' || t.table_name END",
)

/** Inserts the chart owned by the user; undefined when its dataset no longer exists. */
export async function insertChart(tx: Db, chart: ChartContent, userId: number): Promise<number | undefined> {
  const [created] = await tx.query<{ id: number }>(sql`
    INSERT INTO slices (created_on, changed_on, slice_name, datasource_type, datasource_name, viz_type, params,
                        created_by_fk, changed_by_fk, cache_timeout, perm, datasource_id, schema_perm, catalog_perm, uuid,
                        query_context, last_saved_at, last_saved_by_fk, is_managed_externally)
    SELECT ${NOW_UTC}, ${NOW_UTC}, ${chart.name}, 'table',
           ${DATASOURCE_NAME},
           ${chart.vizType}, ${JSON.stringify(chart.params)}, ${userId}, ${userId}, ${chart.cacheTimeout ?? null},
           t.perm, t.id, t.schema_perm, t.catalog_perm, ${crypto.randomUUID()}::uuid, ${chart.queryContext},
           ${NOW_UTC}, ${userId}, false
      FROM tables t WHERE t.id = ${chart.datasetId}
    RETURNING id`)
  if (created === undefined) return undefined
  await addOwner(tx, 'chart', created.id, userId)
  return created.id
}

/** Renames a chart (and records who saved it when). */
export async function renameChart(db: Db, chartId: number, name: string, userId: number): Promise<void> {
  await db.query(sql`
    UPDATE slices SET slice_name = ${name}, changed_on = ${NOW_UTC}, changed_by_fk = ${userId},
           last_saved_at = ${NOW_UTC}, last_saved_by_fk = ${userId}
     WHERE id = ${chartId}`)
}

/** Replaces a chart's content, as Superset's save of an existing chart does. */
export async function saveChart(db: Db, chartId: number, chart: ChartContent, userId: number): Promise<void> {
  await db.query(sql`
    UPDATE slices s SET slice_name = ${chart.name}, viz_type = ${chart.vizType}, params = ${JSON.stringify(chart.params)},
           query_context = ${chart.queryContext}, datasource_id = t.id, datasource_type = 'table',
           datasource_name = ${DATASOURCE_NAME},
           perm = t.perm, schema_perm = t.schema_perm, catalog_perm = t.catalog_perm,
           cache_timeout = COALESCE(${chart.cacheTimeout ?? null}, s.cache_timeout),
           changed_on = ${NOW_UTC}, changed_by_fk = ${userId}, last_saved_at = ${NOW_UTC}, last_saved_by_fk = ${userId}
      FROM tables t
     WHERE s.id = ${chartId} AND t.id = ${chart.datasetId}`)
}
