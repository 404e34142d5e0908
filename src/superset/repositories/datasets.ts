/**
 * A virtual dataset, written as SQL Lab's "Save dataset" and Superset's SQLAlchemy events write it: the
 * `tables` row with perm / schema_perm / catalog_perm, its columns, its first owner, and the view menus and
 * permission pairs of its permissions. Run inside the caller's transaction.
 */
import { sql, type Db } from '../../db'
import { GatewayError } from '../../errors'
import { addOwner } from '../models/ownership'
import { NOW_UTC } from '../timestamps'

/** A column of the new dataset, as the database reported it. */
export interface NewDatasetColumn {
  name: string
  type: string
  isTemporal: boolean
}

export interface NewVirtualDataset {
  table_name: string
  sql: string
  schema?: string
  catalog?: string
  description?: string
}

export async function insertVirtualDataset(
  tx: Db,
  request: NewVirtualDataset,
  database: { id: number },
  columns: readonly NewDatasetColumn[],
  userId: number,
): Promise<number> {
  const [exists] = await tx.query<{ id: number }>(sql`
    SELECT id FROM tables WHERE database_id = ${database.id} AND table_name = ${request.table_name}
       AND schema IS NOT DISTINCT FROM ${request.schema ?? null} AND catalog IS NOT DISTINCT FROM ${request.catalog ?? null}
     LIMIT 1`)
  if (exists !== undefined) {
    throw new GatewayError(
      'ConflictError',
      `A dataset named "${request.table_name}" already exists in that database and schema (id ${exists.id}).`,
      {
        details: { resource_type: 'dataset', resource_id: exists.id },
      },
    )
  }
  const temporal = columns.find((column) => column.isTemporal)?.name ?? null
  const [created] = await tx.query<{ id: number }>(sql`
    INSERT INTO tables (created_on, changed_on, table_name, main_dttm_col, database_id, created_by_fk, changed_by_fk,
                        "offset", description, schema, catalog, sql, filter_select_enabled, is_sqllab_view, is_featured,
                        normalize_columns, always_filter_main_dttm, uuid, is_managed_externally)
    VALUES (${NOW_UTC}, ${NOW_UTC}, ${request.table_name}, ${temporal}, ${database.id}, ${userId}, ${userId}, 0,
            ${request.description ?? null}, ${request.schema ?? null}, ${request.catalog ?? null}, ${request.sql}, true, false,
            false, false, false, ${crypto.randomUUID()}::uuid, false)
    RETURNING id`)
  if (created === undefined) throw new Error('dataset insert returned no id')
  await nameAndDescribeDataset(tx, created.id, columns, userId)
  await addOwner(tx, 'dataset', created.id, userId)
  await registerPermissions(tx, created.id)
  return created.id
}

/**
 * What every new dataset gets after its row: Superset's permission names (perm uses the database's display
 * name, verbose_name when set, the others its name) and its columns as the database reported them.
 */
export async function nameAndDescribeDataset(
  tx: Db,
  datasetId: number,
  columns: readonly NewDatasetColumn[],
  userId: number,
): Promise<void> {
  await tx.query(sql`
    UPDATE tables t SET
           perm = '[' || COALESCE(NULLIF(d.verbose_name, ''), d.database_name) || '].[' || t.table_name || '](id:' || t.id || ')',
           schema_perm = CASE WHEN COALESCE(t.schema, '') = '' THEN NULL
                              WHEN t.catalog IS NULL THEN '[' || d.database_name || '].[' || t.schema || ']'
                              ELSE '[' || d.database_name || '].[' || t.catalog || '].[' || t.schema || ']' END,
           catalog_perm = CASE WHEN t.catalog IS NULL THEN NULL ELSE '[' || d.database_name || '].[' || t.catalog || ']' END
      FROM dbs d WHERE d.id = t.database_id AND t.id = ${datasetId}`)
  await tx.query(sql`
    INSERT INTO table_columns (created_on, changed_on, table_id, column_name, is_dttm, is_active, type, groupby, filterable,
                               created_by_fk, changed_by_fk, uuid)
    SELECT ${NOW_UTC}, ${NOW_UTC}, ${datasetId}, c.name, c.is_dttm, true, c.type, true, true, ${userId}, ${userId}, gen_random_uuid()
      FROM jsonb_to_recordset(${JSON.stringify(columns.map((column) => ({ name: column.name, type: column.type, is_dttm: column.isTemporal })))}::jsonb)
           AS c(name text, type text, is_dttm boolean)`)
}

/** The view menus and permission pairs Superset creates for a new dataset's perm and schema perm. */
export async function registerPermissions(tx: Db, datasetId: number): Promise<void> {
  await tx.query(sql`
    WITH wanted AS (
      SELECT 'datasource_access' AS permission, perm AS view FROM tables WHERE id = ${datasetId} AND perm IS NOT NULL
      UNION ALL SELECT 'schema_access', schema_perm FROM tables WHERE id = ${datasetId} AND schema_perm IS NOT NULL
      UNION ALL SELECT 'catalog_access', catalog_perm FROM tables WHERE id = ${datasetId} AND catalog_perm IS NOT NULL
    ), permissions AS (
      INSERT INTO ab_permission (id, name)
      SELECT nextval('ab_permission_id_seq'), w.permission FROM (SELECT DISTINCT permission FROM wanted) w
       WHERE NOT EXISTS (SELECT 1 FROM ab_permission p WHERE p.name = w.permission)
      RETURNING id, name
    ), views AS (
      INSERT INTO ab_view_menu (id, name)
      SELECT nextval('ab_view_menu_id_seq'), w.view FROM (SELECT DISTINCT view FROM wanted) w
       WHERE NOT EXISTS (SELECT 1 FROM ab_view_menu v WHERE v.name = w.view)
      RETURNING id, name
    )
    INSERT INTO ab_permission_view (id, permission_id, view_menu_id)
    SELECT nextval('ab_permission_view_id_seq'), p.id, v.id
      FROM wanted w
      JOIN (SELECT id, name FROM permissions UNION ALL SELECT id, name FROM ab_permission) p ON p.name = w.permission
      JOIN (SELECT id, name FROM views UNION ALL SELECT id, name FROM ab_view_menu) v ON v.name = w.view
     WHERE NOT EXISTS (SELECT 1 FROM ab_permission_view pv WHERE pv.permission_id = p.id AND pv.view_menu_id = v.id)`)
}

/** The schema and uuid Superset gave a dataset, read back by id (whoever may list it). */
export async function datasetIdentity(
  db: Db,
  id: number,
): Promise<{ schema: string | null; uuid: string } | undefined> {
  const [row] = await db.query<{ schema: string | null; uuid: string }>(
    sql`SELECT schema, uuid::text AS uuid FROM tables WHERE id = ${id}`,
  )
  return row
}
