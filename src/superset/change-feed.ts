/**
 * What changed in Superset's own tables, whoever changed them (Superset's UI or API, a script, the
 * gateway): one "external generation" per cache kind, read in ONE round trip. The cache puts them in its
 * keys (src/cache/external-changes.ts), so an answer computed before a change is not read after it.
 *
 * Two ways to know, chosen per database by the schema profile (`changeFeed`):
 * - the change feed (migrations/optional/superset_change_feed.sql, installed by an operator): statement-
 *   level triggers on the watched tables bump `mcp_gateway.superset_changes` (kind → generation) in the
 *   writer's own transaction, so every committed change counts, whatever it touched;
 * - without it, a fingerprint of each watched table from one statement: count(*) and a sum of hashes of
 *   (id, changed_on) where the table has `changed_on` and is wide; count and a sum of whole-row hashes
 *   elsewhere (the link tables, and the narrow permission tables ab_user and row_level_security_filters).
 *   It misses an UPDATE of a wide table that leaves `changed_on` alone (Superset's own model writes
 *   always set it; hand-written SQL may not). docs/storage.md lists what each mode sees.
 */
import type { Db } from '../db'
import { ident, join, sql, trusted } from '../db'
import type { OptionalTable, SchemaProfile } from './schema-profile'

/** The kinds whose answers out-of-band changes affect; 'permissions' is in every answer's key. */
export const EXTERNAL_KINDS = [
  'chart',
  'dashboard',
  'dataset',
  'database',
  'saved_query',
  // The development branch's catalog tools (docs/TOOLS.md).
  'theme',
  'annotation',
  'tag',
  'report',
  'permissions',
] as const
export type ExternalKind = (typeof EXTERNAL_KINDS)[number]

/** Kind → its generation (a number with the feed, a fingerprint without); equal strings, same state. */
export type ExternalGenerations = Readonly<Record<ExternalKind, string>>

interface WatchedTable {
  name: string
  kinds: readonly ExternalKind[]
  /** Fingerprinted by count and a sum of hashes of (id, changed_on) (a wide table with Superset's AuditMixin); else whole rows. */
  changedOn: boolean
  /** Only where the schema profile lists it. */
  optional?: OptionalTable
  /** FAB ≥ 4.6 user groups, where the profile has them. */
  groups?: true
}

/**
 * Superset's tables whose changes reach cached answers, and the kinds they change. The change feed's
 * triggers are created for the same list (migrations/optional/superset_change_feed.sql; a node test keeps
 * both in step).
 */
export const WATCHED_TABLES: readonly WatchedTable[] = [
  { name: 'dashboards', kinds: ['dashboard'], changedOn: true },
  { name: 'dashboard_slices', kinds: ['dashboard', 'chart'], changedOn: false },
  { name: 'dashboard_user', kinds: ['dashboard'], changedOn: false },
  { name: 'dashboard_roles', kinds: ['dashboard'], changedOn: false },
  // A user's favourites (list_dashboards' `favorite` filter), starred in Superset's UI.
  { name: 'favstar', kinds: ['dashboard'], changedOn: false },
  { name: 'slices', kinds: ['chart'], changedOn: true },
  { name: 'slice_user', kinds: ['chart'], changedOn: false },
  { name: 'tables', kinds: ['dataset'], changedOn: true },
  { name: 'table_columns', kinds: ['dataset'], changedOn: true },
  { name: 'sql_metrics', kinds: ['dataset'], changedOn: true },
  { name: 'sqlatable_user', kinds: ['dataset'], changedOn: false },
  { name: 'dbs', kinds: ['database'], changedOn: true },
  { name: 'saved_query', kinds: ['saved_query'], changedOn: true, optional: 'saved_query' },
  { name: 'themes', kinds: ['theme'], changedOn: true, optional: 'themes' },
  { name: 'annotation_layer', kinds: ['annotation'], changedOn: true, optional: 'annotation_layer' },
  { name: 'annotation', kinds: ['annotation'], changedOn: true, optional: 'annotation' },
  { name: 'tag', kinds: ['tag'], changedOn: true, optional: 'tag' },
  { name: 'tagged_object', kinds: ['tag'], changedOn: true, optional: 'tagged_object' },
  { name: 'report_schedule', kinds: ['report'], changedOn: true, optional: 'report_schedule' },
  { name: 'report_recipient', kinds: ['report'], changedOn: true, optional: 'report_recipient' },
  {
    name: 'report_schedule_user',
    kinds: ['report'],
    changedOn: false,
    optional: 'report_schedule_user',
  },
  // The runs get_report shows, written by Superset's report worker (count and max(id) would do: it is
  // append-only, but hashing rows also sees a pruning).
  {
    name: 'report_execution_log',
    kinds: ['report'],
    changedOn: false,
    optional: 'report_execution_log',
  },
  // Who may see what: users (active, names shown as owners), roles, grants, groups, RLS. Narrow tables,
  // hashed whole (changedOn false): a user deactivated or an RLS clause changed by SQL that leaves
  // changed_on alone is still a change of permissions.
  { name: 'ab_user', kinds: ['permissions'], changedOn: false },
  { name: 'ab_user_role', kinds: ['permissions'], changedOn: false },
  { name: 'ab_role', kinds: ['permissions'], changedOn: false },
  { name: 'ab_permission_view_role', kinds: ['permissions'], changedOn: false },
  { name: 'ab_permission_view', kinds: ['permissions'], changedOn: false },
  { name: 'ab_permission', kinds: ['permissions'], changedOn: false },
  { name: 'ab_view_menu', kinds: ['permissions'], changedOn: false },
  { name: 'ab_group', kinds: ['permissions'], changedOn: false, groups: true },
  { name: 'ab_user_group', kinds: ['permissions'], changedOn: false, groups: true },
  { name: 'ab_group_role', kinds: ['permissions'], changedOn: false, groups: true },
  {
    name: 'row_level_security_filters',
    kinds: ['permissions'],
    changedOn: false,
    optional: 'row_level_security_filters',
  },
  { name: 'rls_filter_roles', kinds: ['permissions'], changedOn: false, optional: 'rls_filter_roles' },
  { name: 'rls_filter_tables', kinds: ['permissions'], changedOn: false, optional: 'rls_filter_tables' },
]

/** How the generations are read: the trigger-fed table, or fingerprints of the tables themselves. */
export type ChangeFeedMode = 'feed' | 'fingerprint'

/** The mode for this database: the feed where it is installed, unless a test setting asks for fingerprints. */
export function changeFeedMode(profile: SchemaProfile, setting: 'auto' | 'fingerprint'): ChangeFeedMode {
  if (setting === 'fingerprint') return 'fingerprint'
  return profile.changeFeed ? 'feed' : 'fingerprint'
}

/** Every kind's external generation, in one round trip. */
export async function readExternalGenerations(
  db: Db,
  profile: SchemaProfile,
  mode: ChangeFeedMode,
): Promise<ExternalGenerations> {
  return mode === 'feed' ? readFeed(db) : readFingerprints(db, profile)
}

async function readFeed(db: Db): Promise<ExternalGenerations> {
  const rows = await db.query<{ kind: string; generation: string }>(
    sql`SELECT kind, generation::text AS generation FROM mcp_gateway.superset_changes`,
  )
  const byKind = new Map(rows.map((row) => [row.kind, row.generation]))
  // The prefix keeps a feed's generations apart from fingerprints (a mode switch changes every key).
  return kindsFrom((kind) => `f${byKind.get(kind) ?? '0'}`)
}

async function readFingerprints(db: Db, profile: SchemaProfile): Promise<ExternalGenerations> {
  const tables = WATCHED_TABLES.filter(
    (table) =>
      (table.optional === undefined || profile.tables.includes(table.optional)) &&
      (table.groups !== true || profile.hasGroups),
  )
  const columns = tables.map((table, index) => {
    const name = ident(table.name)
    const alias = trusted(`t${index}`)
    // Rows as text, hashed and summed: any insert, delete or update of a link table moves it.
    // Wide tables (params, JSON) hash only (id, changed_on): any row whose changed_on moves, in whichever
    // direction (Superset writes its server's local time, the gateway UTC), moves the sum; max(changed_on)
    // would not when the new value is below another row's.
    const summary = table.changedOn
      ? sql`count(*)::text || '/' || coalesce(sum(hashtext(id::text || '/' || coalesce(changed_on::text, ''))), 0)::text`
      : sql`count(*)::text || '/' || coalesce(sum(hashtext(${alias}::text)), 0)::text`
    return sql`(SELECT ${summary} FROM ${name} AS ${alias}) AS ${alias}`
  })
  const [row] = await db.query<Record<string, string>>(sql`SELECT ${join(columns, ', ')}`)
  if (row === undefined) throw new Error('change fingerprint query returned no row')
  return kindsFrom((kind) =>
    [
      'p',
      ...tables.flatMap((table, index) => (table.kinds.includes(kind) ? [row[`t${index}`] ?? ''] : [])),
    ].join(':'),
  )
}

function kindsFrom(valueOf: (kind: ExternalKind) => string): ExternalGenerations {
  return Object.fromEntries(EXTERNAL_KINDS.map((kind) => [kind, valueOf(kind)])) as Record<
    ExternalKind,
    string
  >
}
