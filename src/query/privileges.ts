/**
 * Least privilege for the analytics connections. The gateway decides who may read what; the database
 * role it connects as bounds what any mistake could reach. A role that is a superuser, may replicate,
 * or may read or write server files or run programs turns any gap in the checks into the whole server,
 * so analytics queries are refused on such a connection unless the operator says otherwise
 * (MCP_ALLOW_PRIVILEGED_SQL_ROLE=true).
 *
 * Checked once per database and role per isolate (again after REPORT_TTL_MS), inside the first
 * transaction, after the configured `SET LOCAL ROLE`. With a configured role the session user's own
 * privileges are out of reach: user SQL can neither SET ROLE, RESET ROLE, SET SESSION AUTHORIZATION
 * nor call set_config, so only the role's privileges count.
 */
import { quoteAuthored } from '../markers'
import type { Config } from '../config'
import { sql, type Db } from '../db'
import { GatewayError } from '../errors'

export interface RoleReport {
  database: string
  /** The role queries run as. */
  currentUser: string
  /** The role the connection logged in as. */
  sessionUser: string
  /** The role set by MCP_ANALYTICS_ROLES, if any. */
  setRole: string | undefined
  /** What makes the connection privileged ("superuser", "replication", "pg_read_server_files" …); empty when none. */
  privileges: string[]
  /** The connection's temp_file_limit (PostgreSQL's units, `-1`: unlimited): what one query may spill to disk. */
  tempFileLimit: string
  checkedAt: string
}

const REPORT_TTL_MS = 300_000

/** Connection (database name, URL, role) → the last report, per isolate. */
const reports = new Map<string, { report: RoleReport; expires: number }>()

interface RoleRow {
  rolname: string
  rolsuper: boolean
  rolreplication: boolean
  read_server_files: boolean
  write_server_files: boolean
  execute_server_program: boolean
  is_current: boolean
  is_session: boolean
  temp_file_limit: string
}

/** The connection's report (cached), then the refusal if it is privileged and that is not allowed. */
export async function assertLeastPrivilege(
  tx: Db,
  databaseName: string,
  config: Config,
): Promise<RoleReport> {
  const report = await roleReport(tx, databaseName, config)
  if (report.privileges.length > 0 && !config.sql.allowPrivilegedRole) throw privilegedRoleError(report)
  return report
}

/** The report of a database's connection, read in `tx` unless this isolate has a fresh one. */
export async function roleReport(tx: Db, databaseName: string, config: Config): Promise<RoleReport> {
  const fresh = cachedRoleReport(databaseName, config)
  if (fresh !== undefined) return fresh
  const report = await readRoleReport(tx, databaseName, config.sql.roles[databaseName])
  reports.set(connectionKey(databaseName, config), { report, expires: Date.now() + REPORT_TTL_MS })
  return report
}

function connectionKey(databaseName: string, config: Config): string {
  return JSON.stringify([
    databaseName,
    config.analyticsDatabaseUrls[databaseName] ?? '',
    config.sql.roles[databaseName] ?? '',
  ])
}

/** A report this isolate made less than REPORT_TTL_MS ago, for the role configured now. */
export function cachedRoleReport(databaseName: string, config: Config): RoleReport | undefined {
  const cached = reports.get(connectionKey(databaseName, config))
  return cached === undefined || cached.expires <= Date.now() ? undefined : cached.report
}

async function readRoleReport(tx: Db, database: string, setRole: string | undefined): Promise<RoleReport> {
  const rows = await tx.query<RoleRow>(sql`
    SELECT r.rolname, r.rolsuper, r.rolreplication,
           pg_has_role(r.oid, 'pg_read_server_files', 'MEMBER') AS read_server_files,
           pg_has_role(r.oid, 'pg_write_server_files', 'MEMBER') AS write_server_files,
           pg_has_role(r.oid, 'pg_execute_server_program', 'MEMBER') AS execute_server_program,
           r.rolname = current_user AS is_current, r.rolname = session_user AS is_session,
           current_setting('temp_file_limit') AS temp_file_limit
      FROM pg_roles r WHERE r.rolname IN (current_user, session_user)`)
  const current = rows.find((row) => row.is_current)
  const session = rows.find((row) => row.is_session)
  // With a role set by the gateway, the session user's privileges cannot be reached from user SQL.
  const counted = setRole === undefined ? [current, session] : [current]
  const privileges = new Set<string>()
  for (const row of counted) {
    if (row === undefined) continue
    if (row.rolsuper) privileges.add('superuser')
    if (row.rolreplication) privileges.add('replication')
    if (row.read_server_files) privileges.add('pg_read_server_files')
    if (row.write_server_files) privileges.add('pg_write_server_files')
    if (row.execute_server_program) privileges.add('pg_execute_server_program')
  }
  return {
    database,
    currentUser: current?.rolname ?? 'unknown',
    sessionUser: session?.rolname ?? current?.rolname ?? 'unknown',
    setRole,
    privileges: [...privileges],
    tempFileLimit: current?.temp_file_limit ?? 'unknown',
    checkedAt: new Date().toISOString(),
  }
}

function privilegedRoleError(report: RoleReport): GatewayError {
  const who =
    report.setRole === undefined
      ? `connects as "${report.sessionUser}"${report.currentUser === report.sessionUser ? '' : ` and runs as "${report.currentUser}"`}`
      : `runs as "${report.currentUser}" (MCP_ANALYTICS_ROLES)`
  return new GatewayError(
    'ConfigurationError',
    `The gateway does not run queries on the analytics database ${quoteAuthored(report.database)}: its connection ${who}, which has ${report.privileges.join(', ')}. ` +
      'Connect as a role that can only read (and, where Superset allows DML, write) the analytics tables (docs/DEPLOYMENT.md, "Least privilege"), ' +
      'or set MCP_ALLOW_PRIVILEGED_SQL_ROLE=true to accept the risk.',
    {
      details: {
        reason: 'privileged_sql_role',
        database_name: quoteAuthored(report.database),
        privileges: report.privileges,
      },
    },
  )
}
