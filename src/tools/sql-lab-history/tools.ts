/**
 * SQL Lab's history and saved queries, read-only (Superset's development branch: superset/mcp_service/query/
 * and saved_query/): list_queries, get_query_info, list_saved_queries, get_saved_query_info. Which rows a
 * caller sees is src/superset's (models/sql-lab.ts: QueryFilter and SavedQueryFilter).
 */
import * as z from 'zod'
import { findVisibleRow, projectRow, querySpec, savedQuerySpec } from '../../superset'
import {
  authoredColumnPaths,
  defineGetTool,
  defineListTool,
  defineTool,
  READ_ONLY,
  requestObject,
} from '../core'

/** Query history changes with every run in SQL Lab, outside the gateway: its answers are never cached. */
export const listQueries = defineListTool({
  name: 'list_queries',
  title: 'List queries',
  description:
    "List SQL Lab query history: your own queries (every user's with all_query_access, as Admin has), with SQL text, status, timing and database. Newest change first by default.",
  spec: querySpec,
  requiresTables: ['query'],
  defaultPageSize: 25,
  schemaHint: false,
})

const QUERY_INFO_COLUMNS = Object.keys(querySpec.columns)

export const getQueryInfo = defineTool({
  name: 'get_query_info',
  title: 'Get query info',
  description:
    'One SQL Lab query from the history by numeric id (list_queries finds it): SQL text, status, timing, row count and error message.',
  input: requestObject({
    identifier: z
      .union([z.int().positive(), z.string().trim().regex(/^\d+$/, 'expected a numeric query id')])
      .transform(Number)
      .describe('Query id (numeric).'),
  }),
  output: z.looseObject({ id: z.int() }),
  annotations: READ_ONLY,
  permission: querySpec.readPermission,
  requiresTables: ['query'],
  authored: authoredColumnPaths(querySpec),
  run: async (request, context) => {
    const row = await findVisibleRow(querySpec, request.identifier, QUERY_INFO_COLUMNS, context, {
      slug: false,
      label: 'Query',
    })
    return { ...projectRow(querySpec, QUERY_INFO_COLUMNS, row, context), id: Number(row.id) }
  },
})

export const listSavedQueries = defineListTool({
  name: 'list_saved_queries',
  title: 'List saved queries',
  description:
    'List the SQL Lab saved queries you created, with label, SQL, database id and schema. Newest change first by default.',
  spec: savedQuerySpec,
  cache: { scope: 'user', dependsOn: ['saved_query'] },
  requiresTables: ['saved_query'],
  schemaHint: false,
})

export const getSavedQueryInfo = defineGetTool({
  name: 'get_saved_query_info',
  title: 'Get saved query info',
  description:
    'One of your saved queries by numeric id or UUID (list_saved_queries finds it): label, SQL text, database, schema, description and timestamps.',
  spec: savedQuerySpec,
  label: 'Saved query',
  defaultColumns: Object.keys(savedQuerySpec.columns),
  cache: { scope: 'user', dependsOn: ['saved_query'] },
  requiresTables: ['saved_query'],
})
