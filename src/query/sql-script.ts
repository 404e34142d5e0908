/**
 * SQL scripts read with a real PostgreSQL parser (pgsql-ast-parser: pure JavaScript, no eval, ~48 KiB
 * gzip): the statements, what kind each is, every table each one reads or writes (in subqueries, CTEs,
 * joins, set operations and DML targets; CTE names resolved by scope, so a CTE never hides a real
 * table), and the functions it calls. Anything the parser cannot read is refused: access decisions
 * are never made on SQL the gateway did not understand.
 *
 * The statements themselves run as the caller wrote them; the gateway only wraps them or replaces a
 * table reference by a filtered subquery (spliceTables), at spans found by the parser and confirmed by
 * the PostgreSQL-faithful lexer.
 */
import { astVisitor, parse, type QName, type QNameAliased, type Statement } from 'pgsql-ast-parser'
import { GatewayError } from '../errors'
import { LexError, qualifiedNameSpan, significant, tokenize } from './lexer'

export type StatementKind = 'read' | 'dml' | 'ddl' | 'destructive_ddl' | 'other'

export interface TableReference {
  /** As written; undefined when unqualified (resolved later against the default schema). */
  schema: string | undefined
  name: string
  alias: string | undefined
  /** Span of the (qualified) name in the script. */
  start: number
  end: number
}

export interface FunctionCall {
  schema: string | undefined
  name: string
}

export interface ParsedStatement {
  /** The statement's text as written (no trailing semicolon). */
  text: string
  start: number
  end: number
  /** The parser's statement type, e.g. "select", "delete", "create table". */
  type: string
  kind: StatementKind
  /** True when it returns rows (SELECT, VALUES, WITH … SELECT, RETURNING). */
  returnsRows: boolean
  tables: TableReference[]
  functions: FunctionCall[]
}

export class SqlParseError extends GatewayError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ValidationError', message, { details: { reason: 'INVALID_SQL_ERROR', ...details } })
  }
}

const READ_TYPES = new Set(['select', 'union', 'union all', 'values', 'with', 'with recursive'])
const DML_TYPES = new Set(['insert', 'update', 'delete'])
// DDL Superset lets through when the database allows DML; DROP/TRUNCATE/ALTER never (MCP's pre-check).
const CREATE_TYPES = new Set([
  'create table',
  'create view',
  'create materialized view',
  'create index',
  'create sequence',
])

/** Parses a script into statements; throws SqlParseError when the parser cannot read it. */
export function parseScript(sql: string): ParsedStatement[] {
  assertLexable(sql)
  let statements: Statement[]
  try {
    statements = parse(sql, { locationTracking: true })
  } catch (err) {
    throw new SqlParseError(
      `The gateway's SQL parser cannot read this SQL, so it cannot check which tables it reads: ${firstLine(err)}. ` +
        'Simplify the statement (standard SELECT syntax) and try again.',
    )
  }
  const spans = statementSpans(sql)
  if (spans.length !== statements.length) {
    throw new SqlParseError(
      'The statements of this SQL cannot be told apart reliably; run them one at a time.',
    )
  }
  return statements.map((statement, index) => describeStatement(sql, statement, spans[index]!))
}

/**
 * Where each statement starts and ends, from the lexer: statements are separated by top-level ";"
 * (the parser's own statement positions are not exact, e.g. they can stop before a trailing alias).
 */
function statementSpans(sql: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = []
  let current: { start: number; end: number } | undefined
  let depth = 0
  for (const token of significant(tokenize(sql))) {
    if (token.text === ';' && depth === 0) {
      if (current !== undefined) spans.push(current)
      current = undefined
      continue
    }
    if (token.text === '(') depth++
    if (token.text === ')') depth--
    current =
      current === undefined
        ? { start: token.start, end: token.end }
        : { start: current.start, end: token.end }
  }
  if (current !== undefined) spans.push(current)
  return spans
}

/** The lexer must read the script too: the two must agree on where strings and comments are. */
function assertLexable(sql: string): void {
  try {
    const parts = significant(tokenize(sql))
    if (parts.some((token) => token.kind === 'string' && token.style === 'dollar')) {
      throw new SqlParseError(
        'Dollar-quoted strings ($$…$$) are not supported by the gateway; use standard quotes.',
      )
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err
    const position = err instanceof LexError ? err.position : undefined
    throw new SqlParseError(`The SQL cannot be read: ${err instanceof Error ? err.message : String(err)}.`, {
      position,
    })
  }
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return (message.split('\n')[0] ?? message).trim()
}

function describeStatement(
  sql: string,
  statement: Statement,
  location: { start: number; end: number },
): ParsedStatement {
  const { tables, functions } = collectReferences(sql, statement)
  const outside = tables.find((table) => table.start < location.start || table.end > location.end)
  if (outside !== undefined)
    throw new SqlParseError(
      'The statements of this SQL cannot be told apart reliably; run them one at a time.',
    )
  return {
    text: sql.slice(location.start, location.end),
    start: location.start,
    end: location.end,
    type: statement.type,
    kind: kindOf(statement),
    returnsRows: READ_TYPES.has(statement.type) || hasReturning(statement),
    tables,
    functions,
  }
}

function kindOf(statement: Statement): StatementKind {
  if (READ_TYPES.has(statement.type)) return containsDml(statement) ? 'dml' : 'read'
  if (DML_TYPES.has(statement.type)) return 'dml'
  if (CREATE_TYPES.has(statement.type)) return 'ddl'
  if (/^(drop|alter|truncate)/.test(statement.type)) return 'destructive_ddl'
  return 'other'
}

/** `WITH d AS (DELETE … RETURNING …) SELECT …` modifies data although it starts like a query. */
function containsDml(statement: Statement): boolean {
  let found = false
  const markFound = () => {
    found = true
  }
  astVisitor(() => ({ insert: markFound, update: markFound, delete: markFound })).statement(statement)
  return found
}

function hasReturning(statement: Statement): boolean {
  return (
    (statement.type === 'insert' || statement.type === 'update' || statement.type === 'delete') &&
    Array.isArray(statement.returning) &&
    statement.returning.length > 0
  )
}

/**
 * Tables and function calls of one statement. CTE names are tracked by scope: a WITH binding is
 * visible to the bindings after it (all of them when recursive) and to its main statement, including
 * nested subqueries; an unqualified reference to a visible CTE name is not a table.
 */
function collectReferences(sql: string, statement: Statement) {
  const tables: TableReference[] = []
  const functions: FunctionCall[] = []
  const scopes: Set<string>[] = []
  const isCte = (ref: QName) => ref.schema === undefined && scopes.some((scope) => scope.has(ref.name))
  const visit = (node: Statement) => visitor.statement(node)
  const visitor = astVisitor(() => ({
    tableRef: (ref: QNameAliased) => {
      if (!isCte(ref)) tables.push(tableReference(sql, ref))
    },
    call: (call) => {
      functions.push({ schema: call.function.schema, name: call.function.name })
      visitor.super().call(call)
    },
    with: (node) => {
      const names = node.bind.map((binding) => binding.alias.name)
      node.bind.forEach((binding, index) => {
        scopes.push(new Set(names.slice(0, index)))
        visit(binding.statement)
        scopes.pop()
      })
      scopes.push(new Set(names))
      visit(node.in)
      scopes.pop()
    },
    withRecursive: (node) => {
      scopes.push(new Set([node.alias.name]))
      visit(node.bind)
      visit(node.in)
      scopes.pop()
    },
  }))
  visit(statement)
  return { tables, functions }
}

function tableReference(sql: string, ref: QNameAliased): TableReference {
  const start = ref._location?.start
  if (start === undefined) throw new SqlParseError('The SQL parser did not report a table position.')
  let end: number
  try {
    end = qualifiedNameSpan(sql, start).end
  } catch {
    throw new SqlParseError(`The table reference at position ${start} cannot be located exactly.`)
  }
  return { schema: ref.schema, name: ref.name, alias: ref.alias ?? undefined, start, end }
}

export interface TableReplacement {
  reference: TableReference
  /** SQL that replaces the reference's name (a parenthesised subquery). */
  replacement: string
}

/**
 * Replaces table references in `text` (which starts at `offset` in the parsed script): each name
 * becomes the replacement, keeping the reference's alias, or aliased as the table name when it had
 * none, so column references stay valid.
 */
export function spliceTables(
  text: string,
  offset: number,
  replacements: readonly TableReplacement[],
): string {
  const ordered = [...replacements].sort((a, b) => b.reference.start - a.reference.start)
  let output = text
  for (const { reference, replacement } of ordered) {
    const start = reference.start - offset
    const end = reference.end - offset
    const alias = reference.alias === undefined ? ` AS ${quoteName(reference.name)}` : ''
    output = `${output.slice(0, start)}${replacement}${alias}${output.slice(end)}`
  }
  return output
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
