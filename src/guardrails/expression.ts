/**
 * A free SQL expression the gateway places inside its own query (a metric, a column, a filter, an RLS
 * clause), read as the server will read it: the text is parsed as `SELECT (<expression>)` and must be
 * exactly one expression there — no second statement, no clause beyond the parentheses, no comment
 * that could swallow what follows it, no `$n` placeholder. Ad-hoc expressions (anyone who may save a
 * chart writes them) are further held to the allow-lists and, as Superset's ALLOW_ADHOC_SUBQUERY=False,
 * to no subqueries; Superset-authored ones (saved metrics, calculated columns, RLS clauses) are trusted
 * for what they call, as Superset trusts them.
 */
import { quoteAuthored } from '../markers'
import { GatewayError } from '../errors'
import { inspect, GuardrailViolation } from './inspect'
import { Offsets, SqlSyntaxError, type SqlParser } from './parser'
import type { FunctionPolicy } from './policy'
import { applyEdits, isComment } from './text'
import { unwrap, type TreeNode } from './tree'

export type ExpressionOrigin =
  | 'saved metric'
  | 'calculated column'
  | 'ad-hoc metric'
  | 'ad-hoc column'
  | 'ad-hoc WHERE filter'
  | 'ad-hoc HAVING filter'
  | 'row level security clause'

export interface ExpressionRules {
  origin: ExpressionOrigin
  /** Name of the metric/column/filter, for the error message. */
  name: string
  /** Superset-authored: what it calls is not checked. */
  trusted: boolean
  /** Superset's ALLOW_ADHOC_SUBQUERY: off for ad-hoc expressions. */
  allowSubqueries: boolean
  policy: FunctionPolicy
  now: number
}

const PREFIX = 'SELECT ('

/** Checks one expression; returns the SQL to place (trimmed, built-ins pg_catalog-qualified) or throws. */
export function checkExpression(parser: SqlParser, text: string, rules: ExpressionRules): string {
  const trimmed = text.trim()
  const refuse = (why: string): never => {
    throw new GatewayError(
      'ValidationError',
      `The ${rules.origin} ${quoteAuthored(rules.name)} cannot be used: ${why}.`,
      {
        details: { reason: 'unsafe_sql_expression', origin: rules.origin, name: quoteAuthored(rules.name) },
      },
    )
  }
  if (trimmed === '') refuse('it is empty')
  if (/\{\{|\{%|\{#/.test(trimmed))
    refuse('it contains a Jinja template, which the gateway does not render here')
  const wrapped = `${PREFIX}${trimmed})`
  let expression: TreeNode
  try {
    if (parser.scan(trimmed).some(isComment)) refuse('it contains an SQL comment')
    expression = soleExpression(parser, wrapped, refuse)
  } catch (err) {
    if (err instanceof SqlSyntaxError)
      return refuse(err.message.replace(/^The SQL is/, 'it is').replace(/\.$/, ''))
    throw err
  }
  let qualifyAt: number[]
  try {
    qualifyAt = inspect(expression, rules).qualifyAt
  } catch (err) {
    if (err instanceof GuardrailViolation) return refuse(`${err.subject} is not allowed, because ${err.why}`)
    throw err
  }
  const offsets = new Offsets(wrapped)
  const edits = qualifyAt.map((location) => {
    const at = offsets.char(location)
    return { start: at, end: at, insert: 'pg_catalog.' }
  })
  return applyEdits(wrapped, edits).slice(PREFIX.length, -1)
}

/** The one target of `SELECT (<expression>)`, or a refusal when the text reaches beyond it. */
function soleExpression(parser: SqlParser, wrapped: string, refuse: (why: string) => never): TreeNode {
  const statements = parser.parse(wrapped)
  if (statements.length !== 1) refuse('it contains a statement separator ";"')
  const select = unwrap(statements[0]!.stmt)
  const extra = Object.keys(select.body).filter((key) => !['targetList', 'limitOption', 'op'].includes(key))
  const targets = Array.isArray(select.body.targetList) ? select.body.targetList : []
  if (
    select.type !== 'SelectStmt' ||
    select.body.op !== 'SETOP_NONE' ||
    extra.length > 0 ||
    targets.length !== 1
  ) {
    refuse('it reaches beyond its own parentheses (a closing parenthesis, a clause or a second item)')
  }
  const target = unwrap(targets[0])
  if (target.body.name !== undefined || target.body.val === undefined) {
    refuse('it reaches beyond its own parentheses (a closing parenthesis, a clause or a second item)')
  }
  return unwrap(target.body.val, 'ResTarget.val')
}
