/**
 * Which relation a name in a statement really denotes, as the server resolves it, and which of the
 * server's own relations SQL may read.
 *
 * PostgreSQL searches pg_temp first, then pg_catalog (implicitly, whatever the search_path says), then
 * the search_path. Every relation of pg_catalog is called `pg_…`, so an unqualified `pg_…` name is
 * taken to be the catalog's (the conservative reading: a user table of that name is then checked as a
 * catalog relation, never the other way round); a temporary relation lives in pg_temp.
 */

export interface ResolvedRelation {
  schema: string
  name: string
}

export function resolveRelation(
  relation: { schema: string | undefined; name: string; persistence: string },
  defaultSchema: string,
): ResolvedRelation {
  if (relation.schema !== undefined) return { schema: relation.schema, name: relation.name }
  if (relation.persistence === 't') return { schema: 'pg_temp', name: relation.name }
  if (relation.name.startsWith('pg_')) return { schema: 'pg_catalog', name: relation.name }
  return { schema: defaultSchema, name: relation.name }
}

/** The server's own schemas: the catalog, the information schema, TOAST and temporary schemas. */
export function isSystemSchema(schema: string): boolean {
  return (
    schema === 'pg_catalog' ||
    schema === 'information_schema' ||
    /^pg_toast(_temp_\d+)?$/.test(schema) ||
    /^pg_temp(_\d+)?$/.test(schema)
  )
}

export function isTemporarySchema(schema: string): boolean {
  return /^pg_temp(_\d+)?$/.test(schema)
}

/**
 * Catalog relations that describe the database's own structure, readable by callers who may read the
 * whole database. Left out: sessions and their queries (pg_stat_activity, pg_stat_statements: every
 * gateway user shares the connection's role), settings and files (pg_settings, pg_file_settings,
 * pg_hba_file_rules, pg_config), roles and their secrets (pg_authid, pg_shadow, pg_user_mappings),
 * statistics (row counts, most common values), locks, replication, large objects.
 */
export const READABLE_CATALOG_RELATIONS: ReadonlySet<string> = new Set([
  'pg_am',
  'pg_attrdef',
  'pg_attribute',
  'pg_class',
  'pg_collation',
  'pg_constraint',
  'pg_description',
  'pg_enum',
  'pg_index',
  'pg_indexes',
  'pg_inherits',
  'pg_matviews',
  'pg_namespace',
  'pg_sequences',
  'pg_tables',
  'pg_type',
  'pg_views',
])
