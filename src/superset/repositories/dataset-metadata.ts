/**
 * What the query engine reads from Superset's metadata database: a dataset with its columns, saved metrics
 * and database; the datasets registered for given physical tables; and the RLS filters that apply to
 * the caller (Superset ≤ 6.1 tables row_level_security_filters, rls_filter_roles, rls_filter_tables).
 */
import { sql, trusted, type Db, type SqlFragment } from '../../db'

/** A database connection as the query engine needs it (Superset's `dbs` row). */
export interface SupersetDatabase {
  id: number
  database_name: string
  sqlalchemy_uri: string
  allow_dml: boolean
  expose_in_sqllab: boolean
}

/** A database by id, with what running SQL on it needs; `visible` is the caller's visibility predicate. */
export async function findDatabase(
  metadata: Db,
  id: number,
  visible: SqlFragment = trusted('TRUE'),
): Promise<SupersetDatabase | undefined> {
  const [row] = await metadata.query<SupersetDatabase>(sql`
    SELECT db.id, db.database_name, db.sqlalchemy_uri, COALESCE(db.allow_dml, false) AS allow_dml,
           COALESCE(db.expose_in_sqllab, true) AS expose_in_sqllab
      FROM dbs db WHERE db.id = ${id} AND ${visible}`)
  return row
}

export interface DatasetColumn {
  column_name: string
  type: string | null
  is_dttm: boolean
  /** Non-empty for a calculated column. */
  expression: string | null
  verbose_name: string | null
}

export interface DatasetMetric {
  metric_name: string
  expression: string
  verbose_name: string | null
  d3format: string | null
}

export interface DatasetMeta {
  id: number
  table_name: string
  schema: string | null
  /** Non-empty for a virtual dataset. */
  sql: string | null
  main_dttm_col: string | null
  database: SupersetDatabase
  columns: DatasetColumn[]
  metrics: DatasetMetric[]
}

interface DatasetRow extends Omit<DatasetMeta, 'database' | 'columns' | 'metrics'> {
  database: SupersetDatabase | string
  columns: DatasetColumn[] | string
  metrics: DatasetMetric[] | string
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value)

/** A dataset with its columns and metrics, or undefined when it does not exist. */
export async function loadDataset(metadata: Db, datasetId: number): Promise<DatasetMeta | undefined> {
  const [row] = await metadata.query<DatasetRow>(sql`
    SELECT t.id, t.table_name, t.schema, NULLIF(trim(t.sql), '') AS sql, t.main_dttm_col,
           json_build_object('id', d.id, 'database_name', d.database_name, 'sqlalchemy_uri', d.sqlalchemy_uri,
                             'allow_dml', COALESCE(d.allow_dml, false),
                             'expose_in_sqllab', COALESCE(d.expose_in_sqllab, true)) AS database,
           COALESCE((SELECT json_agg(json_build_object('column_name', c.column_name, 'type', c.type,
                               'is_dttm', COALESCE(c.is_dttm, false), 'expression', NULLIF(trim(c.expression), ''),
                               'verbose_name', c.verbose_name) ORDER BY c.id)
                       FROM table_columns c WHERE c.table_id = t.id AND c.is_active IS NOT FALSE), '[]') AS columns,
           COALESCE((SELECT json_agg(json_build_object('metric_name', m.metric_name, 'expression', m.expression,
                               'verbose_name', m.verbose_name, 'd3format', m.d3format) ORDER BY m.id)
                       FROM sql_metrics m WHERE m.table_id = t.id), '[]') AS metrics
      FROM tables t JOIN dbs d ON d.id = t.database_id
     WHERE t.id = ${datasetId}`)
  if (row === undefined) return undefined
  return {
    ...row,
    database: parsed(row.database),
    columns: parsed(row.columns),
    metrics: parsed(row.metrics),
  }
}

export interface RegisteredTable {
  id: number
  schema: string | null
  table_name: string
  perm: string | null
}

/** Datasets of a database registered for any of the given (schema, table) pairs (virtual ones excluded). */
export async function registeredTables(
  metadata: Db,
  databaseId: number,
  tables: readonly { schema: string; name: string }[],
): Promise<RegisteredTable[]> {
  if (tables.length === 0) return []
  return metadata.query<RegisteredTable>(sql`
    SELECT t.id, t.schema, t.table_name, t.perm
      FROM tables t
      JOIN unnest(${tables.map((table) => table.schema)}::text[], ${tables.map((table) => table.name)}::text[])
           AS wanted(schema_name, table_name)
        ON COALESCE(t.schema, 'public') = wanted.schema_name AND t.table_name = wanted.table_name
     WHERE t.database_id = ${databaseId} AND NULLIF(trim(t.sql), '') IS NULL
     ORDER BY t.id`)
}

export interface RlsFilterRow {
  table_id: number
  id: number
  filter_type: string
  group_key: string | null
  clause: string
}

/**
 * The filters that apply to the caller on each dataset: Regular filters of one of their roles, Base
 * filters of none of their roles (Superset's get_rls_filters).
 */
export async function applicableRlsFilters(
  metadata: Db,
  roleIds: readonly number[],
  tableIds: readonly number[],
): Promise<RlsFilterRow[]> {
  if (tableIds.length === 0) return []
  return metadata.query<RlsFilterRow>(sql`
    SELECT ft.table_id, f.id, f.filter_type::text AS filter_type, NULLIF(f.group_key, '') AS group_key, f.clause
      FROM row_level_security_filters f
      JOIN rls_filter_tables ft ON ft.rls_filter_id = f.id
     WHERE ft.table_id = ANY(${[...tableIds]}::int[])
       AND ((f.filter_type::text = 'Regular' AND EXISTS (
               SELECT 1 FROM rls_filter_roles fr WHERE fr.rls_filter_id = f.id AND fr.role_id = ANY(${[...roleIds]}::int[])))
         OR (f.filter_type::text = 'Base' AND NOT EXISTS (
               SELECT 1 FROM rls_filter_roles fr WHERE fr.rls_filter_id = f.id AND fr.role_id = ANY(${[...roleIds]}::int[]))))
     ORDER BY ft.table_id, f.id`)
}
