/**
 * Dataset writes of the development-branch tools, as Superset 6.1's commands leave the metadata:
 *
 * - a physical dataset (CreateDatasetCommand + SqlaTable.fetch_metadata): the `tables` row with perm /
 *   schema_perm / catalog_perm and their permission pairs, the table's columns as the database reports
 *   them, the `count` metric fetch_metadata adds, its owners;
 * - a saved metric's properties (UpdateDatasetCommand on one metric), keeping metric names unique per
 *   dataset.
 *
 * Run inside the caller's transaction.
 */
import { join, sql, trusted, type Db, type SqlFragment } from '../../db'
import { GatewayError } from '../../errors'
import { addOwner } from '../models/ownership'
import { NOW_UTC } from '../timestamps'
import { nameAndDescribeDataset, registerPermissions, type NewDatasetColumn } from './datasets'

export interface NewPhysicalDataset {
  table_name: string
  schema: string | null
  catalog: string | null
}

/**
 * The dataset already registered for this table (DatasetDAO.validate_uniqueness), if any: the same
 * relation as the analytics queries read it, so a missing schema is `public` and the catalog is not
 * compared (queries never name it). Row-level security hangs on a dataset, so a second dataset on the
 * same table would read it without the first one's filters.
 */
export async function findDatasetForTable(
  db: Db,
  databaseId: number,
  table: NewPhysicalDataset,
): Promise<number | undefined> {
  const [row] = await db.query<{ id: number }>(sql`
    SELECT id FROM tables WHERE database_id = ${databaseId} AND table_name = ${table.table_name}
       AND COALESCE(NULLIF(schema, ''), 'public') = COALESCE(NULLIF(${table.schema}::text, ''), 'public')
     ORDER BY id LIMIT 1`)
  return row?.id
}

/** Existing users among the ids (for the owners list). */
export async function existingUserIds(db: Db, ids: readonly number[]): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    sql`SELECT id FROM ab_user WHERE id = ANY(${[...ids]}) ORDER BY id`,
  )
  return rows.map((row) => row.id)
}

export async function insertPhysicalDataset(
  tx: Db,
  table: NewPhysicalDataset,
  databaseId: number,
  columns: readonly NewDatasetColumn[],
  owners: readonly number[],
  userId: number,
): Promise<number> {
  const existing = await findDatasetForTable(tx, databaseId, table)
  if (existing !== undefined) throw datasetExists(table, existing)
  const temporal = columns.find((column) => column.isTemporal)?.name ?? null
  const [created] = await tx.query<{ id: number }>(sql`
    INSERT INTO tables (created_on, changed_on, table_name, main_dttm_col, database_id, created_by_fk, changed_by_fk,
                        "offset", schema, catalog, sql, filter_select_enabled, is_sqllab_view, is_featured,
                        normalize_columns, always_filter_main_dttm, uuid, is_managed_externally)
    VALUES (${NOW_UTC}, ${NOW_UTC}, ${table.table_name}, ${temporal}, ${databaseId}, ${userId}, ${userId}, 0,
            ${table.schema}, ${table.catalog}, NULL, true, false, false, false, false, ${crypto.randomUUID()}::uuid, false)
    RETURNING id`)
  if (created === undefined) throw new Error('dataset insert returned no id')
  await nameAndDescribeDataset(tx, created.id, columns, userId)
  // SqlaTable.fetch_metadata's default metric.
  await tx.query(sql`
    INSERT INTO sql_metrics (created_on, changed_on, metric_name, verbose_name, metric_type, table_id, expression,
                             created_by_fk, changed_by_fk, extra, uuid)
    VALUES (${NOW_UTC}, ${NOW_UTC}, 'count', 'COUNT(*)', 'count', ${created.id}, 'COUNT(*)', ${userId}, ${userId}, '{}',
            gen_random_uuid())`)
  for (const owner of owners) await addOwner(tx, 'dataset', created.id, owner)
  await registerPermissions(tx, created.id)
  return created.id
}

function datasetExists(table: NewPhysicalDataset, id: number): GatewayError {
  const name = table.schema === null ? table.table_name : `${table.schema}.${table.table_name}`
  return new GatewayError('ConflictError', `Dataset ${JSON.stringify(name)} already exists (id ${id}).`, {
    details: {
      reason: 'dataset_exists',
      error_type: 'DatasetExistsError',
      resource_type: 'dataset',
      resource_id: id,
    },
  })
}

/** A saved metric as the metric tools read and answer it (the development branch's DatasetMetricDetail). */
export interface MetricRecord {
  id: number
  uuid: string | null
  metric_name: string
  verbose_name: string | null
  expression: string
  description: string | null
  d3format: string | null
  metric_type: string | null
  currency: unknown
  warning_text: string | null
  extra: string | null
}

const METRIC_COLUMNS = sql`m.id, m.uuid::text AS uuid, m.metric_name, m.verbose_name, m.expression, m.description,
       m.d3format, m.metric_type, m.currency, m.warning_text, m.extra`

export async function datasetMetrics(db: Db, datasetId: number): Promise<MetricRecord[]> {
  return db.query<MetricRecord>(
    sql`SELECT ${METRIC_COLUMNS} FROM sql_metrics m WHERE m.table_id = ${datasetId} ORDER BY m.id`,
  )
}

export interface MetricChanges {
  metric_name?: string | undefined
  verbose_name?: string | null | undefined
  expression?: string | undefined
  description?: string | null | undefined
  d3format?: string | null | undefined
  metric_type?: string | null | undefined
  currency?: unknown
  warning_text?: string | null | undefined
  extra?: string | null | undefined
}

/** The metric properties a call may change: sql_metrics columns, named in code only. */
const METRIC_PROPERTIES = [
  'metric_name',
  'verbose_name',
  'expression',
  'description',
  'd3format',
  'metric_type',
  'currency',
  'warning_text',
  'extra',
] as const satisfies readonly (keyof MetricChanges)[]

/** Changes the given properties of one metric (locked with its dataset); returns it as stored. */
export async function updateMetric(
  tx: Db,
  datasetId: number,
  metricId: number,
  changes: MetricChanges,
  userId: number,
): Promise<MetricRecord> {
  await tx.query(sql`SELECT id FROM tables WHERE id = ${datasetId} FOR UPDATE`)
  if (changes.metric_name !== undefined) {
    const [clash] = await tx.query<{ id: number }>(sql`
      SELECT id FROM sql_metrics WHERE table_id = ${datasetId} AND metric_name = ${changes.metric_name} AND id <> ${metricId}`)
    if (clash !== undefined) {
      throw new GatewayError(
        'ConflictError',
        `The dataset already has a metric named ${JSON.stringify(changes.metric_name)}; metric names must be unique per dataset.`,
        { details: { reason: 'metric_name_exists', metric_id: clash.id } },
      )
    }
  }
  const sets: SqlFragment[] = []
  for (const key of METRIC_PROPERTIES) {
    const value = changes[key]
    if (value === undefined) continue
    if (key === 'currency') sets.push(sql`currency = ${value === null ? null : JSON.stringify(value)}::jsonb`)
    else sets.push(sql`${trusted(key)} = ${value as string | null}`)
  }
  const [row] = await tx.query<MetricRecord>(sql`
    UPDATE sql_metrics m SET ${join([...sets, sql`changed_on = ${NOW_UTC}`, sql`changed_by_fk = ${userId}`], ', ')}
     WHERE m.id = ${metricId} AND m.table_id = ${datasetId}
     RETURNING ${METRIC_COLUMNS}`)
  if (row === undefined) throw new GatewayError('NotFoundError', `Metric ${metricId} no longer exists.`)
  await tx.query(
    sql`UPDATE tables SET changed_on = ${NOW_UTC}, changed_by_fk = ${userId} WHERE id = ${datasetId}`,
  )
  return row
}
