/**
 * SQL Lab rules for execute_sql, decided before anything runs (Superset's raise_for_access(database,
 * sql), the MCP DDL pre-check, RLS_IN_SQLLAB and the row limit):
 *
 * 1. every statement is one the gateway allows: queries always; INSERT/UPDATE/DELETE and CREATE only
 *    where the database has allow_dml; DROP/ALTER/TRUNCATE never (as Superset's MCP), nor session or
 *    transaction control, COPY, DO, functions that read files, tables or other servers;
 * 2. the caller may read the whole database (all_database_access / database_access), or every table
 *    the SQL references: schema_access on it, or datasource_access on a dataset registered on it;
 * 3. with RLS in SQL Lab, each referenced table that a dataset is registered on becomes a filtered
 *    subquery with that dataset's predicates;
 * 4. queries are wrapped to apply the row limit.
 */
import { GatewayError } from '../errors'
import type { Principal } from '../superset'
import { DENIED_FUNCTIONS } from './expressions'
import { significant, tokenize } from './lexer'
import type { RegisteredTable } from './metadata'
import type { RlsPredicates } from './rls'
import { spliceTables, type ParsedStatement, type TableReference, type TableReplacement } from './sql-script'

export const MAX_SQL_ROWS = 10_000

export interface SqlDatabase {
  id: number
  database_name: string
  allow_dml: boolean
}

export interface ResolvedTable {
  schema: string
  name: string
}

export function resolveTable(
  reference: Pick<TableReference, 'schema' | 'name'>,
  defaultSchema: string,
): ResolvedTable {
  return { schema: reference.schema ?? defaultSchema, name: reference.name }
}

export function tableKey(table: ResolvedTable): string {
  return `${table.schema}.${table.name}`
}

const DISPLAY: Record<string, string> = { dml: 'data-modifying', ddl: 'schema-changing' }

/** Rule 1: refuses the first statement the database or the gateway does not allow. */
export function assertStatementsAllowed(statements: readonly ParsedStatement[], database: SqlDatabase): void {
  statements.forEach((statement, index) => {
    const label = `Statement ${index + 1} (${statement.type.toUpperCase()})`
    if (statement.kind === 'destructive_ddl') {
      throw refusal(
        `${label} was refused: DROP, ALTER and TRUNCATE are never run through MCP (as in Superset). Use Superset's SQL Lab for administrative changes. Nothing was run.`,
        'DML_NOT_ALLOWED_ERROR',
        index,
      )
    }
    if (statement.kind === 'other') {
      throw refusal(
        `${label} is not allowed through the gateway: only queries (SELECT, VALUES, WITH) and, where the database allows DML, INSERT, UPDATE, DELETE and CREATE run here. Nothing was run.`,
        'DML_NOT_ALLOWED_ERROR',
        index,
      )
    }
    if ((statement.kind === 'dml' || statement.kind === 'ddl') && !database.allow_dml) {
      throw refusal(
        `${label} is a ${DISPLAY[statement.kind]} statement, and the database "${database.database_name}" allows read-only queries only (Superset's "Allow DML" is off). Nothing was run.`,
        'DML_NOT_ALLOWED_ERROR',
        index,
      )
    }
    const denied = statement.functions.find((call) => DENIED_FUNCTIONS.has(call.name.toLowerCase()))
    if (denied !== undefined) {
      throw refusal(
        `${label} calls ${denied.name}(), which the gateway never runs (it reads files, other tables or servers, or changes the session). Nothing was run.`,
        'QUERY_SECURITY_ACCESS_ERROR',
        index,
      )
    }
  })
}

function refusal(message: string, errorType: string, index: number): GatewayError {
  return new GatewayError('PermissionDeniedError', message, {
    details: { reason: errorType, error_type: errorType, statement: index + 1 },
  })
}

/** Superset's can_access_database: all_database_access, or database_access on `[name].(id:N)`. */
export function hasDatabaseAccess(principal: Principal, database: SqlDatabase): boolean {
  const data = principal.data
  return (
    data.allDatabases ||
    data.databaseIds.includes(database.id) ||
    data.databasePerms.includes(`[${database.database_name}].(id:${database.id})`)
  )
}

/** Rule 2 for callers without database access: the tables they may not read. */
export function deniedTables(
  principal: Principal,
  database: SqlDatabase,
  tables: readonly ResolvedTable[],
  registered: readonly RegisteredTable[],
): ResolvedTable[] {
  const data = principal.data
  if (data.all || hasDatabaseAccess(principal, database)) return []
  return uniqueTables(tables).filter((table) => {
    if (data.schemaPerms.includes(`[${database.database_name}].[${table.schema}]`)) return false
    return !registered.some(
      (dataset) =>
        (dataset.schema ?? 'public') === table.schema &&
        dataset.table_name === table.name &&
        dataset.perm !== null &&
        data.datasourcePerms.includes(dataset.perm),
    )
  })
}

export function uniqueTables(tables: readonly ResolvedTable[]): ResolvedTable[] {
  const seen = new Map<string, ResolvedTable>()
  for (const table of tables) seen.set(tableKey(table), table)
  return [...seen.values()]
}

export function tableAccessError(denied: readonly ResolvedTable[], database: SqlDatabase): GatewayError {
  const names = denied.map(tableKey)
  return new GatewayError(
    'PermissionDeniedError',
    `You need access to the following tables of the database "${database.database_name}": ${names.join(', ')}. ` +
      'Ask a Superset administrator for datasource or schema access, or query the datasets you can see. Nothing was run.',
    {
      details: {
        reason: 'TABLE_SECURITY_ACCESS_ERROR',
        error_type: 'TABLE_SECURITY_ACCESS_ERROR',
        tables: names,
      },
    },
  )
}

/**
 * Rule 3: the statement with each RLS-protected table replaced by a filtered subquery. Statements that
 * modify data are not rewritten: touching an RLS-protected table from one is refused.
 */
export function applySqlLabRls(
  statement: ParsedStatement,
  defaultSchema: string,
  registered: readonly RegisteredTable[],
  predicates: RlsPredicates,
): string {
  const replacements: TableReplacement[] = []
  for (const reference of statement.tables) {
    const table = resolveTable(reference, defaultSchema)
    const clauses = registered
      .filter((dataset) => (dataset.schema ?? 'public') === table.schema && dataset.table_name === table.name)
      .map((dataset) => predicates.get(dataset.id))
      .filter((clause): clause is string => clause !== undefined)
    if (clauses.length === 0) continue
    if (statement.kind !== 'read') {
      throw new GatewayError(
        'PermissionDeniedError',
        `The ${statement.type.toUpperCase()} statement touches ${tableKey(table)}, which has row level security for you; ` +
          'only queries can be filtered by it, so the statement was refused. Nothing was run.',
        { details: { reason: 'RLS_DML_NOT_ALLOWED', table: tableKey(table) } },
      )
    }
    const name = statement.text.slice(reference.start - statement.start, reference.end - statement.start)
    replacements.push({
      reference,
      replacement: `(SELECT * FROM ${name} WHERE ${clauses.map((c) => `(${c})`).join(' AND ')})`,
    })
  }
  return spliceTables(statement.text, statement.start, replacements)
}

/**
 * Rule 4: a query wrapped so at most `rows` come back. The newline before the closing parenthesis
 * keeps a trailing line comment of the caller's SQL from swallowing it.
 */
export function wrapWithLimit(statementSql: string, rows: number): string {
  assertSelfContained(statementSql)
  return `SELECT * FROM (\n${statementSql}\n) AS mcp_limited LIMIT ${Math.trunc(rows)}`
}

/** Parentheses of the statement close within it, as the server's own scanner reads them. */
function assertSelfContained(statementSql: string): void {
  let depth = 0
  for (const token of significant(tokenize(statementSql))) {
    if (token.kind !== 'punct') continue
    if (token.text === '(') depth++
    if (token.text === ')') depth--
    if (depth < 0 || token.text === ';') break
  }
  if (depth !== 0) {
    throw new GatewayError('ValidationError', "The statement's parentheses do not balance; it was not run.", {
      details: { reason: 'INVALID_SQL_ERROR' },
    })
  }
}
