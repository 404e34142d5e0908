/**
 * Free SQL expressions from Superset's metadata and chart params (saved metrics, calculated columns,
 * ad-hoc SQL metrics/columns/filters, RLS clauses) are placed inside the gateway's own queries, as
 * Superset places them. Each one must stay inside the parentheses it is given: no statement separator,
 * no comment that could swallow the rest of the query, balanced parentheses and brackets, closed
 * quotes. Ad-hoc expressions (written in chart params by anyone who may save a chart) are further held
 * to Superset's ALLOW_ADHOC_SUBQUERY=False: no subqueries, and no functions that read other tables.
 */
import { GatewayError } from '../errors'
import { LexError, significant, tokenize, type Token } from './lexer'

export type ExpressionOrigin =
  | 'saved metric'
  | 'calculated column'
  | 'ad-hoc metric'
  | 'ad-hoc column'
  | 'ad-hoc WHERE filter'
  | 'ad-hoc HAVING filter'
  | 'row level security clause'
  | 'virtual dataset SQL'

export interface ExpressionRules {
  origin: ExpressionOrigin
  /** Name of the metric/column/filter, for the error message. */
  name: string
  /** Superset's ALLOW_ADHOC_SUBQUERY: off for ad-hoc expressions. */
  allowSubqueries: boolean
}

/** Keywords that start a query; in an expression they can only begin a subquery. */
const QUERY_KEYWORDS = new Set(['select', 'with', 'values', 'table'])

/**
 * Built-in functions that read tables or files, reach other servers, sleep past limits or change
 * session settings: never allowed where the gateway checks table access, whoever wrote the SQL.
 */
export const DENIED_FUNCTIONS = new Set([
  'query_to_xml',
  'query_to_xml_and_xmlschema',
  'query_to_xmlschema',
  'table_to_xml',
  'table_to_xml_and_xmlschema',
  'table_to_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'schema_to_xml',
  'schema_to_xml_and_xmlschema',
  'schema_to_xmlschema',
  'database_to_xml',
  'database_to_xml_and_xmlschema',
  'database_to_xmlschema',
  'dblink',
  'dblink_exec',
  'dblink_connect',
  'dblink_connect_u',
  'dblink_send_query',
  'dblink_get_result',
  'dblink_open',
  'dblink_fetch',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'lo_import',
  'lo_export',
  'lo_get',
  'lo_open',
  'loread',
  'set_config',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_advisory_lock',
  'pg_advisory_xact_lock',
  'pg_advisory_lock_shared',
  'pg_advisory_xact_lock_shared',
])

/** Checks one expression; returns it trimmed, or throws a ValidationError that names it. */
export function checkExpression(text: string, rules: ExpressionRules): string {
  const trimmed = text.trim()
  const refuse = (why: string): never => {
    throw new GatewayError('ValidationError', `The ${rules.origin} "${rules.name}" cannot be used: ${why}.`, {
      details: { reason: 'unsafe_sql_expression', origin: rules.origin, name: rules.name },
    })
  }
  if (trimmed === '') refuse('it is empty')
  if (/\{\{|\{%|\{#/.test(trimmed))
    refuse('it contains a Jinja template, which the gateway does not render here')
  let tokens: Token[]
  try {
    tokens = tokenize(trimmed)
  } catch (err) {
    return refuse(err instanceof LexError ? err.message : 'it cannot be read as SQL')
  }
  if (tokens.some((token) => token.kind === 'line_comment' || token.kind === 'block_comment')) {
    refuse('it contains an SQL comment')
  }
  if (tokens.some((token) => token.kind === 'param')) refuse('it contains a $n parameter placeholder')
  const parts = significant(tokens)
  if (parts.some((token) => token.text === ';')) refuse('it contains a statement separator ";"')
  checkBalance(parts, refuse)
  if (!rules.allowSubqueries) checkNoSubquery(parts, refuse)
  checkFunctions(parts, refuse)
  return trimmed
}

/** Parentheses and brackets must nest and close within the expression itself. */
function checkBalance(parts: readonly Token[], refuse: (why: string) => never): void {
  const open: string[] = []
  for (const token of parts) {
    if (token.kind !== 'punct') continue
    if (token.text === '(' || token.text === '[') open.push(token.text)
    if (token.text === ')' || token.text === ']') {
      const expected = token.text === ')' ? '(' : '['
      if (open.pop() !== expected) refuse(`"${token.text}" closes a parenthesis it did not open`)
    }
  }
  if (open.length > 0) refuse('a parenthesis or bracket is never closed')
}

function checkNoSubquery(parts: readonly Token[], refuse: (why: string) => never): void {
  for (const token of parts) {
    if (token.kind === 'word' && QUERY_KEYWORDS.has(token.text.toLowerCase())) {
      refuse('subqueries are not allowed in ad-hoc expressions (Superset ALLOW_ADHOC_SUBQUERY is off)')
    }
  }
}

function checkFunctions(parts: readonly Token[], refuse: (why: string) => never): void {
  parts.forEach((token, index) => {
    const name = functionName(token)
    if (name !== undefined && parts[index + 1]?.text === '(' && DENIED_FUNCTIONS.has(name)) {
      refuse(`the function ${name}() is not allowed`)
    }
  })
}

function functionName(token: Token): string | undefined {
  if (token.kind === 'word') return token.text.toLowerCase()
  if (token.kind === 'quoted_ident') return token.text.slice(1, -1).replaceAll('""', '"')
  return undefined
}

/** A string value as a PostgreSQL standard string literal. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000'))
    throw new GatewayError('ValidationError', 'A text value contains a NUL character.')
  return `'${value.replaceAll("'", "''")}'`
}
