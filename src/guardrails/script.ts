/**
 * A SQL script (execute_sql, a virtual dataset's SQL) read with PostgreSQL's parser: its statements,
 * what kind each is, every relation each touches and where, and the edits that make it run as checked
 * (unqualified built-in functions run as pg_catalog's). What the parser cannot read is refused.
 */
import { GatewayError } from '../errors'
import { inspect, GuardrailViolation, type InspectOptions, type RelationUse } from './inspect'
import { Offsets, type ScanToken, type SqlParser } from './parser'
import { unwrap, type TreeNode } from './tree'
import { identifierOf, nameSpanAt, type Edit } from './text'

export type StatementKind = 'read' | 'dml' | 'ddl' | 'destructive_ddl' | 'other'

export interface LocatedRelation extends Omit<RelationUse, 'location'> {
  /** String indexes of the name in the script. */
  start: number
  end: number
}

export interface CheckedStatement {
  /** The statement as written, trimmed (no trailing semicolon). */
  text: string
  /** String indexes of `text` in the script. */
  start: number
  end: number
  /** "select", "insert", "create table", "set"… */
  type: string
  kind: StatementKind
  /** Returns rows: a query, or DML with RETURNING. */
  returnsRows: boolean
  relations: LocatedRelation[]
  /** Edits (string indexes in the script) that make the statement run as checked. */
  edits: Edit[]
}

export type RefusalFactory = (violation: GuardrailViolation, statementLabel: string) => GatewayError

/**
 * The statements of a script. Statements of kind destructive_ddl and other are described, not
 * inspected; a violation in another is raised through `refuse` (by default execute_sql's refusal).
 */
export function readScript(
  parser: SqlParser,
  sql: string,
  options: InspectOptions,
  refuse: RefusalFactory = statementRefusal,
): CheckedStatement[] {
  const raw = parser.parse(sql)
  if (raw.length === 0) return []
  const offsets = new Offsets(sql)
  const tokens = parser.scan(sql)
  const totalBytes = new TextEncoder().encode(sql).length
  return raw.map((statement, index) => {
    const byteStart = statement.stmt_location ?? 0
    const byteEnd = statement.stmt_len ? byteStart + statement.stmt_len : totalBytes
    const span = trimmedSpan(sql, offsets.char(byteStart), offsets.char(byteEnd))
    const node = unwrap(statement.stmt, 'RawStmt.stmt')
    try {
      return describe(node, sql, span, { tokens, offsets, options })
    } catch (err) {
      if (!(err instanceof GuardrailViolation)) throw err
      const label =
        raw.length > 1
          ? `Statement ${index + 1} (${typeOf(node).toUpperCase()})`
          : `The ${typeOf(node).toUpperCase()} statement`
      throw refuse(err, label)
    }
  })
}

interface Context {
  tokens: readonly ScanToken[]
  offsets: Offsets
  options: InspectOptions
}

function describe(
  node: TreeNode,
  sql: string,
  span: { start: number; end: number },
  context: Context,
): CheckedStatement {
  const base = { text: sql.slice(span.start, span.end), start: span.start, end: span.end }
  const kind = kindOf(node.type)
  if (kind === 'destructive_ddl' || kind === 'other') {
    return { ...base, type: typeOf(node), kind, returnsRows: false, relations: [], edits: [] }
  }
  const inspection = inspect(node, context.options)
  const relations = inspection.relations.map((relation) => locate(relation, context))
  const edits = inspection.qualifyAt.map((location) => qualification(location, context))
  const statementKind: StatementKind = inspection.createsRelation
    ? 'ddl'
    : inspection.modifiesData
      ? 'dml'
      : kind
  return {
    ...base,
    type: inspection.createsRelation && node.type === 'SelectStmt' ? 'select into' : typeOf(node),
    kind: statementKind,
    returnsRows:
      (statementKind === 'read' && node.type === 'SelectStmt') ||
      (statementKind === 'dml' && hasReturning(node)),
    relations,
    edits,
  }
}

function trimmedSpan(sql: string, start: number, end: number): { start: number; end: number } {
  let from = start
  let to = end
  while (from < to && /\s/.test(sql.charAt(from))) from++
  while (to > from && (/\s/.test(sql.charAt(to - 1)) || sql.charAt(to - 1) === ';')) to--
  return { start: from, end: to }
}

function locate(relation: RelationUse, context: Context): LocatedRelation {
  const span = nameSpanAt(context.tokens, context.offsets, relation.location)
  if (span === undefined) {
    throw new GuardrailViolation(
      'relation',
      relation.name,
      'its position in the SQL cannot be located exactly',
    )
  }
  const { location: _location, ...rest } = relation
  return { ...rest, ...span }
}

/** `lower(x)` runs as `pg_catalog.lower(x)`: a function of the same name elsewhere on the search_path can never be picked. */
function qualification(location: number, context: Context): Edit {
  const index = context.tokens.findIndex((token) => token.start === location)
  const token = context.tokens[index]
  if (token === undefined || context.tokens[index + 1]?.text !== '(' || identifierOf(token) === '') {
    throw new GuardrailViolation(
      'function',
      'a function call',
      'its position in the SQL cannot be located exactly',
    )
  }
  const at = context.offsets.char(token.start)
  return { start: at, end: at, insert: 'pg_catalog.' }
}

const INSPECTED_KINDS: Record<string, StatementKind> = {
  SelectStmt: 'read',
  InsertStmt: 'dml',
  UpdateStmt: 'dml',
  DeleteStmt: 'dml',
  MergeStmt: 'dml',
  CreateStmt: 'ddl',
  CreateTableAsStmt: 'ddl',
  ViewStmt: 'ddl',
  IndexStmt: 'ddl',
  CreateSeqStmt: 'ddl',
}

function kindOf(type: string): StatementKind {
  const known = INSPECTED_KINDS[type]
  if (known !== undefined) return known
  if (/^(Drop|Truncate|Alter|Rename)/.test(type)) return 'destructive_ddl'
  return 'other'
}

const TYPE_NAMES: Record<string, string> = {
  SelectStmt: 'select',
  InsertStmt: 'insert',
  UpdateStmt: 'update',
  DeleteStmt: 'delete',
  MergeStmt: 'merge',
  CreateStmt: 'create table',
  ViewStmt: 'create view',
  IndexStmt: 'create index',
  CreateSeqStmt: 'create sequence',
  DropStmt: 'drop',
  TruncateStmt: 'truncate',
  AlterTableStmt: 'alter table',
  RenameStmt: 'alter … rename',
  VariableSetStmt: 'set',
  VariableShowStmt: 'show',
  TransactionStmt: 'transaction control',
  CopyStmt: 'copy',
  DoStmt: 'do',
  CallStmt: 'call',
  ExplainStmt: 'explain',
  LockStmt: 'lock',
  NotifyStmt: 'notify',
  ListenStmt: 'listen',
  PrepareStmt: 'prepare',
  ExecuteStmt: 'execute',
  DeclareCursorStmt: 'declare cursor',
  GrantStmt: 'grant',
  GrantRoleStmt: 'grant',
  CreateFunctionStmt: 'create function',
  CreateRoleStmt: 'create role',
  CreateSchemaStmt: 'create schema',
  CreateExtensionStmt: 'create extension',
  VacuumStmt: 'vacuum',
  RefreshMatViewStmt: 'refresh materialized view',
  DiscardStmt: 'discard',
  LoadStmt: 'load',
  CheckPointStmt: 'checkpoint',
}

function typeOf(node: TreeNode): string {
  if (node.type === 'CreateTableAsStmt') {
    return node.body.objtype === 'OBJECT_MATVIEW' ? 'create materialized view' : 'create table as'
  }
  if (node.type === 'VariableSetStmt') {
    const kind = String(node.body.kind ?? '')
    const name = String(node.body.name ?? '')
    if (kind === 'VAR_RESET' || kind === 'VAR_RESET_ALL') return name === '' ? 'reset' : `reset ${name}`
    return name === '' ? 'set' : `set ${name.replaceAll('_', ' ')}`
  }
  return (
    TYPE_NAMES[node.type] ??
    node.type
      .replace(/Stmt$/, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
  )
}

function hasReturning(node: TreeNode): boolean {
  const clause = node.body.returningClause as Record<string, unknown> | undefined
  return Array.isArray(clause?.exprs) && clause.exprs.length > 0
}

/** A violation as the refusal of a statement through execute_sql and the SQL paths like it. */
export function statementRefusal(violation: GuardrailViolation, label: string): GatewayError {
  return new GatewayError(
    'PermissionDeniedError',
    `${label} was refused: ${violation.subject} is not allowed, because ${violation.why}. Nothing was run.`,
    {
      details: {
        reason: 'QUERY_SECURITY_ACCESS_ERROR',
        error_type: 'QUERY_SECURITY_ACCESS_ERROR',
        refused: violation.kind,
        subject: violation.subject,
      },
    },
  )
}
