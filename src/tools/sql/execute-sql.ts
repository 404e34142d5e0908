/**
 * execute_sql: Superset 6.1's ExecuteSqlRequest → ExecuteSqlResponse (reference §3.7), on a PostgreSQL
 * database registered in Superset, after the SQL Lab checks of plan.ts. Statements run in order in one
 * transaction (READ ONLY unless the database allows DML) with the request's statement timeout; a
 * failing statement rolls the whole script back. As in Superset 6.1 every failure past the request's
 * validation is answered in-band (`inBandFailure`): success=false with `error` and `error_type` —
 * DATABASE_NOT_FOUND_ERROR for a database the caller cannot see, `timed_out` for a timeout and `failed`
 * (Superset's QueryStatus) for refusals and the statement's own error (PostgreSQL's sanitised message).
 */
import * as z from 'zod'
import { trusted, type Db } from '../../db'
import { GatewayError } from '../../errors'
import { quoteAuthored } from '../../markers'
import {
  MAX_SQL_ROWS,
  normaliseRows,
  statementFailure,
  typeName,
  withAnalyticsSession,
  type AnalyticsDatabase,
  type ResultRow,
} from '../../query'
import {
  byteLength,
  type ConfirmPrompt,
  databaseNotFound,
  defineTool,
  inBandMessage,
  isDomainFailure,
  type PlannedStatement,
  planSql,
  type SqlPlan,
  type ToolContext,
  trimToBytes,
  visibleAnalyticsDatabase,
  looseRequestObject,
} from '../core'

const ExecuteSqlRequestSchema = looseRequestObject({
  database_id: z.int().positive().describe('Superset database id (see list_databases).'),
  sql: z.string().optional().describe('SQL to run; several statements may be separated by ";".'),
  query: z.string().optional().describe('Alias of sql.'),
  schema: z
    .string()
    .min(1)
    .optional()
    .describe('Default schema for unqualified table names (default public).'),
  schema_name: z.string().min(1).optional().describe('Alias of schema.'),
  catalog: z.string().nullable().optional(),
  limit: z
    .int()
    .min(1)
    .max(MAX_SQL_ROWS)
    .optional()
    .describe("Row cap for queries (1–10000); caps the SQL's own LIMIT."),
  timeout: z.int().min(1).max(300).default(30).describe('Statement timeout in seconds (1–300).'),
  template_params: z.record(z.string(), z.unknown()).nullable().optional(),
  dry_run: z.boolean().default(false).describe('Return the SQL that would run, without running it.'),
  force_refresh: z.boolean().default(false),
}).transform((request, ctx) => {
  const text = (request.sql ?? request.query ?? '').trim()
  if (text === '') ctx.addIssue({ code: 'custom', path: ['sql'], message: 'SQL must not be empty' })
  return { ...request, sql: text, schema: request.schema ?? request.schema_name }
})

const ColumnInfoSchema = z.object({ name: z.string(), type: z.string(), is_nullable: z.boolean().nullable() })
const StatementDataSchema = z.object({
  rows: z.array(z.record(z.string(), z.unknown())),
  columns: z.array(ColumnInfoSchema),
})

const ExecuteSqlResponseSchema = z.object({
  success: z.boolean(),
  rows: z.array(z.record(z.string(), z.unknown())).nullable(),
  columns: z.array(ColumnInfoSchema).nullable(),
  row_count: z.int().nullable(),
  affected_rows: z.int().nullable(),
  execution_time: z.number().nullable(),
  error: z.string().nullable(),
  error_type: z.string().nullable(),
  statements: z.array(
    z.object({
      original_sql: z.string(),
      executed_sql: z.string(),
      row_count: z.int(),
      execution_time_ms: z.number(),
      data: StatementDataSchema.nullable(),
    }),
  ),
  multi_statement_warning: z.string().nullable(),
  template_warning: z.string().nullable(),
  truncated: z.boolean(),
  truncation_hint: z.string().nullable(),
})

type StatementInfo = z.output<typeof ExecuteSqlResponseSchema>['statements'][number]
type ColumnInfo = z.output<typeof ColumnInfoSchema>

export const executeSql = defineTool({
  name: 'execute_sql',
  title: 'Execute SQL query',
  description:
    'Runs SQL on a PostgreSQL database registered in Superset, as SQL Lab would for you: you need access to the database or to ' +
    'every table the SQL reads. Read-only unless the database allows DML; DROP/ALTER/TRUNCATE never run. limit caps rows ' +
    '(≤10000), timeout is in seconds, dry_run shows the SQL that would run.',
  input: ExecuteSqlRequestSchema,
  output: ExecuteSqlResponseSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  permission: { permission: 'can_execute_sql_query', view: 'SQLLab' },
  run: async (request, context) => {
    const { database, plan } = await preparedCall(request, context)
    const templateWarning = templateWarningOf(request.template_params)
    if (request.dry_run) return dryRunResponse(plan, templateWarning)
    return runPlan(plan, database, request.timeout, templateWarning, context)
  },
  // Decided from the plan the call would run, before anything runs: only statements that change data or
  // tables ask, and a dry run changes nothing.
  confirm: async (request, context) => {
    if (request.dry_run) return undefined
    const { database, plan } = await preparedCall(request, context)
    return changesOf(plan, database)
  },
  inBandFailure: (failure, request) => {
    const errorType = sqlLabErrorType(failure)
    if (errorType === undefined) return undefined
    return {
      ...emptyResponse(templateWarningOf(request.template_params)),
      success: false,
      error: inBandMessage(failure),
      error_type: errorType,
    }
  },
})

type ExecuteSqlRequest = z.output<typeof ExecuteSqlRequestSchema>

interface PreparedCall {
  database: AnalyticsDatabase
  plan: SqlPlan
}

/**
 * The call's plan, worked out once per call: `confirm` and then `run` get the same request object from
 * the dispatcher, so the statements the user is asked about are exactly the ones that run.
 */
const prepared = new WeakMap<ExecuteSqlRequest, Promise<PreparedCall>>()

function preparedCall(request: ExecuteSqlRequest, context: ToolContext): Promise<PreparedCall> {
  let call = prepared.get(request)
  if (call === undefined) {
    call = prepareCall(request, context)
    prepared.set(request, call)
  }
  return call
}

async function prepareCall(request: ExecuteSqlRequest, context: ToolContext): Promise<PreparedCall> {
  if (request.catalog !== undefined && request.catalog !== null && request.catalog !== '') {
    throw new GatewayError(
      'ValidationError',
      'catalog is not supported: Superset does not use catalogs on PostgreSQL databases.',
      {
        details: { reason: 'catalog_unsupported' },
      },
    )
  }
  // Superset's database visibility first, as every tool that takes a database_id: a database the
  // caller may not see reads as missing.
  const database = await visibleAnalyticsDatabase(request.database_id, context).catch((err: unknown) => {
    throw err instanceof GatewayError && err.type === 'NotFoundError'
      ? databaseMissing(request.database_id)
      : err
  })
  const plan = await planSql(
    { sql: request.sql, schema: request.schema, limit: request.limit },
    database,
    context,
  )
  return { database, plan }
}

/**
 * What the user confirms: the statements that change data or tables (DML, CREATE …), counted by kind;
 * undefined when every statement is a query.
 */
function changesOf(plan: SqlPlan, database: AnalyticsDatabase): ConfirmPrompt | undefined {
  const changing = plan.statements.filter(
    (planned) => planned.statement.kind === 'dml' || planned.statement.kind === 'ddl',
  )
  if (changing.length === 0) return undefined
  const kinds = new Map<string, number>()
  for (const planned of changing) {
    const label = statementLabel(planned)
    kinds.set(label, (kinds.get(label) ?? 0) + 1)
  }
  const list = [...kinds].map(([label, count]) => `${count} ${label}`).join(', ')
  const queries = plan.statements.length - changing.length
  const also = queries === 0 ? '' : ` (and ${queries} ${queries === 1 ? 'query' : 'queries'})`
  const statements = changing.length === 1 ? 'SQL statement that changes' : 'SQL statements that change'
  // What the person confirms: the tables written and each changing statement as it will run (the
  // agent's SQL, shortened), so a swapped WHERE clause cannot hide behind the same count.
  const written = [
    ...new Set(
      changing.flatMap((planned) =>
        planned.statement.relations
          .filter((relation) => relation.role !== 'read')
          .map((relation) => `${relation.schema ?? plan.defaultSchema}.${relation.name}`),
      ),
    ),
  ]
  const tables = written.length === 0 ? '' : `, writing ${written.join(', ')}`
  const shown = changing.map((planned) => `\n  ${clip(planned.statement.text.replace(/\s+/g, ' '))}`).join('')
  return {
    message: `Run ${changing.length} ${statements} data or tables on database ${database.id} (${quoteAuthored(database.database_name)}): ${list}${also}${tables}:${shown}`,
  }
}

const CONFIRM_SQL_CHARS = 300

function clip(text: string): string {
  return text.length > CONFIRM_SQL_CHARS ? `${text.slice(0, CONFIRM_SQL_CHARS - 1)}…` : text
}

/** INSERT, UPDATE, CREATE TABLE …; a SELECT that writes says how. */
function statementLabel(planned: PlannedStatement): string {
  if (planned.statement.type !== 'select') return planned.statement.type.toUpperCase()
  return planned.statement.kind === 'ddl' ? 'SELECT INTO' : 'data-modifying WITH'
}

/**
 * Superset 6.1's error_type for a failure answered in-band: the tool's own database check names a
 * SupersetErrorType; what the query executor refuses or the database rejects is its QueryStatus.
 */
function sqlLabErrorType(failure: GatewayError): string | undefined {
  if (failure.type === 'TimeoutError') return 'timed_out'
  if (!isDomainFailure(failure)) return undefined
  return failure.details?.error_type === 'DATABASE_NOT_FOUND_ERROR' ? 'DATABASE_NOT_FOUND_ERROR' : 'failed'
}

function templateWarningOf(params: Record<string, unknown> | null | undefined): string | null {
  return params && Object.keys(params).length > 0
    ? 'template_params was supplied but the gateway does not render Jinja templates; the SQL ran as written.'
    : null
}

function databaseMissing(id: number): GatewayError {
  const error = databaseNotFound(id)
  return new GatewayError(
    'NotFoundError',
    `Database with ID ${id} not found. Use list_databases to get valid database IDs.`,
    { details: { ...error.details, error_type: 'DATABASE_NOT_FOUND_ERROR' } },
  )
}

function dryRunResponse(plan: SqlPlan, templateWarning: string | null) {
  return {
    ...emptyResponse(templateWarning),
    statements: plan.statements.map((statement) => ({
      original_sql: statement.original_sql,
      executed_sql: statement.executed_sql,
      row_count: 0,
      execution_time_ms: 0,
      data: null,
    })),
  }
}

function emptyResponse(templateWarning: string | null) {
  return {
    success: true,
    rows: null,
    columns: null,
    row_count: null,
    affected_rows: null,
    execution_time: null,
    error: null,
    error_type: null,
    statements: [] as StatementInfo[],
    multi_statement_warning: null,
    template_warning: templateWarning,
    truncated: false,
    truncation_hint: null as string | null,
  }
}

async function runPlan(
  plan: SqlPlan,
  database: AnalyticsDatabase,
  timeoutSeconds: number,
  templateWarning: string | null,
  context: ToolContext,
) {
  const timeoutMs = timeoutSeconds * 1000
  const started = Date.now()
  const executed: StatementInfo[] = []
  let truncated = false
  try {
    await withAnalyticsSession(
      database,
      {
        config: context.config,
        log: context.log,
        timeoutMs,
        context: 'This SQL',
        // A plan that changes nothing runs read-only even where DML is allowed: the database itself then
        // refuses any write the guardrails did not see.
        readOnly:
          !database.allow_dml ||
          plan.statements.every(
            (planned) => planned.statement.kind !== 'dml' && planned.statement.kind !== 'ddl',
          ),
        searchPath: plan.defaultSchema,
      },
      async (tx) => {
        // A client that asked for progress (an MCP progressToken) sees each statement finish.
        const total = plan.statements.length
        await context.client.progress(0, total, `Running ${total} statement${total === 1 ? '' : 's'}`)
        for (const statement of plan.statements) {
          const info = await runStatement(tx, statement)
          truncated ||= info.truncated
          executed.push(info.info)
          await context.client.progress(
            executed.length,
            total,
            `Statement ${executed.length} of ${total} ran`,
          )
        }
      },
    )
  } catch (err) {
    const failure = statementFailure(err)
    if (failure === undefined) throw err
    const index = executed.length + 1
    const prefix = plan.statements.length > 1 ? `Statement ${index} failed: ` : ''
    // The caller's own SQL failed: answered in-band like every other failure (inBandFailure).
    throw new GatewayError(
      'ValidationError',
      `${prefix}${failure.message}${failure.hint === undefined ? '' : ` (hint: ${failure.hint})`}. No statement took effect.`,
      { cause: err, details: { reason: 'query_error', sqlstate: failure.sqlstate } },
    )
  }
  return sqlResponse(executed, truncated, (Date.now() - started) / 1000, templateWarning, context)
}

async function runStatement(
  tx: Db,
  planned: PlannedStatement,
): Promise<{ info: StatementInfo; truncated: boolean }> {
  const started = Date.now()
  const result = await tx.execute(trustedStatement(planned.executed_sql))
  const elapsed = Date.now() - started
  if (!planned.returnsRows) {
    return {
      info: {
        original_sql: planned.original_sql,
        executed_sql: planned.executed_sql,
        row_count: result.rowCount,
        execution_time_ms: elapsed,
        data: null,
      },
      truncated: false,
    }
  }
  let rows: ResultRow[] = normaliseRows(result.rows, result.fields)
  const cap = planned.probeRows === undefined ? MAX_SQL_ROWS : planned.probeRows - 1
  const truncated = rows.length > cap
  rows = rows.slice(0, cap)
  const columns: ColumnInfo[] = result.fields.map((field) => ({
    name: field.name,
    type: typeName(field.dataTypeID),
    is_nullable: null,
  }))
  return {
    info: {
      original_sql: planned.original_sql,
      executed_sql: planned.executed_sql,
      row_count: rows.length,
      execution_time_ms: elapsed,
      data: { rows, columns },
    },
    truncated,
  }
}

/** The caller's SQL, checked by plan.ts, runs as written: the one place caller text is executed. */
function trustedStatement(text: string) {
  return trusted(text)
}

function sqlResponse(
  statements: StatementInfo[],
  truncated: boolean,
  seconds: number,
  templateWarning: string | null,
  context: ToolContext,
) {
  const dataBearing = statements.filter((statement) => statement.data !== null)
  const last = dataBearing[dataBearing.length - 1]
  const build = (rows: Record<string, unknown>[] | null) => ({
    ...emptyResponse(templateWarning),
    rows,
    columns: last?.data?.columns ?? null,
    row_count: rows === null ? null : rows.length,
    affected_rows: last === undefined ? (statements[statements.length - 1]?.row_count ?? null) : null,
    execution_time: seconds,
    // 6.1 repeats the last data-bearing statement's rows in its statements[] entry; the gateway sends them
    // once, at the top level: that entry's `data` is null and its row_count is the top-level row_count.
    statements: statements.map((statement) =>
      statement === last && rows !== null ? { ...statement, row_count: rows.length, data: null } : statement,
    ),
    multi_statement_warning:
      dataBearing.length > 1
        ? `This query contained ${dataBearing.length} data-bearing statements. The top-level rows/columns contain only the last data-bearing statement's results. Check the 'data' field in the other entries of the 'statements' array to see the results of the earlier statements.`
        : null,
  })
  const allRows = last?.data?.rows ?? null
  const capHint = truncated
    ? `More than ${MAX_SQL_ROWS} rows matched; only the first ${MAX_SQL_ROWS} are returned. Add a LIMIT, aggregate, or filter the query.`
    : null
  if (allRows === null) return { ...build(null), truncated, truncation_hint: capHint }
  const sizeHint = (count: number) =>
    `Only the first ${count} of ${allRows.length} rows fit in the response size limit (${context.config.responseMaxBytes} bytes). Select fewer columns, aggregate, or pass a smaller limit.`
  // Measured with the hint it will carry, so the answer fits as sent (the size guard cuts nothing more).
  const answer = (count: number, trimmed: boolean) => ({
    ...build(allRows.slice(0, count)),
    truncated: truncated || trimmed,
    truncation_hint: trimmed ? sizeHint(count) : capHint,
  })
  if (byteLength(answer(allRows.length, false)) <= context.config.responseMaxBytes)
    return answer(allRows.length, false)
  const fitted = trimToBytes(allRows, context.config.responseMaxBytes, (count) =>
    byteLength(answer(count, true)),
  )
  return answer(fitted.rows.length, true)
}
