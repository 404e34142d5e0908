/**
 * The chart-data engine: a dataset and a query → rows, with the caller's row-level security, on the
 * dataset's analytics database, read-only.
 */
import type { Config } from '../config'
import type { Db } from '../db'
import type { Logger } from '../observability'
import type { Principal } from '../superset'
import { buildChartSql } from './build'
import { withAnalyticsDb } from './connections'
import { chartQueryError } from './errors'
import type { DatasetMeta } from './metadata'
import { MAX_ROW_LIMIT, type QueryObject } from './query-object'
import { runReadOnly } from './run'
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

export async function runDatasetQuery(
  context: EngineContext,
  dataset: DatasetMeta,
  query: QueryObject,
  what: string,
): Promise<QueryResultSet> {
  const rowLimit = Math.min(Math.max(1, query.rowLimit), MAX_ROW_LIMIT)
  const source = await chartSource(context.metadata, context.principal, dataset)
  const statement = buildChartSql({
    query: { ...query, rowLimit },
    dataset,
    source: source.from,
    now: context.now,
  })
  const timeoutMs = Math.max(CHART_QUERY_TIMEOUT_MS, context.config.database.statementTimeoutMs)
  const result = await withAnalyticsDb(
    dataset.database,
    { config: context.config, log: context.log, timeoutMs, context: what },
    async (db) => {
      try {
        return await runReadOnly(db, statement, timeoutMs)
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
