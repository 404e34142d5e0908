/**
 * The FROM item of a chart query, with row-level security built in:
 *
 * - a physical dataset: its table, or `(SELECT * FROM table WHERE <rls>) AS table`;
 * - a virtual dataset: its SQL as a subquery `(…) AS virtual_table`, every physical table that SQL
 *   reads replaced by a filtered subquery when a dataset registered on that table (same database,
 *   schema and name) has RLS for the caller — as Superset injects the RLS of underlying tables — and
 *   the virtual dataset's own RLS around it.
 *
 * Putting RLS inside the FROM item means no filter, HAVING or expression of the outer query can
 * loosen it.
 */
import { compile, qualified, type Db } from '../db'
import { GatewayError } from '../errors'
import type { Principal } from '../superset'
import { LexError, significant, tokenize } from './lexer'
import type { DatasetMeta } from './metadata'
import { registeredTables } from './metadata'
import { loadRlsPredicates, type RlsPredicates } from './rls'
import { parseScript, spliceTables, type ParsedStatement, type TableReplacement } from './sql-script'
import { renderTemplate } from './templates'

export interface ChartSource {
  /** The FROM item. */
  from: string
  /** Whether any RLS predicate was applied (for logs and responses). */
  rlsApplied: boolean
}

export async function chartSource(
  metadata: Db,
  principal: Principal,
  dataset: DatasetMeta,
): Promise<ChartSource> {
  if (dataset.sql === null) {
    const predicates = await loadRlsPredicates(metadata, principal, [dataset.id])
    return physicalSource(dataset, predicates.get(dataset.id))
  }
  const statement = virtualStatement(dataset, principal)
  const defaultSchema = dataset.schema ?? 'public'
  const references = statement.tables.map((table) => ({
    schema: table.schema ?? defaultSchema,
    name: table.name,
  }))
  const registered = await registeredTables(metadata, dataset.database.id, references)
  const predicates = await loadRlsPredicates(metadata, principal, [
    dataset.id,
    ...registered.map((table) => table.id),
  ])
  const replacements: TableReplacement[] = []
  for (const reference of statement.tables) {
    const schema = reference.schema ?? defaultSchema
    const matching = registered.filter(
      (table) => (table.schema ?? 'public') === schema && table.table_name === reference.name,
    )
    const clauses = matching
      .map((table) => predicates.get(table.id))
      .filter((clause): clause is string => clause !== undefined)
    if (clauses.length === 0) continue
    const name = statement.text.slice(reference.start - statement.start, reference.end - statement.start)
    replacements.push({
      reference,
      replacement: `(SELECT * FROM ${name} WHERE ${clauses.map((c) => `(${c})`).join(' AND ')})`,
    })
  }
  const inner = spliceTables(statement.text, statement.start, replacements)
  const own = predicates.get(dataset.id)
  const subquery = `(\n${inner}\n) AS virtual_table`
  return {
    from: own === undefined ? subquery : `(SELECT * FROM ${subquery} WHERE ${own}) AS virtual_table`,
    rlsApplied: replacements.length > 0 || own !== undefined,
  }
}

export function physicalSource(
  dataset: Pick<DatasetMeta, 'schema' | 'table_name'>,
  predicate: string | undefined,
): ChartSource {
  const names =
    dataset.schema === null || dataset.schema === ''
      ? [dataset.table_name]
      : [dataset.schema, dataset.table_name]
  const table = compile(qualified(...names)).text
  if (predicate === undefined) return { from: table, rlsApplied: false }
  return {
    from: `(SELECT * FROM ${table} WHERE ${predicate}) AS ${compile(qualified(dataset.table_name)).text}`,
    rlsApplied: true,
  }
}

/** The virtual dataset's SQL: templates rendered, exactly one read-only statement, safe to parenthesise. */
function virtualStatement(dataset: DatasetMeta, principal: Principal): ParsedStatement {
  const what = `SQL of the virtual dataset "${dataset.table_name}"`
  const rendered = renderTemplate(dataset.sql ?? '', principal.user, what)
  const refuse = (why: string): never => {
    throw new GatewayError('ValidationError', `The ${what} cannot be used: ${why}.`, {
      details: { reason: 'invalid_virtual_dataset', dataset_id: dataset.id },
    })
  }
  assertParenthesisable(rendered, refuse)
  const statements = parseScript(rendered)
  if (statements.length !== 1) refuse('it must be exactly one SELECT statement')
  const [statement] = statements as [ParsedStatement]
  if (statement.kind !== 'read') refuse('it must be a read-only SELECT statement')
  return statement
}

/** Balanced parentheses and no statement separator except a trailing one. */
function assertParenthesisable(text: string, refuse: (why: string) => never): void {
  let depth = 0
  try {
    const parts = significant(tokenize(text))
    parts.forEach((token, index) => {
      if (token.text === ';' && parts.slice(index + 1).some((rest) => rest.text !== ';'))
        refuse('it contains more than one statement')
      if (token.kind !== 'punct') return
      if (token.text === '(') depth++
      if (token.text === ')' && --depth < 0) refuse('its parentheses do not balance')
    })
  } catch (err) {
    if (err instanceof LexError) refuse(err.message)
    throw err
  }
  if (depth !== 0) refuse('its parentheses do not balance')
}

export type { RlsPredicates }
