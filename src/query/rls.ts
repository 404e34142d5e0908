/**
 * Row-level security as Superset 6.1 applies it (reference §6): the caller's applicable filters per
 * dataset, each clause rendered (current_username/current_user_id/current_user_email) and checked,
 * wrapped in parentheses; clauses sharing a group_key ORed, groups and ungrouped clauses ANDed.
 */
import { quoteIdent, type Db } from '../db'
import {
  checkExpression,
  NO_EXTENSIONS,
  sqlParser,
  type CheckedStatement,
  type Edit,
  type LocatedRelation,
  type ResolvedRelation,
  type SqlParser,
} from '../guardrails'
import type { Principal } from '../superset'
import { applicableRlsFilters, type RegisteredTable, type RlsFilterRow } from '../superset'
import { renderTemplate } from './templates'

/** Dataset id → the predicate its rows must satisfy for this caller (absent: no filter). */
export type RlsPredicates = Map<number, string>

export async function loadRlsPredicates(
  metadata: Db,
  principal: Principal,
  tableIds: readonly number[],
): Promise<RlsPredicates> {
  const rows = await applicableRlsFilters(
    metadata,
    principal.roles.map((role) => role.id),
    [...new Set(tableIds)],
  )
  const predicates: RlsPredicates = new Map()
  if (rows.length === 0) return predicates
  const parser = await sqlParser()
  const byTable = new Map<number, RlsFilterRow[]>()
  for (const row of rows) byTable.set(row.table_id, [...(byTable.get(row.table_id) ?? []), row])
  for (const [tableId, filters] of byTable)
    predicates.set(tableId, combineFilters(parser, filters, principal))
  return predicates
}

/** Superset's get_sqla_row_level_filters: grouped clauses ORed, everything else ANDed. */
export function combineFilters(
  parser: SqlParser,
  filters: readonly RlsFilterRow[],
  principal: Principal,
): string {
  const ungrouped: string[] = []
  const groups = new Map<string, string[]>()
  for (const filter of filters) {
    const clause = `(${renderClause(parser, filter, principal)})`
    if (filter.group_key === null) ungrouped.push(clause)
    else groups.set(filter.group_key, [...(groups.get(filter.group_key) ?? []), clause])
  }
  const grouped = [...groups.values()].map((clauses) => `(${clauses.join(' OR ')})`)
  return [...ungrouped, ...grouped].join(' AND ')
}

function renderClause(parser: SqlParser, filter: RlsFilterRow, principal: Principal): string {
  const what = `row level security filter ${filter.id}`
  const rendered = renderTemplate(
    parser,
    filter.clause,
    { id: principal.user.id, username: principal.user.username, email: principal.user.email },
    what,
  )
  // RLS clauses are written by Superset admins, who may use subqueries and any function (Superset
  // trusts them); the check keeps each clause inside its own parentheses.
  return checkExpression(parser, rendered, {
    origin: 'row level security clause',
    name: String(filter.id),
    trusted: true,
    allowSubqueries: true,
    policy: NO_EXTENSIONS,
    now: Date.now(),
  })
}

/** The RLS predicates of the datasets registered on a physical table (same schema and name). */
export function tableClauses(
  table: ResolvedRelation,
  registered: readonly RegisteredTable[],
  predicates: RlsPredicates,
): string[] {
  return registered
    .filter((dataset) => (dataset.schema ?? 'public') === table.schema && dataset.table_name === table.name)
    .map((dataset) => predicates.get(dataset.id))
    .filter((clause): clause is string => clause !== undefined)
}

/**
 * The edit (in the statement's own text) that replaces a table reference by
 * `(SELECT * FROM <name> WHERE <clauses>) AS <alias or table name>`, so column references stay valid.
 */
export function filteredTableEdit(
  statement: CheckedStatement,
  relation: LocatedRelation,
  clauses: readonly string[],
): Edit {
  const start = relation.start - statement.start
  const end = relation.end - statement.start
  const name = statement.text.slice(start, end)
  const alias = relation.alias === undefined ? ` AS ${quoteIdent(relation.name)}` : ''
  return {
    start,
    end,
    insert: `(SELECT * FROM ${name} WHERE ${clauses.map((c) => `(${c})`).join(' AND ')})${alias}`,
  }
}
