/**
 * The plan of an execute_sql call, decided before anything runs: the parsed statements, the access
 * check, RLS (with MCP_RLS_IN_SQLLAB) and the row limit, giving for each statement the SQL that will
 * actually be executed.
 */
import { sql, type Db } from '../../db'
import { GatewayError } from '../../errors'
import {
  applySqlLabRls,
  assertStatementsAllowed,
  deniedTables,
  hasDatabaseAccess,
  loadRlsPredicates,
  MAX_SQL_ROWS,
  parseScript,
  registeredTables,
  resolveTable,
  tableAccessError,
  uniqueTables,
  wrapWithLimit,
  type AnalyticsDatabase,
  type ParsedStatement,
} from '../../query'
import { hasTemplate } from '../../query'
import type { ToolContext } from '../core/definition'

export interface PlannedStatement {
  original_sql: string
  executed_sql: string
  /** A query whose rows are returned (wrapped with the limit). */
  returnsRows: boolean
  /** The wrapper fetches one row more than shown, to tell the caller more rows exist. */
  probeRows: number | undefined
  statement: ParsedStatement
}

export interface SqlPlan {
  statements: PlannedStatement[]
  defaultSchema: string
  /** Function names to check against user-defined functions before running (callers without database access). */
  functionsToCheck: string[]
}

export interface PlanRequest {
  sql: string
  schema: string | undefined
  limit: number | undefined
}

export async function planSql(
  request: PlanRequest,
  database: AnalyticsDatabase,
  context: ToolContext,
): Promise<SqlPlan> {
  if (hasTemplate(request.sql)) {
    throw new GatewayError(
      'ValidationError',
      'The SQL contains a Jinja template ({{ … }} or {% … %}); the gateway runs SQL without template processing. Replace the template with literal values.',
      { details: { reason: 'INVALID_SQL_ERROR' } },
    )
  }
  const statements = parseScript(request.sql)
  if (statements.length === 0)
    throw new GatewayError('ValidationError', 'The SQL contains no statement.', {
      details: { reason: 'INVALID_SQL_ERROR' },
    })
  assertStatementsAllowed(statements, database)
  const defaultSchema = request.schema ?? 'public'
  const tables = uniqueTables(
    statements.flatMap((statement) => statement.tables.map((table) => resolveTable(table, defaultSchema))),
  )
  const registered = await registeredTables(context.db, database.id, tables)
  const denied = deniedTables(context.principal, database, tables, registered)
  if (denied.length > 0) throw tableAccessError(denied, database)
  const rlsInSqlLab = context.config.superset.rlsInSqlLab
  const predicates = rlsInSqlLab
    ? await loadRlsPredicates(
        context.db,
        context.principal,
        registered.map((table) => table.id),
      )
    : new Map<number, string>()
  const needsFunctionCheck = !context.principal.data.all && !hasDatabaseAccess(context.principal, database)
  return {
    statements: statements.map((statement) =>
      planStatement(statement, defaultSchema, registered, predicates, request.limit),
    ),
    defaultSchema,
    functionsToCheck: needsFunctionCheck ? userFunctionCandidates(statements) : [],
  }
}

function planStatement(
  statement: ParsedStatement,
  defaultSchema: string,
  registered: Parameters<typeof applySqlLabRls>[2],
  predicates: Parameters<typeof applySqlLabRls>[3],
  limit: number | undefined,
): PlannedStatement {
  const filtered =
    predicates.size === 0 ? statement.text : applySqlLabRls(statement, defaultSchema, registered, predicates)
  if (statement.kind !== 'read') {
    return {
      original_sql: statement.text,
      executed_sql: filtered,
      returnsRows: statement.returnsRows,
      probeRows: undefined,
      statement,
    }
  }
  // Without a limit the gateway's cap applies, fetching one more row to know whether rows were left out.
  const probeRows = limit === undefined ? MAX_SQL_ROWS + 1 : undefined
  return {
    original_sql: statement.text,
    executed_sql: wrapWithLimit(filtered, limit ?? probeRows!),
    returnsRows: true,
    probeRows,
    statement,
  }
}

/**
 * Function calls that could be user-defined (and so read tables the check cannot see): schema-qualified
 * calls outside pg_catalog are refused outright; unqualified names are checked in the database.
 */
function userFunctionCandidates(statements: readonly ParsedStatement[]): string[] {
  const names = new Set<string>()
  for (const call of statements.flatMap((statement) => statement.functions)) {
    if (call.schema !== undefined && call.schema !== 'pg_catalog') {
      throw new GatewayError(
        'PermissionDeniedError',
        `The SQL calls ${call.schema}.${call.name}(), a function outside pg_catalog; without access to the whole database only built-in functions may be called. Nothing was run.`,
        { details: { reason: 'QUERY_SECURITY_ACCESS_ERROR', error_type: 'QUERY_SECURITY_ACCESS_ERROR' } },
      )
    }
    if (call.schema === undefined) names.add(call.name)
  }
  return [...names].sort()
}

/** Unqualified calls that resolve to a function outside pg_catalog could read any table: refuse them. */
export async function assertNoUserFunctions(tx: Db, names: readonly string[]): Promise<void> {
  if (names.length === 0) return
  const found = await tx.query<{ name: string }>(sql`
    SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proname = ANY(${[...names]}::text[]) AND n.nspname NOT IN ('pg_catalog', 'information_schema')`)
  if (found.length > 0) {
    throw new GatewayError(
      'PermissionDeniedError',
      `The SQL calls ${found.map((row) => `${row.name}()`).join(', ')}, defined in the database rather than built in; without access to the whole database only built-in functions may be called. Nothing was run.`,
      { details: { reason: 'QUERY_SECURITY_ACCESS_ERROR', error_type: 'QUERY_SECURITY_ACCESS_ERROR' } },
    )
  }
}
