/**
 * The chart-data engine: a dataset and a query → rows, with the caller's row-level security, on the
 * dataset's analytics database, read-only.
 */
import type { Config } from '../config'
import { compile, type Db, type SqlFragment } from '../db'
import { GatewayError } from '../errors'
import { policyFor, sqlParser, type SqlParser } from '../guardrails'
import type { Logger } from '../observability'
import type { Principal } from '../superset'
import { buildChartSql } from './build'
import { withAnalyticsSession } from './connections'
import { chartQueryError } from './errors'
import type { DatasetMeta } from '../superset'
import { MAX_ROW_LIMIT, type QueryObject } from './query-object'
import { chartSource } from './source'
import { dataKind, normaliseRows, typeName, type ResultRow } from './values'

export interface EngineContext {
  /** Superset's metadata database. */
  metadata: Db
  principal: Principal
  config: Config
  log: Logger
  now: Date
}

export interface ResultField {
  name: string
  type: string
  kind: 'numeric' | 'datetime' | 'boolean' | 'string'
}

export interface QueryResultSet {
  fields: ResultField[]
  rows: ResultRow[]
  rowLimit: number
  rlsApplied: boolean
}

/** Chart queries get the metadata timeout or 60 s, whichever is larger (Superset's SQLLAB_TIMEOUT scale). */
const CHART_QUERY_TIMEOUT_MS = 60_000

/** A dataset query built and checked, not yet run: what runDatasetQuery executes and get_chart_sql shows. */
export interface PreparedDatasetQuery {
  statement: SqlFragment
  rowLimit: number
  rlsApplied: boolean
  /** The search_path it must run with (a virtual dataset's schema). */
  searchPath: string | undefined
}

/**
 * The query as the engine would run it for the caller: row-level security inside the FROM item, every
 * expression through the guardrails, assembled into exactly one statement. Nothing is executed.
 */
export async function prepareDatasetQuery(
  context: EngineContext,
  dataset: DatasetMeta,
  query: QueryObject,
  what: string,
): Promise<PreparedDatasetQuery> {
  const rowLimit = Math.min(Math.max(1, query.rowLimit), MAX_ROW_LIMIT)
  const parser = await sqlParser()
  const source = await chartSource(context.metadata, context.principal, dataset, parser)
  const statement = buildChartSql({
    query: { ...query, rowLimit },
    dataset,
    source: source.from,
    now: context.now,
    guard: { parser, policy: policyFor(context.config.sql.functions, dataset.database.database_name) },
  })
  assertOneStatement(parser, compile(statement).text, what)
  return { statement, rowLimit, rlsApplied: source.rlsApplied, searchPath: source.searchPath }
}

export async function runDatasetQuery(
  context: EngineContext,
  dataset: DatasetMeta,
  query: QueryObject,
  what: string,
): Promise<QueryResultSet> {
  const prepared = await prepareDatasetQuery(context, dataset, query, what)
  const { statement, rowLimit } = prepared
  const source = { rlsApplied: prepared.rlsApplied, searchPath: prepared.searchPath }
  const timeoutMs = Math.max(CHART_QUERY_TIMEOUT_MS, context.config.database.statementTimeoutMs)
  const result = await withAnalyticsSession(
    dataset.database,
    {
      config: context.config,
      log: context.log,
      timeoutMs,
      context: what,
      readOnly: true,
      searchPath: source.searchPath,
    },
    async (tx) => {
      try {
        return await tx.execute(statement)
      } catch (err) {
        throw chartQueryError(err, dataset.database.database_name)
      }
    },
  )
  return {
    fields: result.fields.map((field) => ({
      name: field.name,
      type: typeName(field.dataTypeID),
      kind: dataKind(field.dataTypeID),
    })),
    rows: normaliseRows(result.rows, result.fields),
    rowLimit,
    rlsApplied: source.rlsApplied,
  }
}

/**
 * The assembled query is one statement, as the server reads it: every piece was checked on its own,
 * and this confirms that together they still are exactly what was checked.
 */
function assertOneStatement(parser: SqlParser, text: string, what: string): void {
  if (parser.parse(text).length !== 1) {
    throw new GatewayError(
      'ValidationError',
      `${what} could not be assembled into a single query; it was not run.`,
      {
        details: { reason: 'invalid_query' },
      },
    )
  }
}
