/**
 * SQL Lab rules for execute_sql, decided before anything runs (Superset's raise_for_access(database,
 * sql), the MCP DDL pre-check, RLS_IN_SQLLAB and the row limit), on statements read by PostgreSQL's
 * parser (src/guardrails, which has already held them to the function, type and operator allow-lists):
 *
 * 1. every statement is one the gateway allows: queries always; INSERT/UPDATE/DELETE/MERGE and CREATE
 *    only where the database has allow_dml; DROP/ALTER/TRUNCATE never (as Superset's MCP), nor
 *    session or transaction control, COPY, DO, CALL, SET, SHOW…;
 * 2. every relation any statement touches — read, written, created, indexed, copied (LIKE),
 *    inherited, referenced — is one the caller may use: the whole database (all_database_access /
 *    database_access), or schema_access on its schema, or datasource_access on a dataset registered
 *    on it; the server's own catalogs only with access to the whole database, and only the ones that
 *    describe its structure;
 * 3. with RLS in SQL Lab, each referenced table that a dataset is registered on becomes a filtered
 *    subquery with that dataset's predicates;
 * 4. queries are wrapped to apply the row limit.
 */
import { quoteAuthored } from '../markers'
import { GatewayError } from '../errors'
import {
  applyEdits,
  isSystemSchema,
  isTemporarySchema,
  READABLE_CATALOG_RELATIONS,
  resolveRelation,
  type CheckedStatement,
  type Edit,
  type ResolvedRelation,
  type SqlParser,
} from '../guardrails'
import type { Principal } from '../superset'
import type { RegisteredTable } from '../superset'
import { filteredTableEdit, tableClauses, type RlsPredicates } from './rls'

export const MAX_SQL_ROWS = 10_000

export interface SqlDatabase {
  id: number
  database_name: string
  allow_dml: boolean
}

export type ResolvedTable = ResolvedRelation

export function tableKey(table: ResolvedTable): string {
  return `${table.schema}.${table.name}`
}

const DISPLAY: Record<string, string> = { dml: 'data-modifying', ddl: 'schema-changing' }

/** Rule 1: refuses the first statement the database or the gateway does not allow. */
export function assertStatementsAllowed(
  statements: readonly CheckedStatement[],
  database: SqlDatabase,
): void {
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
        `${label} is not allowed through the gateway: only queries (SELECT, VALUES, WITH) and, where the database allows DML, INSERT, UPDATE, DELETE, MERGE and CREATE TABLE/VIEW/INDEX/SEQUENCE run here; session and transaction control (SET, RESET, SET ROLE, BEGIN, COMMIT…) never. Nothing was run.`,
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
    data.all ||
    data.allDatabases ||
    data.databaseIds.includes(database.id) ||
    data.databasePerms.includes(`[${database.database_name}].(id:${database.id})`)
  )
}

/** Every relation of the statements, resolved as the server will resolve it. */
export function statementRelations(
  statements: readonly CheckedStatement[],
  defaultSchema: string,
): { statement: number; role: string; table: ResolvedTable }[] {
  return statements.flatMap((statement, index) =>
    statement.relations.map((relation) => ({
      statement: index,
      role: relation.role,
      table: resolveRelation(relation, defaultSchema),
    })),
  )
}

/**
 * Rule 2 for the server's own schemas: callers with access to the whole database may read the
 * catalog relations that describe its structure, the information schema, and create and use
 * temporary tables; nobody else touches them, and nobody writes to a catalog.
 */
export function assertSystemRelations(
  principal: Principal,
  database: SqlDatabase,
  relations: readonly { statement: number; role: string; table: ResolvedTable }[],
): void {
  const whole = hasDatabaseAccess(principal, database)
  for (const { statement, role, table } of relations) {
    if (!isSystemSchema(table.schema)) continue
    const name = tableKey(table)
    const label = `Statement ${statement + 1}`
    if (isTemporarySchema(table.schema)) {
      if (whole) continue
      throw refusal(
        `${label} uses the temporary table ${table.name}; temporary tables need access to the whole database "${database.database_name}". Nothing was run.`,
        'TABLE_SECURITY_ACCESS_ERROR',
        statement,
      )
    }
    const readable =
      table.schema === 'information_schema' ||
      (table.schema === 'pg_catalog' && READABLE_CATALOG_RELATIONS.has(table.name))
    if (whole && readable && role === 'read') continue
    const why = !whole
      ? `the server's catalogs can only be read with access to the whole database "${database.database_name}"`
      : role !== 'read'
        ? "the server's catalogs are never changed through the gateway"
        : `${name} is not one of the catalog relations that describe the database's structure (it shows sessions, settings, roles, statistics or server files)`
    throw new GatewayError(
      'PermissionDeniedError',
      `${label} was refused: ${name}: ${why}. Nothing was run.`,
      {
        details: {
          reason: 'TABLE_SECURITY_ACCESS_ERROR',
          error_type: 'TABLE_SECURITY_ACCESS_ERROR',
          tables: [name],
          statement: statement + 1,
        },
      },
    )
  }
}

/** Rule 2 for the database's own tables, for callers without database access: the ones they may not use. */
export function deniedTables(
  principal: Principal,
  database: SqlDatabase,
  tables: readonly ResolvedTable[],
  registered: readonly RegisteredTable[],
): ResolvedTable[] {
  const data = principal.data
  if (hasDatabaseAccess(principal, database)) return []
  return uniqueTables(tables).filter((table) => {
    if (isSystemSchema(table.schema)) return false
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
    `You need access to the following tables of the database ${quoteAuthored(database.database_name)}: ${names.join(', ')}. ` +
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
 * Rules 3 and the allow-list's qualification: the statement as it will run, each RLS-protected table
 * replaced by a filtered subquery and each built-in function pg_catalog-qualified. Statements that
 * modify data are not rewritten: touching an RLS-protected table from one is refused.
 */
export function executableStatement(
  statement: CheckedStatement,
  defaultSchema: string,
  registered: readonly RegisteredTable[],
  predicates: RlsPredicates,
): string {
  const edits: Edit[] = statement.edits.map((edit) => ({
    ...edit,
    start: edit.start - statement.start,
    end: edit.end - statement.start,
  }))
  for (const relation of statement.relations) {
    const table = resolveRelation(relation, defaultSchema)
    const clauses = tableClauses(table, registered, predicates)
    if (clauses.length === 0) continue
    if (statement.kind !== 'read') {
      throw new GatewayError(
        'PermissionDeniedError',
        `The ${statement.type.toUpperCase()} statement touches ${tableKey(table)}, which has row level security for you; ` +
          'only queries can be filtered by it, so the statement was refused. Nothing was run.',
        { details: { reason: 'RLS_DML_NOT_ALLOWED', table: tableKey(table) } },
      )
    }
    edits.push(filteredTableEdit(statement, relation, clauses))
  }
  return applyEdits(statement.text, edits)
}

/**
 * Rule 4: a query wrapped so at most `rows` come back. The newline before the closing parenthesis
 * keeps a trailing line comment of the caller's SQL from swallowing it; the result is parsed again to
 * confirm it is still one query.
 */
export function wrapWithLimit(parser: SqlParser, statementSql: string, rows: number): string {
  const wrapped = `SELECT * FROM (\n${statementSql}\n) AS mcp_limited LIMIT ${Math.trunc(rows)}`
  const parsed = parser.parse(wrapped)
  if (parsed.length !== 1 || Object.keys(parsed[0]!.stmt)[0] !== 'SelectStmt') {
    throw new GatewayError(
      'ValidationError',
      'The statement cannot be wrapped with a row limit as a single query; it was not run.',
      {
        details: { reason: 'INVALID_SQL_ERROR' },
      },
    )
  }
  return wrapped
}
