/**
 * create_virtual_dataset: a dataset defined by one SELECT, as SQL Lab's "Save dataset" makes it. The SQL
 * passes execute_sql's checks (one read-only statement; every table it reads accessible to the caller);
 * its columns come from the database itself. The new dataset carries what Superset's SQLAlchemy events
 * would add: perm / schema_perm / catalog_perm and the matching ab_view_menu and ab_permission_view rows,
 * an owner, a uuid and audit columns — all in one transaction.
 */
import { datasetIdentity, insertVirtualDataset } from '../../superset'
import * as z from 'zod'
import { trusted } from '../../db'
import { GatewayError } from '../../errors'
import {
  dataKind,
  statementFailure,
  typeName,
  withAnalyticsSession,
  wrapWithLimit,
  type AnalyticsDatabase,
} from '../../query'
import type { SqlParser } from '../../guardrails'
import {
  authored,
  defineTool,
  inBandMessage,
  isDomainFailure,
  planSql,
  requestObject,
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
  ).catch((err: unknown) => {
    // The caller's own SQL failed (6.1's DatasetCreateFailedError): theirs to fix, not an internal fault.
    const failure = statementFailure(err)
    if (failure === undefined) throw err
    throw new GatewayError(
      'ValidationError',
      `The dataset SQL failed in the database: ${failure.message}${failure.hint === undefined ? '' : ` (hint: ${failure.hint})`}. Try the SELECT with execute_sql first.`,
      { cause: err, details: { reason: 'query_error', sqlstate: failure.sqlstate } },
    )
  })
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

export const createVirtualDataset = defineTool({
  name: 'create_virtual_dataset',
  title: 'Create a virtual dataset',
  description:
    'Create a dataset defined by one SELECT on a database you may use (as SQL Lab\'s "Save dataset" does). The SQL must read only ' +
    'tables you may access; its columns are read from the database. You own the new dataset; chart it with generate_chart.',
  input: requestObject({
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
    schema_name: z.string().trim().min(1).max(255).optional().describe('Alias of schema.'),
    catalog: z.string().trim().min(1).max(256).optional().describe('Catalog.'),
    description: z.string().max(10_000).optional(),
  })
    .refine((request) => (request.table_name ?? request.dataset_name) !== undefined, {
      message: 'table_name is required.',
      path: ['table_name'],
    })
    .transform((request) => ({ ...request, schema: request.schema ?? request.schema_name })),
  // 6.1's CreateVirtualDatasetResponse (a failure: id and url null, no columns, `error`), plus the
  // dataset's schema and uuid (gateway extras, null on failure).
  output: z.object({
    id: z.int().nullable(),
    dataset_name: authored(z.string()),
    sql: authored(z.string()),
    database_id: z.int(),
    columns: z.array(z.string()),
    url: z.string().nullable(),
    error: z.string().nullable(),
    schema: z.string().nullable(),
    uuid: z.string().nullable(),
  }),
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
    // The text the checks read, built-ins qualified: what runs later is what was checked now.
    const sqlText = statement.qualified_sql.replace(/;\s*$/, '')
    const columns = await probeColumns(
      plan.parser,
      statement.runnable_sql,
      database,
      plan.defaultSchema,
      context,
    )
    const tableName = (request.table_name ?? request.dataset_name)!
    const id = await context.db.transaction((tx) =>
      insertVirtualDataset(
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
    const row = await datasetIdentity(context.db, id)
    if (row === undefined) throw new Error('created dataset not found')
    // As 6.1 (dataset/tool/create_virtual_dataset.py): column names, and the explore link to chart it.
    return {
      id,
      dataset_name: tableName,
      sql: sqlText,
      database_id: request.database_id,
      columns: columns.map((column) => column.name),
      url: context.links.datasetExplore(id),
      error: null,
      schema: row.schema,
      uuid: row.uuid,
    }
  },
  // 6.1 answers DatasetInvalidError (missing database, a name already taken, SQL the caller may not run)
  // and DatasetCreateFailedError (the SQL fails at the database, "Failed to create dataset: …") in-band
  // with the request's name and SQL; anything else raises.
  inBandFailure: (failure, request) => {
    if (!isDomainFailure(failure)) return undefined
    const message = inBandMessage(failure)
    return {
      id: null,
      dataset_name: (request.table_name ?? request.dataset_name)!,
      sql: request.sql,
      database_id: request.database_id,
      columns: [],
      url: null,
      error: failure.details?.reason === 'query_error' ? `Failed to create dataset: ${message}` : message,
      schema: null,
      uuid: null,
    }
  },
})
