/**
 * The plan of an execute_sql call, decided before anything runs: the statements as PostgreSQL's parser
 * reads them (held to the allow-lists), the access check of every relation they touch, RLS (with
 * MCP_RLS_IN_SQLLAB) and the row limit, giving for each statement the SQL that will actually run.
 */
import { registeredTables, type RegisteredTable } from '../../superset'
import { GatewayError } from '../../errors'
import {
  isSystemSchema,
  policyFor,
  readScript,
  sqlParser,
  type CheckedStatement,
  type SqlParser,
} from '../../guardrails'
import {
  assertStatementsAllowed,
  assertSystemRelations,
  deniedTables,
  executableStatement,
  hasTemplate,
  loadRlsPredicates,
  MAX_SQL_ROWS,
  statementRelations,
  tableAccessError,
  uniqueTables,
  wrapWithLimit,
  type AnalyticsDatabase,
  type RlsPredicates,
} from '../../query'
import type { ToolContext } from './definition'

export interface PlannedStatement {
  original_sql: string
  executed_sql: string
  /** The statement as it runs, before the row-limit wrapper (RLS spliced, built-ins qualified). */
  runnable_sql: string
  /** The statement as checked, built-ins qualified, without anyone's RLS: what a virtual dataset stores. */
  qualified_sql: string
  /** A query whose rows are returned (wrapped with the limit). */
  returnsRows: boolean
  /** The wrapper fetches one row more than shown, to tell the caller more rows exist. */
  probeRows: number | undefined
  statement: CheckedStatement
}

export interface SqlPlan {
  statements: PlannedStatement[]
  defaultSchema: string
  parser: SqlParser
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
  const parser = await sqlParser()
  const statements = readScript(parser, request.sql, {
    trusted: false,
    allowSubqueries: true,
    policy: policyFor(context.config.sql.functions, database.database_name),
    now: Date.now(),
  })
  if (statements.length === 0)
    throw new GatewayError('ValidationError', 'The SQL contains no statement.', {
      details: { reason: 'INVALID_SQL_ERROR' },
    })
  assertStatementsAllowed(statements, database)
  const defaultSchema = request.schema ?? 'public'
  const relations = statementRelations(statements, defaultSchema)
  assertSystemRelations(context.principal, database, relations)
  const tables = uniqueTables(
    relations.map((relation) => relation.table).filter((table) => !isSystemSchema(table.schema)),
  )
  const registered = await registeredTables(context.db, database.id, tables)
  const denied = deniedTables(context.principal, database, tables, registered)
  if (denied.length > 0) throw tableAccessError(denied, database)
  const predicates = context.config.superset.rlsInSqlLab
    ? await loadRlsPredicates(
        context.db,
        context.principal,
        registered.map((table) => table.id),
      )
    : new Map<number, string>()
  return {
    statements: statements.map((statement) =>
      planStatement(parser, statement, { defaultSchema, registered, predicates, limit: request.limit }),
    ),
    defaultSchema,
    parser,
  }
}

interface StatementContext {
  defaultSchema: string
  registered: readonly RegisteredTable[]
  predicates: RlsPredicates
  limit: number | undefined
}

function planStatement(
  parser: SqlParser,
  statement: CheckedStatement,
  context: StatementContext,
): PlannedStatement {
  const runnable = executableStatement(
    statement,
    context.defaultSchema,
    context.registered,
    context.predicates,
  )
  const qualified = executableStatement(statement, context.defaultSchema, [], new Map())
  if (statement.kind !== 'read') {
    return {
      original_sql: statement.text,
      executed_sql: runnable,
      runnable_sql: runnable,
      qualified_sql: qualified,
      returnsRows: statement.returnsRows,
      probeRows: undefined,
      statement,
    }
  }
  // Without a limit the gateway's cap applies, fetching one more row to know whether rows were left out.
  const probeRows = context.limit === undefined ? MAX_SQL_ROWS + 1 : undefined
  return {
    original_sql: statement.text,
    executed_sql: wrapWithLimit(parser, runnable, context.limit ?? probeRows!),
    runnable_sql: runnable,
    qualified_sql: qualified,
    returnsRows: true,
    probeRows,
    statement,
  }
}
