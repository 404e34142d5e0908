/**
 * SQL Lab without running SQL: save a query for later (save_sql_query) and open SQL Lab on a database
 * with a query typed in (open_sql_lab_with_context). Both need the database to be visible to the caller.
 */
import * as z from 'zod'
import { GatewayError } from '../../errors'
import { insertSavedQuery } from '../../superset'
import { authored, defineTool, READ_ONLY, requestObject, visibleDatabase, WRITES } from '../core'

export const saveSqlQuery = defineTool({
  name: 'save_sql_query',
  title: 'Save a SQL query',
  description:
    'Save a SQL query in Superset (SQL Lab → Saved queries) under a label, on a database you may use. Nothing is run.',
  input: requestObject({
    database_id: z.int().positive().describe('Database id.'),
    label: z.string().trim().min(1).max(256).describe('Name of the saved query.'),
    sql: z.string().trim().min(1).max(100_000).describe('The SQL text.'),
    schema: z.string().max(128).optional().describe('Default schema.'),
    schema_name: z.string().max(128).optional().describe('Alias of schema.'),
    catalog: z.string().max(256).optional().describe('Catalog.'),
    description: z.string().max(10_000).optional().describe('Description.'),
  }).transform((request) => ({ ...request, schema: request.schema ?? request.schema_name })),
  // The saved query as stored: its name, SQL and description are text a user wrote.
  output: z.object({
    id: z.int(),
    label: authored(z.string()),
    sql: authored(z.string()),
    database_id: z.int(),
    schema: z.string().nullable(),
    catalog: z.string().nullable(),
    description: authored(z.string()).nullable(),
    url: z.string(),
  }),
  annotations: WRITES,
  permission: { permission: 'can_write', view: 'SavedQuery' },
  run: async (request, context) => {
    await visibleDatabase(request.database_id, context)
    const userId = context.principal.user.id
    const saved = await insertSavedQuery(context.db, request, userId)
    context.effects.objectsAffected += 1
    context.effects.created.saved_query = [saved.id]
    context.effects.changed.add('saved_query')
    return {
      id: saved.id,
      label: request.label,
      sql: request.sql,
      database_id: request.database_id,
      schema: request.schema ?? null,
      catalog: request.catalog ?? null,
      description: request.description ?? null,
      url: `${context.links.base}/sqllab?savedQueryId=${saved.id}`,
    }
  },
})

export const openSqlLabWithContext = defineTool({
  name: 'open_sql_lab_with_context',
  title: 'Open SQL Lab',
  description:
    'A link that opens SQL Lab on a database (and schema), with a query typed in and the tab named, ready for the user to run.',
  input: requestObject({
    database_connection_id: z.int().positive().optional().describe('Database id.'),
    database_id: z.int().positive().optional().describe('Alias of database_connection_id.'),
    schema: z.string().max(128).optional().describe('Schema to select.'),
    schema_name: z.string().max(128).optional().describe('Alias of schema.'),
    dataset_in_context: z.string().max(256).optional().describe('A dataset to mention in a starter query.'),
    sql: z.string().max(20_000).optional().describe('SQL to type into the editor.'),
    query: z.string().max(20_000).optional().describe('Alias of sql.'),
    title: z.string().max(256).optional().describe('Name of the SQL Lab tab.'),
  }).transform((request) => ({ ...request, schema: request.schema ?? request.schema_name })),
  output: z.object({
    url: z.string(),
    database_id: z.int(),
    schema: z.string().nullable(),
    title: z.string().nullable(),
    error: z.null(),
  }),
  annotations: READ_ONLY,
  permission: { permission: 'can_read', view: 'SQLLab' },
  sizeGuard: false,
  run: async (request, context) => {
    const databaseId = request.database_connection_id ?? request.database_id
    if (databaseId === undefined) {
      throw new GatewayError(
        'ValidationError',
        'Invalid request: database_connection_id (or database_id) is required.',
      )
    }
    const database = await visibleDatabase(databaseId, context)
    // As 6.1 (sql_lab/tool/open_sql_lab_with_context.py): empty values are left out of the URL, and a
    // dataset in context without SQL starts the editor on a commented SELECT of that table.
    const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value)
    const schema = given(request.schema)
    const dataset = given(request.dataset_in_context)
    const text =
      given(request.sql ?? request.query) ??
      (dataset === undefined
        ? undefined
        : `-- Context: Working with dataset '${dataset}'\n-- Database: ${database.database_name}\n` +
          (schema === undefined ? '' : `-- Schema: ${schema}\n`) +
          `\nSELECT * FROM ${schema === undefined ? dataset : `${schema}.${dataset}`} LIMIT 100;`)
    const url = context.links.sqlLab({ dbid: databaseId, schema, sql: text, title: given(request.title) })
    return {
      url,
      database_id: databaseId,
      schema: request.schema ?? null,
      title: request.title ?? null,
      error: null,
    }
  },
})
