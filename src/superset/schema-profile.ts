/**
 * Which Superset metadata layout the database holds. Superset ≤ 6.1 keeps owners in `*_user` tables and
 * dashboard roles in `dashboard_roles`; the development branch replaced them with `subjects` and
 * editor/viewer tables (alembic b1c2d3e4f5a6), which this gateway does not read yet.
 */
import type { Db } from '../db'
import { sql } from '../db'
import { GatewayError } from '../errors'

export interface SchemaProfile {
  /** `alembic_version.version_num`, when the table exists. */
  revision: string | null
  layout: 'owners' | 'subjects' | 'missing'
  /** FAB ≥ 4.6 user groups (ab_group, ab_user_group, ab_group_role). */
  hasGroups: boolean
  /**
   * Which of OPTIONAL_TABLES this database has: tools that read one (`requiresTables`) are hidden where it
   * is missing, as Superset hides what its version lacks.
   */
  tables: readonly OptionalTable[]
  /**
   * The gateway's optional change feed is installed (`mcp_gateway.superset_changes`, fed by triggers on
   * Superset's tables; migrations/optional/superset_change_feed.sql): src/superset/change-feed.ts reads it
   * instead of fingerprinting the tables.
   */
  changeFeed: boolean
}

/**
 * Superset tables that not every metadata database has (older Superset versions, or features never
 * migrated): the development branch's tools read them, and are listed only where they exist.
 */
export const OPTIONAL_TABLES = [
  'query',
  'saved_query',
  'logs',
  'themes',
  'tag',
  'tagged_object',
  'report_schedule',
  'report_recipient',
  'report_schedule_user',
  'report_execution_log',
  'annotation_layer',
  'annotation',
  'row_level_security_filters',
  'rls_filter_roles',
  'rls_filter_tables',
] as const
export type OptionalTable = (typeof OPTIONAL_TABLES)[number]

interface ProfileRow {
  has_dashboards: boolean
  has_subjects: boolean
  has_dashboard_user: boolean
  has_groups: boolean
  has_alembic: boolean
  has_change_feed: boolean
}

const PROFILE_TTL_MS = 5 * 60_000
// Per isolate, per database: the layout changes only when Superset is upgraded.
const profiles = new Map<string, { profile: SchemaProfile; expiresAt: number }>()

export async function getSchemaProfile(
  db: Db,
  databaseKey: string,
  now = Date.now(),
): Promise<SchemaProfile> {
  const cached = profiles.get(databaseKey)
  if (cached !== undefined && cached.expiresAt > now) return cached.profile
  const profile = await readSchemaProfile(db)
  profiles.set(databaseKey, { profile, expiresAt: now + PROFILE_TTL_MS })
  return profile
}

export async function readSchemaProfile(db: Db): Promise<SchemaProfile> {
  const [row] = await db.query<ProfileRow>(sql`
    SELECT to_regclass('public.dashboards') IS NOT NULL AS has_dashboards,
           to_regclass('public.subjects') IS NOT NULL AS has_subjects,
           to_regclass('public.dashboard_user') IS NOT NULL AS has_dashboard_user,
           to_regclass('public.ab_user_group') IS NOT NULL
             AND to_regclass('public.ab_group_role') IS NOT NULL AS has_groups,
           to_regclass('public.alembic_version') IS NOT NULL AS has_alembic,
           to_regclass('mcp_gateway.superset_changes') IS NOT NULL AS has_change_feed`)
  if (row === undefined) throw new Error('schema profile query returned no row')
  const revision = row.has_alembic
    ? ((await db.query<{ version_num: string }>(sql`SELECT version_num FROM alembic_version LIMIT 1`))[0]
        ?.version_num ?? null)
    : null
  const present = await db.query<{ relname: OptionalTable }>(sql`
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') AND c.relname = ANY(${[...OPTIONAL_TABLES]}::text[])`)
  const found = new Set(present.map((table) => table.relname))
  const tables = OPTIONAL_TABLES.filter((table) => found.has(table))
  const layout = !row.has_dashboards
    ? 'missing'
    : row.has_subjects && !row.has_dashboard_user
      ? 'subjects'
      : 'owners'
  return { revision, layout, hasGroups: row.has_groups, tables, changeFeed: row.has_change_feed }
}

/** Refuses layouts this gateway cannot answer for correctly, with a reason an operator can act on. */
export function assertSupportedLayout(profile: SchemaProfile): void {
  if (profile.layout === 'missing') {
    throw new GatewayError(
      'ConfigurationError',
      'DATABASE_URL does not point at a Superset metadata database (no "dashboards" table). Run `npm run db:seed` for a demo, or point it at Superset\'s database.',
    )
  }
  if (profile.layout === 'subjects') {
    throw new GatewayError(
      'ConfigurationError',
      `The Superset metadata database uses the "subjects" editors/viewers layout of Superset's development branch (alembic revision ${profile.revision ?? 'unknown'}). This gateway supports the Superset ≤ 6.1 layout (owners and dashboard roles); it refuses rather than apply the wrong access rules.`,
      { details: { revision: profile.revision, layout: profile.layout } },
    )
  }
}
