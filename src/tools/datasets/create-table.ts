/**
 * create_dataset (Superset's development branch, dataset/tool/create_dataset.py): registers a physical
 * table as a dataset, as Superset 6.1's CreateDatasetCommand does — the database visible to the caller,
 * the table existing in it (read from the database's own catalog, names bound as values, never spliced
 * into SQL) and one the caller may access, no dataset already on it; then the dataset with its columns,
 * the default `count` metric, its owners and permissions, in one transaction. No SQL is stored.
 */
import * as z from 'zod'
import { sql } from '../../db'
import { GatewayError } from '../../errors'
import { isSystemSchema } from '../../guardrails'
import { quoteAuthored } from '../../markers'
import {
  dataKind,
  deniedTables,
  tableAccessError,
  typeName,
  withAnalyticsSession,
  type AnalyticsDatabase,
} from '../../query'
import {
  datasetSpec,
  existingUserIds,
  findDatasetForTable,
  findVisibleRow,
  insertPhysicalDataset,
  projectRow,
  registeredTables,
  resolveColumns,
  type NewDatasetColumn,
} from '../../superset'
import {
  authoredColumnPaths,
  defineTool,
  requestObject,
  type ToolContext,
  visibleAnalyticsDatabase,
  WRITES,
} from '../core'

/** The development branch's DEFAULT_GET_DATASET_INFO_COLUMNS: the DatasetInfo fields create_dataset answers. */
const CREATED_DATASET_COLUMNS = [
  'id',
  'table_name',
  'schema',
  'database_name',
  'database_id',
  'uuid',
  'is_virtual',
  'description',
  'main_dttm_col',
  'sql',
  'url',
  'columns',
  'metrics',
]

const CATALOG_TIMEOUT_MS = 30_000

/**
 * A catalog or schema name. Superset writes them into the dataset's permission names
 * (`[db].[catalog].[schema]`), which grants are matched against as strings: a bracket inside one would
 * forge the shape of another permission, so brackets are refused.
 */
const optionalName = z
  .string()
  .max(250)
  .refine((value) => !/[[\]]/.test(value), { error: "may not contain '[' or ']'" })
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value))

const CreateDatasetRequestSchema = requestObject({
  database_id: z.int().positive().describe('ID of the database connection to register the table against.'),
  schema: optionalName.describe("Schema where the table lives, e.g. 'public' (default: public)."),
  catalog: optionalName.describe('Catalog where the table lives (omit on PostgreSQL).'),
  table_name: z.string().trim().min(1).max(250).describe('Name of the physical table to register.'),
  editors: z
    .array(z.int().positive())
    .max(100)
    .optional()
    .describe('User ids of the owners (default: you). Superset 6.1 calls them owners.'),
  owners: z.array(z.int().positive()).max(100).optional().describe('Alias of editors (Superset 6.1).'),
})

/** The table's columns as the database's catalog reports them; undefined when there is no such relation. */
async function tableColumns(
  database: AnalyticsDatabase,
  schema: string,
  table: string,
  context: ToolContext,
): Promise<NewDatasetColumn[] | undefined> {
  const rows = await withAnalyticsSession(
    database,
    {
      config: context.config,
      log: context.log,
      timeoutMs: CATALOG_TIMEOUT_MS,
      context: 'The table lookup',
      readOnly: true,
    },
    async (tx) =>
      (
        await tx.execute(sql`
          SELECT a.attname AS name, a.atttypid::int AS type_oid
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = ${schema} AND c.relname = ${table} AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
           ORDER BY a.attnum`)
      ).rows as { name: string | null; type_oid: number | null }[],
  )
  if (rows.length === 0) return undefined
  return rows
    .filter((row): row is { name: string; type_oid: number } => row.name !== null && row.type_oid !== null)
    .map((row) => ({
      name: row.name,
      type: typeName(row.type_oid),
      isTemporal: dataKind(row.type_oid) === 'datetime',
    }))
}

export const createDataset = defineTool({
  name: 'create_dataset',
  title: 'Register physical table as dataset',
  description:
    'Register an existing physical table of a database you may use as a Superset dataset (Data → Datasets → +Dataset). ' +
    'The table must exist and be one you may access. Answers the new dataset as get_dataset_info does; chart it with generate_chart.',
  input: CreateDatasetRequestSchema,
  output: z.looseObject({ id: z.int() }),
  authored: authoredColumnPaths(datasetSpec),
  // The development branch: readOnlyHint=False, destructiveHint=False, openWorldHint=False.
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'Dataset' },
  run: async (request, context) => {
    const database = await visibleAnalyticsDatabase(request.database_id, context)
    const table = {
      table_name: request.table_name,
      schema: request.schema ?? null,
      catalog: request.catalog ?? null,
    }
    const schema = table.schema ?? 'public'
    const label = `${schema}.${table.table_name}`
    if (isSystemSchema(schema)) {
      throw new GatewayError(
        'ValidationError',
        `${quoteAuthored(schema)} is a system schema of the database; only user tables can be registered as datasets.`,
        { details: { reason: 'system_schema' } },
      )
    }
    // raise_for_access(database, table): data access to the table, asked before its existence (or that of
    // a dataset on it, which may be hidden from the caller) is told.
    const wanted = [{ schema, name: table.table_name }]
    const registered = await registeredTables(context.db, database.id, wanted)
    if (deniedTables(context.principal, database, wanted, registered).length > 0) {
      throw tableAccessError(wanted, database)
    }
    const existing = await findDatasetForTable(context.db, database.id, table)
    if (existing !== undefined) {
      throw new GatewayError(
        'ConflictError',
        `Dataset ${quoteAuthored(label)} already exists (id ${existing}).`,
        {
          details: {
            reason: 'dataset_exists',
            error_type: 'DatasetExistsError',
            resource_type: 'dataset',
            resource_id: existing,
          },
        },
      )
    }
    const columns = await tableColumns(database, schema, table.table_name, context)
    if (columns === undefined) {
      throw new GatewayError(
        'NotFoundError',
        `Table ${quoteAuthored(label)} does not exist in the database ${quoteAuthored(database.database_name)}.`,
        { details: { reason: 'table_not_found', error_type: 'TableNotFoundError' } },
      )
    }
    const userId = context.principal.user.id
    const requested = request.editors ?? request.owners
    let owners = [userId]
    if (requested !== undefined) {
      const found = await existingUserIds(context.db, requested)
      const missing = requested.filter((id) => !found.includes(id))
      if (missing.length > 0)
        throw new GatewayError('ValidationError', `User not found: ${missing.join(', ')}`)
      // Superset's populate_owner_list: a non-admin creator always stays an owner.
      owners = [...new Set(context.principal.isAdmin ? found : [...found, userId])]
    }
    const id = await context.db.transaction((tx) =>
      insertPhysicalDataset(tx, table, database.id, columns, owners, userId),
    )
    context.effects.objectsAffected += 1
    context.effects.created.dataset = [id]
    context.effects.changed.add('dataset')
    const names = resolveColumns(datasetSpec, CREATED_DATASET_COLUMNS)
    const row = await findVisibleRow(datasetSpec, id, names, context, { slug: false, label: 'Dataset' })
    return { ...projectRow(datasetSpec, names, row, context), id }
  },
})
