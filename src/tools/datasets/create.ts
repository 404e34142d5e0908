/**
 * create_virtual_dataset: a dataset defined by one SELECT, as SQL Lab's "Save dataset" makes it. The SQL
 * passes execute_sql's checks (one read-only statement; every table it reads accessible to the caller);
 * its columns come from the database itself. The new dataset carries what Superset's SQLAlchemy events
 * would add: perm / schema_perm / catalog_perm and the matching ab_view_menu and ab_permission_view rows,
 * an owner, a uuid and audit columns — all in one transaction.
 */
import * as z from 'zod'
import { sql, trusted, type Db } from '../../db'
import { GatewayError } from '../../errors'
import { dataKind, typeName, withAnalyticsSession, wrapWithLimit, type AnalyticsDatabase } from '../../query'
import type { SqlParser } from '../../guardrails'
import {
  datasetSpec,
  defineTool,
  NOW_UTC,
  planSql,
  projectRow,
  type Row,
  selectList,
  type ToolContext,
  visibleAnalyticsDatabase,
  WRITES,
} from '../core'

const COLUMN_PROBE_TIMEOUT_MS = 30_000

interface ProbedColumn {
  name: string
  type: string
  isTemporal: boolean
}

/** The columns the SELECT returns, read from the database without fetching rows. */
async function probeColumns(
  parser: SqlParser,
  runnableSql: string,
  database: AnalyticsDatabase,
  schema: string,
  context: ToolContext,
): Promise<ProbedColumn[]> {
  const fields = await withAnalyticsSession(
    database,
    {
      config: context.config,
      log: context.log,
      timeoutMs: COLUMN_PROBE_TIMEOUT_MS,
      context: 'The dataset SQL',
      readOnly: true,
      searchPath: schema,
    },
    async (tx) => {
      // The caller's SQL as checked (built-ins qualified), wrapped so no row is read.
      const result = await tx.execute(trusted(wrapWithLimit(parser, runnableSql, 0)))
      return result.fields
    },
  )
  const names = new Set<string>()
  for (const field of fields) {
    if (names.has(field.name)) {
      throw new GatewayError(
        'ValidationError',
        `The SQL returns the column "${field.name}" twice; give each column a distinct name.`,
      )
    }
    names.add(field.name)
  }
  return fields.map((field) => ({
    name: field.name,
    type: typeName(field.dataTypeID),
    isTemporal: dataKind(field.dataTypeID) === 'datetime',
  }))
}

async function insertDataset(
  tx: Db,
  request: { table_name: string; sql: string; schema?: string; catalog?: string; description?: string },
  database: AnalyticsDatabase,
  columns: readonly ProbedColumn[],
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
  // Superset's naming: perm uses the database's display name (verbose_name when set), the others its name.
  await tx.query(sql`
    UPDATE tables t SET
           perm = '[' || COALESCE(NULLIF(d.verbose_name, ''), d.database_name) || '].[' || t.table_name || '](id:' || t.id || ')',
           schema_perm = CASE WHEN COALESCE(t.schema, '') = '' THEN NULL
                              WHEN t.catalog IS NULL THEN '[' || d.database_name || '].[' || t.schema || ']'
                              ELSE '[' || d.database_name || '].[' || t.catalog || '].[' || t.schema || ']' END,
           catalog_perm = CASE WHEN t.catalog IS NULL THEN NULL ELSE '[' || d.database_name || '].[' || t.catalog || ']' END
      FROM dbs d WHERE d.id = t.database_id AND t.id = ${created.id}`)
  await tx.query(sql`
    INSERT INTO table_columns (created_on, changed_on, table_id, column_name, is_dttm, is_active, type, groupby, filterable,
                               created_by_fk, changed_by_fk, uuid)
    SELECT ${NOW_UTC}, ${NOW_UTC}, ${created.id}, c.name, c.is_dttm, true, c.type, true, true, ${userId}, ${userId}, gen_random_uuid()
      FROM jsonb_to_recordset(${JSON.stringify(columns.map((column) => ({ name: column.name, type: column.type, is_dttm: column.isTemporal })))}::jsonb)
           AS c(name text, type text, is_dttm boolean)`)
  await tx.query(sql`INSERT INTO sqlatable_user (user_id, table_id) VALUES (${userId}, ${created.id})`)
  await registerPermissions(tx, created.id)
  return created.id
}

/** The view menus and permission pairs Superset creates for a new dataset's perm and schema perm. */
async function registerPermissions(tx: Db, datasetId: number): Promise<void> {
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

const INFO_COLUMNS = [
  'id',
  'table_name',
  'schema',
  'database_id',
  'database_name',
  'uuid',
  'url',
  'is_virtual',
  'sql',
  'main_dttm_col',
  'perm',
  'schema_perm',
  'columns',
  'owners',
]

export const createVirtualDataset = defineTool({
  name: 'create_virtual_dataset',
  title: 'Create a virtual dataset',
  description:
    'Create a dataset defined by one SELECT on a database you may use (as SQL Lab\'s "Save dataset" does). The SQL must read only ' +
    'tables you may access; its columns are read from the database. You own the new dataset; chart it with generate_chart.',
  input: z
    .strictObject({
      database_id: z.int().positive().describe('Database id.'),
      sql: z.string().trim().min(1).max(100_000).describe('One SELECT statement.'),
      table_name: z.string().trim().min(1).max(250).optional().describe('Name of the new dataset.'),
      dataset_name: z.string().trim().min(1).max(250).optional().describe('Alias of table_name.'),
      schema: z
        .string()
        .trim()
        .min(1)
        .max(255)
        .optional()
        .describe('Schema the SQL runs in (and the dataset is listed under).'),
      catalog: z.string().trim().min(1).max(256).optional().describe('Catalog.'),
      description: z.string().max(10_000).optional(),
    })
    .refine((request) => (request.table_name ?? request.dataset_name) !== undefined, {
      message: 'table_name is required.',
      path: ['table_name'],
    }),
  output: z.looseObject({ id: z.int(), table_name: z.string(), url: z.string() }),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Dataset' },
  run: async (request, context) => {
    const database = await visibleAnalyticsDatabase(request.database_id, context)
    const plan = await planSql(
      { sql: request.sql, schema: request.schema, limit: undefined },
      database,
      context,
    )
    const [statement] = plan.statements
    if (
      plan.statements.length !== 1 ||
      statement === undefined ||
      statement.statement.kind !== 'read' ||
      !statement.returnsRows
    ) {
      throw new GatewayError(
        'ValidationError',
        'A virtual dataset is defined by exactly one SELECT statement.',
        {
          details: { statements: plan.statements.length },
        },
      )
    }
    const sqlText = statement.original_sql.replace(/;\s*$/, '')
    const columns = await probeColumns(
      plan.parser,
      statement.runnable_sql,
      database,
      plan.defaultSchema,
      context,
    )
    const tableName = (request.table_name ?? request.dataset_name)!
    const id = await context.db.transaction((tx) =>
      insertDataset(
        tx,
        { ...request, table_name: tableName, sql: sqlText },
        database,
        columns,
        context.principal.user.id,
      ),
    )
    context.effects.objectsAffected += 1
    context.effects.created.dataset = [id]
    context.effects.changed.add('dataset')
    // Read back directly: a creator with table-level grants only may not list the new dataset (as in Superset).
    const [row] = await context.db.query<Row>(
      sql`SELECT ${selectList(datasetSpec, INFO_COLUMNS)} FROM ${datasetSpec.from} WHERE t.id = ${id}`,
    )
    if (row === undefined) throw new Error('created dataset not found')
    return { ...projectRow(datasetSpec, INFO_COLUMNS, row, context), id } as Row & {
      id: number
      table_name: string
      url: string
    }
  },
})
