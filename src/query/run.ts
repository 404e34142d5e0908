/**
 * Every engine query runs in its own transaction on the analytics database: READ ONLY (unless the
 * caller is allowed to write), with the statement timeout, UTC and standard-conforming strings set
 * locally, so the session settings the gateway relies on cannot be inherited from elsewhere.
 */
import { quoteIdent, trusted, type Db, type QueryResult, type SqlFragment } from '../db'

export interface SessionSettings {
  readOnly: boolean
  timeoutMs: number
  /** `SET LOCAL search_path` (execute_sql's schema); unset keeps the connection's default. */
  searchPath?: string
}

/** Runs `work` in a transaction with the settings applied first. */
export async function inSession<T>(
  db: Db,
  settings: SessionSettings,
  work: (tx: Db) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(trusted(settings.readOnly ? 'SET TRANSACTION READ ONLY' : 'SET TRANSACTION READ WRITE'))
    const timeout = Math.max(1, Math.trunc(settings.timeoutMs))
    await tx.execute(trusted(`SET LOCAL statement_timeout = ${timeout}`))
    await tx.execute(trusted("SET LOCAL TimeZone = 'UTC'"))
    await tx.execute(trusted('SET LOCAL standard_conforming_strings = on'))
    if (settings.searchPath !== undefined) {
      await tx.execute(trusted(`SET LOCAL search_path = ${quoteIdent(settings.searchPath)}`))
    }
    return work(tx)
  })
}

export async function runReadOnly(
  db: Db,
  query: SqlFragment,
  timeoutMs: number,
): Promise<QueryResult<Record<string, unknown>>> {
  return inSession(db, { readOnly: true, timeoutMs }, (tx) => tx.execute(query))
}
