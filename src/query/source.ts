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
import { quoteAuthored } from '../markers'
import { compile, qualified, type Db } from '../db'
import { GatewayError } from '../errors'
import {
  applyEdits,
  type GuardrailViolation,
  NO_EXTENSIONS,
  readScript,
  resolveRelation,
  type CheckedStatement,
  type Edit,
  type SqlParser,
} from '../guardrails'
import type { Principal } from '../superset'
import { registeredTables, type DatasetMeta } from '../superset'
import { filteredTableEdit, loadRlsPredicates, tableClauses, type RlsPredicates } from './rls'
import { renderTemplate } from './templates'

export interface ChartSource {
  /** The FROM item. */
  from: string
  /** Whether any RLS predicate was applied (for logs and responses). */
  rlsApplied: boolean
  /**
   * The search_path the query must run with: a virtual dataset's schema, so unqualified names in its
   * SQL resolve on the server exactly as the gateway resolved them for RLS.
   */
  searchPath: string | undefined
}

export async function chartSource(
  metadata: Db,
  principal: Principal,
  dataset: DatasetMeta,
  parser: SqlParser,
): Promise<ChartSource> {
  if (dataset.sql === null) {
    const predicates = await loadRlsPredicates(metadata, principal, [dataset.id])
    return physicalSource(dataset, predicates.get(dataset.id))
  }
  const statement = virtualStatement(parser, dataset, principal)
  const defaultSchema = dataset.schema ?? 'public'
  const references = statement.relations.map((relation) => resolveRelation(relation, defaultSchema))
  const registered = await registeredTables(metadata, dataset.database.id, references)
  const predicates = await loadRlsPredicates(metadata, principal, [
    dataset.id,
    ...registered.map((table) => table.id),
  ])
  const edits: Edit[] = []
  statement.relations.forEach((relation, index) => {
    const clauses = tableClauses(references[index]!, registered, predicates)
    if (clauses.length > 0) edits.push(filteredTableEdit(statement, relation, clauses))
  })
  const inner = applyEdits(statement.text, edits)
  const own = predicates.get(dataset.id)
  const subquery = `(\n${inner}\n) AS virtual_table`
  return {
    from: own === undefined ? subquery : `(SELECT * FROM ${subquery} WHERE ${own}) AS virtual_table`,
    rlsApplied: edits.length > 0 || own !== undefined,
    searchPath: defaultSchema,
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
  if (predicate === undefined) return { from: table, rlsApplied: false, searchPath: undefined }
  return {
    from: `(SELECT * FROM ${table} WHERE ${predicate}) AS ${compile(qualified(dataset.table_name)).text}`,
    rlsApplied: true,
    searchPath: undefined,
  }
}

/**
 * The virtual dataset's SQL: templates rendered, exactly one query, read with PostgreSQL's parser.
 * Its author is trusted for what it calls (Superset runs it as written); its relations are what RLS
 * is applied to.
 */
function virtualStatement(parser: SqlParser, dataset: DatasetMeta, principal: Principal): CheckedStatement {
  const what = `SQL of the virtual dataset ${quoteAuthored(dataset.table_name)}`
  const refuse = (why: string): never => {
    throw new GatewayError('ValidationError', `The ${what} cannot be used: ${why}.`, {
      details: { reason: 'invalid_virtual_dataset', dataset_id: dataset.id },
    })
  }
  const rendered = renderTemplate(parser, dataset.sql ?? '', principal.user, what)
  const statements = readScript(
    parser,
    rendered,
    { trusted: true, allowSubqueries: true, policy: NO_EXTENSIONS, now: Date.now() },
    (violation: GuardrailViolation) => refuse(`${violation.subject}: ${violation.why}`),
  )
  if (statements.length !== 1) refuse('it must be exactly one SELECT statement')
  const [statement] = statements as [CheckedStatement]
  if (statement.kind !== 'read') refuse('it must be a read-only SELECT statement')
  return statement
}

export type { RlsPredicates }
