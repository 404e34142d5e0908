/**
 * Every analytics query runs in its own transaction: READ ONLY (unless the caller is allowed to write),
 * with the statement timeout, UTC, standard-conforming strings and the search_path set locally, and as
 * the configured role. SET LOCAL lasts exactly as long as the transaction, and nothing the caller's SQL
 * may run can change it: SET, RESET, SET ROLE and set_config() are refused before anything runs.
 */
import { quoteIdent } from '../db'

export interface SessionSettings {
  readOnly: boolean
  timeoutMs: number
  /** `SET LOCAL search_path` (execute_sql's schema, a virtual dataset's); unset: public. pg_temp always last. */
  searchPath?: string | undefined
  /** `SET LOCAL ROLE` (MCP_ANALYTICS_ROLES). */
  role?: string | undefined
}

/** The settings as one statement list: one round trip. */
export function sessionSettingsSql(settings: SessionSettings): string {
  const timeout = Math.max(1, Math.trunc(settings.timeoutMs))
  const statements = [
    settings.readOnly ? 'SET TRANSACTION READ ONLY' : 'SET TRANSACTION READ WRITE',
    `SET LOCAL statement_timeout = ${timeout}`,
    "SET LOCAL TimeZone = 'UTC'",
    'SET LOCAL standard_conforming_strings = on',
    // A session may serve other users next (the embedded database's single session, a connection pooler):
    // no temporary relation outlives the call that made it, so none can stand in for another user's table.
    'DISCARD TEMP',
    // pg_temp last: an unqualified name means the schema's relation, as the guardrails resolve it.
    `SET LOCAL search_path = ${quoteIdent(settings.searchPath ?? 'public')}, pg_temp`,
  ]
  if (settings.role !== undefined) statements.push(`SET LOCAL ROLE ${quoteIdent(settings.role)}`)
  return statements.join('; ')
}
